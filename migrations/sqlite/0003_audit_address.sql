-- The client address a person acted from, recorded with each audit event (NULL for the command line and the system).
ALTER TABLE audit_events ADD COLUMN client_address TEXT;
