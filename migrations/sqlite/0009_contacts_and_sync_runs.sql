-- Contacts (people at an organization, synced from Entra or entered by hand), the provenance of
-- their synced fields, their contact groups and events, and sync runs.
--
-- A contact is linked to at most one Entra user by (tenant ID, object ID), unique per workspace.
-- `sort_key` is the display name folded for sorting; `email_key` the email in lower case; both
-- are written by the application. The provenance of the synced fields is kept compactly, since
-- it is read and written for every contact of every sync: `synced_fields` has bit i set when
-- field i holds exactly the value Roster last took from Entra (the usual case); `field_notes` is
-- JSON for the few fields that differ from that (the last value taken from Entra, whether a person
-- set the value by hand, Entra's value while it conflicts with a hand edit), NULL when there are
-- none. `conflicts` counts the fields in conflict.
CREATE TABLE contacts (
    id               BLOB PRIMARY KEY NOT NULL,
    workspace_id     BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    organization_id  BLOB NOT NULL,
    tenant_id        TEXT,
    object_id        TEXT,
    display_name     TEXT,
    first_name       TEXT,
    last_name        TEXT,
    email            TEXT,
    job_title        TEXT,
    department       TEXT,
    company          TEXT,
    business_phone   TEXT,
    mobile_phone     TEXT,
    street1          TEXT,
    street2          TEXT,
    city             TEXT,
    state            TEXT,
    postal_code      TEXT,
    country          TEXT,
    upn              TEXT,
    sort_key         TEXT NOT NULL,
    email_key        TEXT,
    deleted_in_entra BOOLEAN NOT NULL,
    disabled         BOOLEAN NOT NULL,
    conflicts        INTEGER NOT NULL CHECK (conflicts >= 0),
    synced_fields    BIGINT NOT NULL,
    field_notes      TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (workspace_id, id),
    CHECK ((tenant_id IS NULL) = (object_id IS NULL)),
    FOREIGN KEY (workspace_id, organization_id) REFERENCES organizations (workspace_id, id)
);
CREATE UNIQUE INDEX contacts_entra_link ON contacts (workspace_id, tenant_id, object_id) WHERE object_id IS NOT NULL;
CREATE INDEX contacts_page ON contacts (workspace_id, sort_key, id);
CREATE INDEX contacts_organization_page ON contacts (workspace_id, organization_id, sort_key, id);
CREATE INDEX contacts_email ON contacts (workspace_id, email_key);

CREATE TABLE contact_groups (
    workspace_id BLOB NOT NULL,
    contact_id   BLOB NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (contact_id, name),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_groups_name ON contact_groups (workspace_id, name);

CREATE TABLE contact_events (
    id           BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    contact_id   BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('created', 'linked', 'changed', 'renamed', 'email_changed',
                     'upn_changed', 'flagged_deleted', 'reactivated', 'flagged_disabled', 'enabled',
                     'conflict', 'edited')),
    detail       TEXT NOT NULL,
    run_id       BLOB,
    actor        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_events_contact ON contact_events (workspace_id, contact_id, created_at, id);

-- One execution of a sync for one connection. `counts`, `plan` (kept while a run is held or as
-- a preview) and `error` are JSON written by the application.
CREATE TABLE sync_runs (
    id            BLOB PRIMARY KEY NOT NULL,
    workspace_id  BLOB NOT NULL,
    connection_id BLOB NOT NULL,
    trigger       TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'new_connection')),
    requested_by  TEXT NOT NULL,
    preview       BOOLEAN NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'held', 'succeeded', 'failed', 'discarded')),
    queued_at     BIGINT NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT,
    counts        TEXT,
    plan          TEXT,
    error         TEXT,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_runs_page ON sync_runs (workspace_id, queued_at, id);
CREATE INDEX sync_runs_connection ON sync_runs (workspace_id, connection_id, queued_at, id);
-- At most one run per connection is waiting or running (pressing Sync now twice queues one).
CREATE UNIQUE INDEX sync_runs_one_active ON sync_runs (connection_id) WHERE status IN ('queued', 'running') AND preview = FALSE;

-- A connection's sync settings (scope, filters, policy, guard), JSON written by the application;
-- NULL means the defaults.
ALTER TABLE tenant_connections ADD COLUMN sync_settings TEXT;
