-- Tenant facts. Every successful sync writes one snapshot of its tenant (Secure Score, licences,
-- licensed and active users, MFA coverage), and snapshots are never updated: they are the
-- history. A fact Roster could not read is NULL in its column and carries the reason in
-- `details` (JSON written by the application, with the SKUs, the per-control scores and the
-- state of every source), so "unknown" is never stored as zero.
CREATE TABLE tenant_snapshots (
    id                 BLOB PRIMARY KEY NOT NULL,
    workspace_id       BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    connection_id      BLOB NOT NULL,
    run_id             BLOB,
    taken_at           BIGINT NOT NULL,
    score_current      REAL,
    score_max          REAL,
    members            INTEGER,
    licensed_users     INTEGER,
    active_users       INTEGER,
    active_source      TEXT,
    mfa_registered     INTEGER,
    mfa_not_registered INTEGER,
    mfa_unknown        INTEGER,
    unassigned_units   INTEGER,
    details            TEXT NOT NULL,
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX tenant_snapshots_latest ON tenant_snapshots (workspace_id, connection_id, taken_at);

-- Secure Score by day, as Microsoft keeps it (about 90 days back), so a newly connected tenant
-- has a trend at once; days older than Microsoft's window stay here.
CREATE TABLE secure_score_days (
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    connection_id BLOB NOT NULL,
    day           TEXT NOT NULL,
    current_score REAL NOT NULL,
    max_score     REAL NOT NULL,
    PRIMARY KEY (workspace_id, connection_id, day),
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id) ON DELETE CASCADE
);

-- Each Entra user's overlay, keyed like a contact's link (tenant ID, object ID). Every source has
-- its own columns and the time it was last read (`*_at`): a source that could not be read in a
-- run leaves its columns as they were, so a failure never turns a known value into "unknown".
-- `*_at` NULL means the source was never read for this user (unknown). `licences` is a JSON array
-- of SKU ids; `mailbox` and `devices` are JSON. Lists narrow contacts by these columns through the
-- key (a contact's link), so no other index is needed.
CREATE TABLE entra_user_facts (
    workspace_id         BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    tenant_id            TEXT NOT NULL,
    object_id            TEXT NOT NULL,
    directory_at         BIGINT,
    account_enabled      BOOLEAN,
    licences             TEXT,
    licensed             BOOLEAN,
    business_tier        TEXT,
    password_changed_at  BIGINT,
    sign_in_at           BIGINT,
    last_sign_in         BIGINT,
    last_non_interactive BIGINT,
    last_seen            BIGINT,
    mfa_at               BIGINT,
    mfa                  TEXT CHECK (mfa IN ('registered', 'not_registered')),
    mfa_methods          TEXT,
    default_method       TEXT,
    is_admin             BOOLEAN,
    activity_at          BIGINT,
    last_activity        TEXT,
    mailbox_at           BIGINT,
    mailbox              TEXT,
    devices_at           BIGINT,
    devices              TEXT,
    PRIMARY KEY (workspace_id, tenant_id, object_id)
);
