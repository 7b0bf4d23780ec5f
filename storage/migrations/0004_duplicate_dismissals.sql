-- Suspected duplicates a reviewer looked at and kept both of ("not a duplicate"). A dismissed
-- pair is never flagged again, in either direction, whatever the next syncs bring.
CREATE TABLE duplicate_dismissals (
    document_id  TEXT NOT NULL,             -- the document the reviewer was looking at
    other_id     TEXT NOT NULL,             -- its suspected twin
    actor        TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, other_id)
);
