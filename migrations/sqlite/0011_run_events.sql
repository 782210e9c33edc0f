-- A run's page lists the contact events the run caused.
CREATE INDEX contact_events_run ON contact_events (workspace_id, run_id, created_at, id);
