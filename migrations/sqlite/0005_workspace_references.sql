-- A row that points at another row points into its own workspace. PostgreSQL enforces this with
-- composite foreign keys; SQLite cannot add constraints to existing tables (and rebuilding them
-- would fire the ON DELETE actions of the rows that reference them), so triggers refuse an
-- insert or update whose reference crosses workspaces.
CREATE UNIQUE INDEX organizations_workspace_row ON organizations (workspace_id, id);
CREATE UNIQUE INDEX tenant_connections_workspace_row ON tenant_connections (workspace_id, id);
CREATE UNIQUE INDEX members_workspace_row ON members (workspace_id, id);

CREATE TRIGGER tenant_connections_organization_in_workspace_insert
BEFORE INSERT ON tenant_connections
WHEN NEW.organization_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM organizations WHERE id = NEW.organization_id AND workspace_id = NEW.workspace_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: organization of another workspace');
END;
CREATE TRIGGER tenant_connections_organization_in_workspace_update
BEFORE UPDATE OF organization_id, workspace_id ON tenant_connections
WHEN NEW.organization_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM organizations WHERE id = NEW.organization_id AND workspace_id = NEW.workspace_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: organization of another workspace');
END;

CREATE TRIGGER connect_drafts_references_in_workspace_insert
BEFORE INSERT ON connect_drafts
WHEN (NEW.organization_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM organizations WHERE id = NEW.organization_id AND workspace_id = NEW.workspace_id))
  OR (NEW.connection_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM tenant_connections WHERE id = NEW.connection_id AND workspace_id = NEW.workspace_id))
  OR NOT EXISTS (
        SELECT 1 FROM members WHERE id = NEW.member_id AND workspace_id = NEW.workspace_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: reference into another workspace');
END;
CREATE TRIGGER connect_drafts_references_in_workspace_update
BEFORE UPDATE OF organization_id, connection_id, member_id, workspace_id ON connect_drafts
WHEN (NEW.organization_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM organizations WHERE id = NEW.organization_id AND workspace_id = NEW.workspace_id))
  OR (NEW.connection_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM tenant_connections WHERE id = NEW.connection_id AND workspace_id = NEW.workspace_id))
  OR NOT EXISTS (
        SELECT 1 FROM members WHERE id = NEW.member_id AND workspace_id = NEW.workspace_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: reference into another workspace');
END;
