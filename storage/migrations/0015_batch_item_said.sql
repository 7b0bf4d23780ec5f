-- What a failed send says in the console's language (JSON text {"code", "params"}; NULL for
-- items written before, or held ones): the English `error` stays for the CLI and the log.
ALTER TABLE batch_items ADD COLUMN error_said TEXT;
