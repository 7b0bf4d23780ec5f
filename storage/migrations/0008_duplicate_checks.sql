-- Documents a sync wrote whose duplicate check has not run yet: it scans the cache, so a run
-- checks every few pages and at its end (storage/ingest.py check_duplicates); a run that died
-- in between leaves its rows to the next run of that connection.
CREATE TABLE duplicate_checks (document_id TEXT NOT NULL);
