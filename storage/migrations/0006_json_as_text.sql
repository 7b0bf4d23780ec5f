-- The cache's JSON columns hold text our own encoder wrote (domain.json_compact): DuckDB's
-- JSON type parsed every value again on insert to validate it, a tenth of a sync's write
-- time (and a connector's state, stored with every page, can hold thousands of clients).
-- As text they read the same, and DuckDB's JSON functions take text.
ALTER TABLE documents ALTER raw TYPE TEXT;
ALTER TABLE documents ALTER snapshot TYPE TEXT;
ALTER TABLE documents ALTER changed TYPE TEXT;
ALTER TABLE sync_state ALTER state TYPE TEXT;
