-- A confirmation's message as a code and its values (`confirm.py`), so Suivi and Reports say it
-- in the reader's language; rows checked before keep their English `message`.
ALTER TABLE confirmations ADD COLUMN said TEXT;

CREATE OR REPLACE VIEW reports.confirmations AS
SELECT k.document_id, k.checked_at, k.status, coalesce(s.sent_currency, d.currency) AS currency,
       k.pennylane_amount, k.expected_amount, k.message, k.said
FROM main.confirmations k
LEFT JOIN main.documents d ON d.id = k.document_id
LEFT JOIN (SELECT document_id, arg_max_null(sent_currency, batch_id) AS sent_currency FROM main.batch_items
           WHERE state = 'sent' GROUP BY document_id) s ON s.document_id = k.document_id;
