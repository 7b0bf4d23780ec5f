-- Reports: a confirmation's currency. Both its amounts are in the currency of what was sent: the
-- import's (`batch_items.sent_currency` of the document's latest sent item, migration 17), else
-- the document's, as `services.sent_amounts` reads it (`confirm` compares Pennylane's
-- `currency_amount` with that item's amount). Without it a report that adds up confirmations
-- added euros and dollars together.
CREATE OR REPLACE VIEW reports.confirmations AS
SELECT k.document_id, k.checked_at, k.status, coalesce(s.sent_currency, d.currency) AS currency,
       k.pennylane_amount, k.expected_amount, k.message
FROM main.confirmations k
LEFT JOIN main.documents d ON d.id = k.document_id
LEFT JOIN (SELECT document_id, arg_max_null(sent_currency, batch_id) AS sent_currency FROM main.batch_items
           WHERE state = 'sent' GROUP BY document_id) s ON s.document_id = k.document_id;
