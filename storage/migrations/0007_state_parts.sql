-- A connector's state is written with every page. The Harvest connector's holds every client
-- (a megabyte for 5,000 clients) next to a cursor that moves each page: stored as one text,
-- the same megabyte went through the log and the checkpoints fifty times in a 100k-invoice
-- sync. A large top-level value now lives in a row of its own, written only when it changed
-- (storage/state.py); `sync_state.state` keeps the rest.
CREATE TABLE sync_state_parts (
    connection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (connection, key)
);
