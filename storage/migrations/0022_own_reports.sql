-- Reports a user saved from the Reports page or `ecluse reports save`: a query over the report
-- views under a title of their own. `name` is the title as a file name's words (the CLI's handle,
-- the export's name); the ready-made reports (services.reports.SAVED_REPORTS) are not stored.
CREATE TABLE own_reports (
    name        TEXT PRIMARY KEY,          -- "tva-par-client": from the title (-2, -3: two titles, one handle)
    title       TEXT NOT NULL,             -- "TVA par client", as typed
    sql         TEXT NOT NULL,             -- checked to bind (read-only, known views and columns) when saved
    totals_sql  TEXT,                      -- the builder's totals per currency, when it made the query
    saved_by    TEXT NOT NULL,
    saved_at    TIMESTAMPTZ NOT NULL
);
