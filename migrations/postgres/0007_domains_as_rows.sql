-- Organization and tenant domains as rows instead of JSON arrays, so matching can join on them.
-- Domains are stored normalized (lower case, IDNA ASCII form) by the application. An
-- organization's domain at ordinal 0 is its primary domain, evidence for matching a tenant, so it
-- belongs to at most one organization of a workspace. Tenant domains are the verified domains
-- Microsoft reported at the connection's last check.
CREATE TABLE organization_domains (
    workspace_id    UUID NOT NULL,
    organization_id UUID NOT NULL,
    domain          TEXT NOT NULL,
    ordinal         INTEGER NOT NULL CHECK (ordinal >= 0),
    PRIMARY KEY (organization_id, domain),
    UNIQUE (organization_id, ordinal),
    FOREIGN KEY (workspace_id, organization_id) REFERENCES organizations (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX organization_domains_primary ON organization_domains (workspace_id, domain) WHERE ordinal = 0;
CREATE INDEX organization_domains_domain ON organization_domains (workspace_id, domain, organization_id);

CREATE TABLE tenant_domains (
    workspace_id  UUID NOT NULL,
    connection_id UUID NOT NULL,
    domain        TEXT NOT NULL,
    ordinal       INTEGER NOT NULL CHECK (ordinal >= 0),
    PRIMARY KEY (connection_id, domain),
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX tenant_domains_domain ON tenant_domains (workspace_id, domain, connection_id);

INSERT INTO organization_domains (workspace_id, organization_id, domain, ordinal)
    SELECT o.workspace_id, o.id, d.domain, (d.n - 1)::INTEGER
    FROM organizations o, json_array_elements_text(o.domains::json) WITH ORDINALITY AS d(domain, n)
    ON CONFLICT DO NOTHING;
INSERT INTO tenant_domains (workspace_id, connection_id, domain, ordinal)
    SELECT c.workspace_id, c.id, d.domain, (d.n - 1)::INTEGER
    FROM tenant_connections c, json_array_elements_text(c.verified_domains::json) WITH ORDINALITY AS d(domain, n)
    ON CONFLICT DO NOTHING;

DROP INDEX organizations_primary_domain;
ALTER TABLE organizations DROP COLUMN primary_domain;
ALTER TABLE organizations DROP COLUMN domains;
ALTER TABLE tenant_connections DROP COLUMN verified_domains;
