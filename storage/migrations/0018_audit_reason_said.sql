-- What an automatic reason says in the reader's language (JSON text {"code", "params"}, said
-- from the `said.<code>` templates): approving all valid documents, a rejection as a
-- duplicate, a pair kept or suspected again, a failed send. The English `reason` stays for
-- the CLI. NULL for a person's own words and for rows written before this migration, which
-- keep showing their reason as stored.
ALTER TABLE audit ADD COLUMN reason_said TEXT;

-- Reports: before and after as plain values. A JSON string is decoded (to_review, where the
-- CSV showed "to_review" quoted twice), JSON null is NULL; numbers, objects and lists keep
-- their JSON text. With `reason_said`, a report that selects `reason` says it in the reader's
-- language (services.reports.presented).
CREATE OR REPLACE VIEW reports.audit AS
SELECT id, recorded_at, actor, document_id, action, field,
       CASE json_type(old_value) WHEN 'VARCHAR' THEN old_value ->> '$' WHEN 'NULL' THEN NULL
            ELSE CAST(old_value AS TEXT) END AS old_value,
       CASE json_type(new_value) WHEN 'VARCHAR' THEN new_value ->> '$' WHEN 'NULL' THEN NULL
            ELSE CAST(new_value AS TEXT) END AS new_value,
       reason, reason_said
FROM main.audit;
