-- The values a finding's message names (JSON text, Finding.params), so the console can give
-- the message in the reviewer's language. NULL for findings written before: shown as stored.
ALTER TABLE findings ADD COLUMN params TEXT;
