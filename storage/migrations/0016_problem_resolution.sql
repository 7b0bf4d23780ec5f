-- How a record kept as a problem stopped being open (`resolved`), when, and by whom:
-- 'stored': the source sent the record again and it became a document;
-- 'superseded': the source sent it again, still unreadable: the newer row is the open one;
-- 'dismissed': a reviewer marked it handled (console Revue, `ecluse review dismiss-problems`).
ALTER TABLE problems ADD COLUMN resolution TEXT;
ALTER TABLE problems ADD COLUMN resolved_at TIMESTAMPTZ;
ALTER TABLE problems ADD COLUMN resolved_by TEXT;
ALTER TABLE problems ADD COLUMN resolved_reason TEXT;  -- a reviewer's word on a dismissal
CREATE OR REPLACE VIEW reports.problems AS
SELECT id, connection, source_id, message, said, raw, recorded_at, resolved, resolution, resolved_at, resolved_by,
       resolved_reason
FROM main.problems;
