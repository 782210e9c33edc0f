-- Matching tenants to organizations.
--
-- Organizations gain aliases (a JSON array of other names, written by the application), the ID
-- the MSP's PSA gives them, and archiving: an archived organization keeps its history but drops
-- out of suggestions and automatic matches.
ALTER TABLE organizations ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';
ALTER TABLE organizations ADD COLUMN external_id TEXT;
ALTER TABLE organizations ADD COLUMN archived_at BIGINT;
CREATE UNIQUE INDEX organizations_external_id ON organizations (workspace_id, external_id) WHERE external_id IS NOT NULL;

-- How a connection came to its organization ('tenant_id' or 'primary_domain' automatically;
-- 'accepted', 'chosen', 'created' or 'wizard' by a person), when, and whether a person chose to
-- leave the tenant unmatched (ignored tenants stay out of the review list across syncs).
ALTER TABLE tenant_connections ADD COLUMN matched_how TEXT;
ALTER TABLE tenant_connections ADD COLUMN matched_at BIGINT;
ALTER TABLE tenant_connections ADD COLUMN match_ignored_at BIGINT;

-- Every matching decision, automatic or by a person, with the score and the reasons shown at the
-- time. Undone matches are remembered here, so the pair is not suggested back without a note.
CREATE TABLE match_decisions (
    id                UUID PRIMARY KEY NOT NULL,
    workspace_id      UUID NOT NULL,
    connection_id     UUID NOT NULL,
    tenant_name       TEXT NOT NULL,
    organization_id   UUID,
    organization_name TEXT,
    action            TEXT NOT NULL CHECK (action IN ('matched_automatically', 'accepted', 'matched',
                          'created', 'ignored', 'unignored', 'undone')),
    score             DOUBLE PRECISION,
    reasons           TEXT NOT NULL,
    actor_user_id     UUID,
    actor             TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    FOREIGN KEY (workspace_id, connection_id) REFERENCES tenant_connections (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX match_decisions_connection ON match_decisions (workspace_id, connection_id, created_at);
CREATE INDEX match_decisions_organization ON match_decisions (workspace_id, organization_id, created_at);
