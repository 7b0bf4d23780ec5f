-- What an item's import carried to Pennylane: the signed total of the import body
-- (`currency_amount`, a credit note negative) and its currency. Written when the import is
-- about to go (state `importing`, so a run that resumes a lost answer keeps the amount that
-- went) and kept when the item reaches `sent`; NULL for an item not sent. The send history and
-- Suivi read it, so a change at the source after sending no longer changes what they say was
-- sent. Items sent before this migration have none: readers fall back to the current total.
ALTER TABLE batch_items ADD COLUMN sent_amount DECIMAL(18, 2);
ALTER TABLE batch_items ADD COLUMN sent_currency TEXT;
