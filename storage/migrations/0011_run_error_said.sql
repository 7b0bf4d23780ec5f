-- A failed run's error as a code and its values (JSON text, connectors.Said), so the console
-- can give it in its user's language; `error` keeps the English text. NULL: `error` as is.
ALTER TABLE sync_runs ADD COLUMN error_said TEXT;
