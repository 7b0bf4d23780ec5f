-- What happened to the saved reports (own_reports), and who did it: a report saved, updated (its
-- query, or its title: `previous_name` and `previous_title` are what it was called), replaced
-- by another report of its title, or deleted. A report replaced or deleted keeps its query here.
CREATE TABLE own_reports_log (
    happened_at     TIMESTAMPTZ NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,      -- saved | updated | replaced | deleted
    name            TEXT NOT NULL,      -- the report's handle (own_reports.name) after the action
    title           TEXT NOT NULL,
    sql             TEXT NOT NULL,
    previous_name   TEXT,               -- updated: the handle it had, when the title changed it
    previous_title  TEXT                -- updated: the title it had, when it changed
);
