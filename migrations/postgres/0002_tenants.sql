-- Organizations (the MSP's customers), tenant connections (a customer's Entra app registration)
-- and connect drafts (the wizard's state between "Check connection" and "Save connection", so a
-- secret never has to travel back to the browser). Secrets are AES-256-GCM sealed; only the
-- ciphertext and the id of the key that sealed it are stored.

CREATE TABLE organizations (
    id             UUID PRIMARY KEY NOT NULL,
    workspace_id   UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    primary_domain TEXT,
    domains        TEXT NOT NULL,
    website        TEXT,
    notes          TEXT NOT NULL,
    tenant_id      TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (workspace_id, name_key)
);

CREATE TABLE tenant_connections (
    id                UUID PRIMARY KEY NOT NULL,
    workspace_id      UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    organization_id   UUID REFERENCES organizations(id) ON DELETE SET NULL,
    tenant            TEXT NOT NULL,
    tenant_id         TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    secret_key_id     TEXT NOT NULL,
    secret_blob       BYTEA NOT NULL,
    secret_expires_on TEXT,
    display_name      TEXT,
    verified_domains  TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('never', 'ok', 'failing')),
    status_detail     TEXT,
    last_check_at     BIGINT,
    last_check        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (workspace_id, tenant_id)
);
-- An organization has at most one tenant connection.
CREATE UNIQUE INDEX tenant_connections_org ON tenant_connections(organization_id) WHERE organization_id IS NOT NULL;

CREATE TABLE connect_drafts (
    id                UUID PRIMARY KEY NOT NULL,
    workspace_id      UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    member_id         UUID NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    connection_id     UUID REFERENCES tenant_connections(id) ON DELETE CASCADE,
    organization_id   UUID REFERENCES organizations(id) ON DELETE SET NULL,
    tenant            TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    secret_key_id     TEXT NOT NULL,
    secret_blob       BYTEA NOT NULL,
    secret_expires_on TEXT,
    tenant_id         TEXT,
    last_check        TEXT,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL
);
