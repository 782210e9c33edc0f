-- CSV imports. A file uploaded for import is kept as a draft (its decoded text and the column
-- mapping chosen) until it is confirmed, discarded or expires, so nothing is written before a
-- person has seen the preview. The mapping chosen for a file layout (its column names) is
-- remembered per workspace and offered again for the next file of that layout. `mapping` is JSON
-- written by the application.
CREATE TABLE import_drafts (
    id           BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    member_id    BLOB NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('organizations', 'contacts')),
    file_name    TEXT NOT NULL,
    content      TEXT NOT NULL,
    mapping      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX import_drafts_expiry ON import_drafts (expires_at);

CREATE TABLE import_layouts (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    layout_key   TEXT NOT NULL,
    mapping      TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, kind, layout_key)
);

-- An organization's (or a tenant's) own domains, by owner: replacing them on save must not scan
-- every domain of the workspace (which the index by domain would).
CREATE INDEX organization_domains_owner ON organization_domains (workspace_id, organization_id, ordinal);
CREATE INDEX tenant_domains_owner ON tenant_domains (workspace_id, connection_id, ordinal);
