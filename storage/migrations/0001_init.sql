-- Écluse cache, first schema. Money is DECIMAL, never DOUBLE.

CREATE TABLE sync_state (
    connection   TEXT PRIMARY KEY,
    state        JSON NOT NULL,          -- the connector's last committed Checkpoint
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE SEQUENCE sync_run_seq;
CREATE TABLE sync_runs (
    id           BIGINT PRIMARY KEY DEFAULT nextval('sync_run_seq'),
    connection   TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       TEXT NOT NULL,          -- running | ok | failed
    fetched      INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    problems     INTEGER NOT NULL DEFAULT 0,
    attachments  INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    actor        TEXT,
    pid          INTEGER
);

CREATE TABLE counterparties (
    id             TEXT PRIMARY KEY,     -- connection:role:source_id
    connection     TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    role           TEXT NOT NULL,        -- customer | supplier
    name           TEXT,
    vat_number     TEXT,
    siren          TEXT,
    siret          TEXT,
    street         TEXT,
    postal_code    TEXT,
    city           TEXT,
    country_alpha2 TEXT,
    address_raw    TEXT,
    email          TEXT,
    is_individual  BOOLEAN NOT NULL DEFAULT false,
    pennylane_id   BIGINT,
    updated_at     TIMESTAMPTZ
);

CREATE TABLE documents (
    id                   TEXT PRIMARY KEY,   -- connection:source_id
    connection           TEXT NOT NULL,
    source_id            TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    number               TEXT,
    issue_date           DATE,
    due_date             DATE,
    currency             TEXT NOT NULL,
    total_before_tax     DECIMAL(18, 2),
    total_tax            DECIMAL(18, 2),
    total                DECIMAL(18, 2),
    counterparty_id      TEXT,
    attachment_sha256    TEXT,
    attachment_filename  TEXT,
    attachment_pending   BOOLEAN NOT NULL DEFAULT false,
    credited_source_id   TEXT,
    category_hint        TEXT,
    source_updated_at    TIMESTAMPTZ,
    raw                  JSON,               -- the source payload, kept for audit
    snapshot             JSON NOT NULL,      -- normalized fields, to report what changed
    content_hash         TEXT NOT NULL,
    status               TEXT NOT NULL,
    status_reason        TEXT,
    changed              JSON,               -- field -> [before, after] of the last source change
    changed_after_sending BOOLEAN NOT NULL DEFAULT false,
    error_count          INTEGER NOT NULL DEFAULT 0,
    warning_count        INTEGER NOT NULL DEFAULT 0,
    pennylane_id         BIGINT,
    pennylane_url        TEXT,
    sent_at              TIMESTAMPTZ,
    first_seen_at        TIMESTAMPTZ NOT NULL,
    fetched_at           TIMESTAMPTZ NOT NULL,
    status_changed_at    TIMESTAMPTZ NOT NULL,
    sync_run_id          BIGINT
);
CREATE INDEX documents_status ON documents (status);
CREATE INDEX documents_connection ON documents (connection);

CREATE TABLE lines (
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
    vat_code           TEXT,
    PRIMARY KEY (document_id, position)
);

CREATE TABLE findings (
    document_id  TEXT NOT NULL,
    code         TEXT NOT NULL,
    severity     TEXT NOT NULL,            -- error | warning
    message      TEXT NOT NULL,
    field        TEXT,
    origin       TEXT NOT NULL             -- connector | validation | duplicates
);
CREATE INDEX findings_document ON findings (document_id);

CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    filename    TEXT,
    media_type  TEXT,
    size        BIGINT NOT NULL,
    stored_at   TIMESTAMPTZ NOT NULL
);

-- Records a connector could not normalize at all: kept with their payload, never dropped.
CREATE SEQUENCE problem_seq;
CREATE TABLE problems (
    id           BIGINT PRIMARY KEY DEFAULT nextval('problem_seq'),
    connection   TEXT NOT NULL,
    source_id    TEXT,
    message      TEXT NOT NULL,
    raw          JSON,
    sync_run_id  BIGINT,
    recorded_at  TIMESTAMPTZ NOT NULL,
    resolved     BOOLEAN NOT NULL DEFAULT false
);

CREATE SEQUENCE audit_seq;
CREATE TABLE audit (
    id           BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    recorded_at  TIMESTAMPTZ NOT NULL,
    actor        TEXT NOT NULL,
    document_id  TEXT,
    action       TEXT NOT NULL,            -- fetched | changed | approve | reject | hold | fix | ...
    field        TEXT,
    old_value    JSON,
    new_value    JSON,
    reason       TEXT
);
CREATE INDEX audit_document ON audit (document_id);

-- Reviewer fixes, applied over the source's values until the source changes that field.
CREATE TABLE overrides (
    document_id   TEXT NOT NULL,
    field         TEXT NOT NULL,
    value         JSON,
    source_value  JSON,                    -- the source's value when the fix was made
    actor         TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, field)
);

CREATE SEQUENCE batch_seq;
CREATE TABLE batches (
    id           BIGINT PRIMARY KEY DEFAULT nextval('batch_seq'),
    created_at   TIMESTAMPTZ NOT NULL,
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    status       TEXT NOT NULL,            -- running | done | failed | interrupted
    dry_run      BOOLEAN NOT NULL,
    actor        TEXT NOT NULL,
    pid          INTEGER,
    sent         INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    held         INTEGER NOT NULL DEFAULT 0,
    note         TEXT
);

CREATE TABLE batch_items (
    batch_id           BIGINT NOT NULL,
    document_id        TEXT NOT NULL,
    state              TEXT NOT NULL,      -- pending | counterparty | attachment | importing | sent | failed | held
    counterparty_pl_id BIGINT,
    attachment_pl_id   BIGINT,
    invoice_pl_id      BIGINT,
    external_reference TEXT,
    error              TEXT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (batch_id, document_id)
);
