-- A tenant ID and a primary domain recorded on an organization are evidence for matching tenants to
-- organizations, so each belongs to at most one organization of a workspace. Both are stored
-- normalized (lower case, trimmed; domains in their IDNA ASCII form) by the application.
CREATE UNIQUE INDEX organizations_tenant_id ON organizations (workspace_id, tenant_id);
CREATE UNIQUE INDEX organizations_primary_domain ON organizations (workspace_id, primary_domain);
