-- Reports: what a problem says in the console's language (JSON text {"code", "params"}, NULL for
-- problems recorded before migration 12), so a report that selects a problem's message and
-- said shows the message in the reader's language, as Revue does (services.reports.presented).
CREATE OR REPLACE VIEW reports.problems AS
SELECT id, connection, source_id, message, said, raw, recorded_at, resolved FROM main.problems;
