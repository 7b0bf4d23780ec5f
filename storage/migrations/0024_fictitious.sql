-- Documents a connector made up (Connector.fictitious: the demo): never sent to Pennylane's own
-- API. Set by the sync for the connection's documents, kept when the connection is removed.
ALTER TABLE documents ADD COLUMN fictitious BOOLEAN DEFAULT false;
