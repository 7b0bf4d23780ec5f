-- A record kept as a problem says why as a code and its values too (JSON text,
-- connectors.Said), so the console can give it in its user's language; `message` keeps the
-- English text. NULL: `message` as is.
ALTER TABLE problems ADD COLUMN said TEXT;
