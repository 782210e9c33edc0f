-- The contact review queue: users a sync could not match with certainty (two candidates under a
-- rule, or a contact two users would take), and new users under the "review" policy. One row per
-- user of a connection; a decision (linked, created, ignored) is remembered, so an ignored user
-- stays ignored across syncs. `user_data` and `reason` are JSON written by the application.
CREATE TABLE contact_review (
    workspace_id  BLOB NOT NULL,
    connection_id BLOB NOT NULL,
    object_id     TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    user_data     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    preselected   BOOLEAN NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'linked', 'created', 'ignored')),
    run_id        BLOB,
    decided_by    TEXT,
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, object_id),
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_review_open ON contact_review (workspace_id, status, display_name, object_id);
