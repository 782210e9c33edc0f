-- A row that points at another row points into its own workspace: the references carry the
-- workspace id, so the database itself refuses a connection, draft or membership reference that
-- crosses workspaces, whatever the application code does.
ALTER TABLE organizations ADD CONSTRAINT organizations_workspace_row UNIQUE (workspace_id, id);
ALTER TABLE tenant_connections ADD CONSTRAINT tenant_connections_workspace_row UNIQUE (workspace_id, id);
ALTER TABLE members ADD CONSTRAINT members_workspace_row UNIQUE (workspace_id, id);

ALTER TABLE tenant_connections
    ADD CONSTRAINT tenant_connections_organization_in_workspace
    FOREIGN KEY (workspace_id, organization_id) REFERENCES organizations (workspace_id, id)
    ON DELETE SET NULL (organization_id);
ALTER TABLE connect_drafts
    ADD CONSTRAINT connect_drafts_organization_in_workspace
    FOREIGN KEY (workspace_id, organization_id) REFERENCES organizations (workspace_id, id)
    ON DELETE SET NULL (organization_id);
ALTER TABLE connect_drafts
    ADD CONSTRAINT connect_drafts_connection_in_workspace
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id)
    ON DELETE CASCADE;
ALTER TABLE connect_drafts
    ADD CONSTRAINT connect_drafts_member_in_workspace
    FOREIGN KEY (workspace_id, member_id) REFERENCES members (workspace_id, id)
    ON DELETE CASCADE;
