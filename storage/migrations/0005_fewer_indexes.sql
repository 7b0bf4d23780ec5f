-- DuckDB keeps every ART index in memory and writes it out again at each checkpoint; inserts
-- pay for each one too. A columnar scan finds a document's lines, findings or audit rows in
-- milliseconds, so only the keys that upserts need stay indexed (documents.id,
-- counterparties.id, ...). The sync writes a page of 2,000 invoices with ~8,000 lines and
-- ~6,000 findings: these five indexes were most of its commit time.
DROP INDEX documents_status;
DROP INDEX documents_connection;
DROP INDEX findings_document;
DROP INDEX audit_document;

-- Lines: their (document_id, position) key was an index too; ingest deletes a document's
-- lines before writing them again, so it stays unique without one.
CREATE TABLE lines_v5 (
    document_id        TEXT NOT NULL,
    position           INTEGER NOT NULL,
    label              TEXT,
    quantity           DECIMAL(18, 6),
    unit_price         DECIMAL(18, 6),
    amount_before_tax  DECIMAL(18, 2),
    tax                DECIMAL(18, 2),
    amount             DECIMAL(18, 2),
    vat_rate           DECIMAL(6, 3),      -- percent
    accounting_hint    TEXT,
    vat_code           TEXT
);
INSERT INTO lines_v5 SELECT * FROM lines ORDER BY document_id, position;
DROP TABLE lines;
ALTER TABLE lines_v5 RENAME TO lines;

-- Audit: append-only, its ids come from audit_seq.
CREATE TABLE audit_v5 (
    id           BIGINT NOT NULL DEFAULT nextval('audit_seq'),
    recorded_at  TIMESTAMPTZ NOT NULL,
    actor        TEXT NOT NULL,
    document_id  TEXT,
    action       TEXT NOT NULL,            -- fetched | changed | approve | reject | hold | fix | ...
    field        TEXT,
    old_value    JSON,
    new_value    JSON,
    reason       TEXT
);
INSERT INTO audit_v5 SELECT * FROM audit ORDER BY id;
DROP TABLE audit;
ALTER TABLE audit_v5 RENAME TO audit;
