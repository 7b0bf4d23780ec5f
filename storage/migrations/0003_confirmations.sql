-- What Pennylane holds for each sent document, read back by `ecluse confirm`.
CREATE TABLE confirmations (
    document_id       TEXT PRIMARY KEY,
    checked_at        TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL,        -- confirmed | amount_mismatch | missing | changed
    pennylane_amount  DECIMAL(18, 2),       -- currency_amount as Pennylane has it
    expected_amount   DECIMAL(18, 2),       -- what Écluse sent
    message           TEXT
);

CREATE OR REPLACE VIEW reports.confirmations AS
SELECT document_id, checked_at, status, pennylane_amount, expected_amount, message FROM main.confirmations;
