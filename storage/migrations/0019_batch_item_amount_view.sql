-- Reports: what each batch item's import carried (migration 17), so a report on sent amounts
-- matches Envoi's history and Suivi; NULL for items sent before it, or not sent.
CREATE OR REPLACE VIEW reports.batch_items AS
SELECT batch_id, document_id, state, external_reference, invoice_pl_id AS pennylane_id, error, attempts, updated_at,
       sent_amount, sent_currency
FROM main.batch_items;
