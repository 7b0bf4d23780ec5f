-- Documented views for ad-hoc reports (docs/REPORTS.md). Reports run with
-- search_path = reports, so `SELECT * FROM invoices` reads these, never the raw tables.
CREATE SCHEMA reports;

CREATE VIEW reports.invoices AS
SELECT d.id, d.connection, d.source_id, d.kind, d.number, d.issue_date, d.due_date, d.currency,
       d.total_before_tax, d.total_tax, d.total,
       c.name AS counterparty, c.vat_number AS counterparty_vat_number, c.siren AS counterparty_siren,
       d.counterparty_id, d.status, d.status_reason, d.error_count, d.warning_count,
       d.attachment_sha256, d.attachment_pending, d.credited_source_id,
       d.changed_after_sending, d.pennylane_id, d.pennylane_url, d.sent_at,
       d.source_updated_at, d.first_seen_at, d.fetched_at, d.status_changed_at
FROM main.documents d LEFT JOIN main.counterparties c ON c.id = d.counterparty_id;

CREATE VIEW reports.lines AS
SELECT l.document_id, d.connection, d.kind, d.number, d.issue_date, d.currency, l.position, l.label,
       l.quantity, l.unit_price, l.amount_before_tax, l.tax, l.amount, l.vat_rate,
       l.accounting_hint, l.vat_code
FROM main.lines l JOIN main.documents d ON d.id = l.document_id;

CREATE VIEW reports.counterparties AS
SELECT id, connection, source_id, role, name, vat_number, siren, siret, street, postal_code, city,
       country_alpha2, email, is_individual, pennylane_id
FROM main.counterparties;

CREATE VIEW reports.findings AS
SELECT document_id, code, severity, message, field, origin FROM main.findings;

CREATE VIEW reports.batches AS
SELECT b.id, b.created_at, b.started_at, b.finished_at, b.status, b.dry_run, b.actor,
       b.sent, b.failed, b.held, count(i.document_id) AS items
FROM main.batches b LEFT JOIN main.batch_items i ON i.batch_id = b.id
GROUP BY ALL;

CREATE VIEW reports.batch_items AS
SELECT batch_id, document_id, state, external_reference, invoice_pl_id AS pennylane_id, error, attempts, updated_at
FROM main.batch_items;

CREATE VIEW reports.audit AS
SELECT id, recorded_at, actor, document_id, action, field, old_value, new_value, reason FROM main.audit;

CREATE VIEW reports.sync_runs AS
SELECT id, connection, started_at, finished_at, status, fetched, created, updated, unchanged,
       problems, attachments, error
FROM main.sync_runs;

CREATE VIEW reports.problems AS
SELECT id, connection, source_id, message, raw, recorded_at, resolved FROM main.problems;
