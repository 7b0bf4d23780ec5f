-- Reports: a finding's params (JSON text, NULL for findings written before migration 10), so a
-- report that selects a finding's code, message and params shows the message in the reader's
-- language, as the Review page does (services.reports.presented).
CREATE OR REPLACE VIEW reports.findings AS
SELECT document_id, code, severity, message, field, origin, params FROM main.findings;
