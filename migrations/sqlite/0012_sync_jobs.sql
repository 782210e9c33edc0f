-- Sync runs are jobs: a queued run is claimed by one instance, which holds it with a lease it
-- renews (its heartbeat) while the run goes on. A run whose lease ran out (its instance stopped)
-- goes back to the queue, up to a few attempts.
ALTER TABLE sync_runs ADD COLUMN lease_holder TEXT;
ALTER TABLE sync_runs ADD COLUMN lease_until BIGINT;
ALTER TABLE sync_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- How far a running run is (phase, pages fetched, users processed), JSON written by the application.
ALTER TABLE sync_runs ADD COLUMN progress TEXT;
-- Workers take the oldest queued run first; the reaper looks for running runs.
CREATE INDEX sync_runs_jobs ON sync_runs (status, queued_at, id);

-- When the scheduler queues this connection's next sync (Unix milliseconds). NULL: not worked out
-- yet (the scheduler computes it from the sync settings on its next tick).
ALTER TABLE tenant_connections ADD COLUMN next_sync_at BIGINT;
CREATE INDEX tenant_connections_next_sync ON tenant_connections (next_sync_at);
-- Incremental syncs: the deltaLink that lists the changes since the last complete round, and when
-- the last complete listing (a full reconciliation) happened.
ALTER TABLE tenant_connections ADD COLUMN delta_link TEXT;
ALTER TABLE tenant_connections ADD COLUMN full_listing_at BIGINT;
-- A delta run reads an organization's unlinked contacts (new users may match them) without
-- walking its linked ones.
CREATE INDEX contacts_unlinked ON contacts (workspace_id, organization_id) WHERE object_id IS NULL;
-- A plan records the latest change of the organization's contacts (read from this index alone).
CREATE INDEX contacts_latest_change ON contacts (workspace_id, organization_id, updated_at);
-- The contacts list sorted by last change, paged by keyset.
CREATE INDEX contacts_recent ON contacts (workspace_id, updated_at, id);
-- The contacts list's rarer filters read only their own contacts, in list order.
CREATE INDEX contacts_with_conflicts ON contacts (workspace_id, sort_key, id) WHERE conflicts > 0;
CREATE INDEX contacts_deleted ON contacts (workspace_id, sort_key, id) WHERE deleted_in_entra = TRUE;
CREATE INDEX contacts_not_linked ON contacts (workspace_id, sort_key, id) WHERE object_id IS NULL;
