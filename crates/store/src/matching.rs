//! Matching tenants to organizations: what the matcher reads, the certain matches the database
//! can find by itself, the match on each connection, and the record of every decision.

use crate::db::{Db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use roster_domain::{ConnectionId, OrganizationId};
use std::collections::HashMap;
use uuid::Uuid;

/// An organization as the matcher reads it (archived ones are left out).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MatchOrganization {
    pub id: Uuid,
    pub name: String,
    #[sqlx(rename = "aliases")]
    pub aliases_json: String,
    pub website: Option<String>,
    pub tenant_id: Option<String>,
    /// The tenant connection already matched to it.
    pub connection_id: Option<Uuid>,
    #[sqlx(skip)]
    pub domains: Vec<String>,
    /// Domains of its contacts' addresses, with how many contacts use each.
    #[sqlx(skip)]
    pub contact_domains: Vec<(String, u32)>,
}

impl MatchOrganization {
    pub fn aliases(&self) -> Vec<String> {
        serde_json::from_str(&self.aliases_json).unwrap_or_default()
    }
}

/// A tenant connection as matching sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MatchTenant {
    pub id: Uuid,
    pub tenant_id: String,
    pub tenant: String,
    pub display_name: Option<String>,
    pub status: String,
    pub organization_id: Option<Uuid>,
    pub organization_name: Option<String>,
    pub matched_how: Option<String>,
    pub matched_at: Option<i64>,
    pub match_ignored_at: Option<i64>,
    #[sqlx(skip)]
    pub domains: Vec<String>,
}

/// A match the database finds on certain evidence: the organization records the tenant's ID
/// (`how` = "tenant_id") or has one of its verified domains as its primary domain
/// ("primary_domain"); `evidence` is that ID or domain.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CertainMatch {
    pub connection_id: Uuid,
    pub organization_id: Uuid,
    pub how: String,
    pub evidence: String,
}

/// One recorded decision.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MatchDecisionRow {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub tenant_name: String,
    pub organization_id: Option<Uuid>,
    pub organization_name: Option<String>,
    pub action: String,
    pub score: Option<f64>,
    pub reasons: String,
    pub actor: String,
    pub created_at: i64,
}

/// A decision to record.
#[derive(Clone, Debug)]
pub struct NewMatchDecision<'a> {
    pub connection_id: ConnectionId,
    pub tenant_name: &'a str,
    pub organization_id: Option<OrganizationId>,
    pub organization_name: Option<&'a str>,
    /// One of matched_automatically, accepted, matched, created, ignored, unignored, undone.
    pub action: &'a str,
    pub score: Option<f64>,
    pub reasons: &'a str,
    pub actor_user_id: Option<Uuid>,
    pub actor: &'a str,
}

/// Whose decisions to list.
#[derive(Clone, Copy, Debug)]
pub enum DecisionsOf {
    Connection(ConnectionId),
    Organization(OrganizationId),
}

#[derive(sqlx::FromRow)]
struct DomainCount {
    organization_id: Uuid,
    domain: String,
    contacts: i64,
}

#[derive(sqlx::FromRow)]
struct Owned {
    owner: Uuid,
    domain: String,
}

#[derive(sqlx::FromRow)]
struct Pair {
    connection_id: Uuid,
    organization_id: Uuid,
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

/// The domain part of a contact's address, in each dialect.
fn contact_domain_sql(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => {
            "SELECT organization_id, substr(email_key, instr(email_key, '@') + 1) AS domain, COUNT(*) AS contacts \
             FROM contacts WHERE workspace_id = $1 AND email_key LIKE '%@%' AND deleted_in_entra = FALSE \
             GROUP BY organization_id, substr(email_key, instr(email_key, '@') + 1)"
        }
        Db::Postgres(_) => {
            "SELECT organization_id, split_part(email_key, '@', 2) AS domain, COUNT(*) AS contacts \
             FROM contacts WHERE workspace_id = $1 AND email_key LIKE '%@%' AND deleted_in_entra = FALSE \
             GROUP BY organization_id, split_part(email_key, '@', 2)"
        }
    }
}

/// The conditions under which a certain match is made: the tenant is unmatched and not ignored,
/// the organization is not archived and has no tenant, and nobody undid this very match.
const CERTAIN_WHERE: &str = "c.workspace_id = $1 AND c.organization_id IS NULL AND c.match_ignored_at IS NULL \
     AND o.archived_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM tenant_connections x WHERE x.workspace_id = o.workspace_id AND x.organization_id = o.id) \
     AND NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.workspace_id = c.workspace_id \
         AND d.connection_id = c.id AND d.organization_id = o.id AND d.action = 'undone')";

impl WorkspaceScope<'_> {
    /// The organizations suggestions may name: every one not archived, with its domains, aliases
    /// and its contacts' address domains.
    pub async fn matching_organizations(&self) -> Result<Vec<MatchOrganization>> {
        let ws = self.workspace_id.as_uuid();
        let mut rows = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, MatchOrganization>(
            "SELECT o.id, o.name, o.aliases, o.website, o.tenant_id, c.id AS connection_id \
             FROM organizations o LEFT JOIN tenant_connections c ON c.workspace_id = o.workspace_id AND c.organization_id = o.id \
             WHERE o.workspace_id = $1 AND o.archived_at IS NULL ORDER BY o.name_key, o.id"
        )
        .bind(ws)
        .fetch_all(pool)
        .await
        })?;
        let domains = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, Owned>(
            "SELECT organization_id AS owner, domain FROM organization_domains WHERE workspace_id = $1 \
             ORDER BY organization_id, ordinal"
        )
        .bind(ws)
        .fetch_all(pool)
        .await
        })?;
        let counts = dispatch!(self.db, |pool| sqlx::query_as::<_, DomainCount>(
            contact_domain_sql(self.db)
        )
        .bind(ws)
        .fetch_all(pool)
        .await)?;
        let mut by_org: HashMap<Uuid, Vec<String>> = HashMap::new();
        for d in domains {
            by_org.entry(d.owner).or_default().push(d.domain);
        }
        let mut contacts: HashMap<Uuid, Vec<(String, u32)>> = HashMap::new();
        for c in counts {
            let n = u32::try_from(c.contacts).unwrap_or(u32::MAX);
            contacts
                .entry(c.organization_id)
                .or_default()
                .push((c.domain, n));
        }
        for r in &mut rows {
            r.domains = by_org.remove(&r.id).unwrap_or_default();
            r.contact_domains = contacts.remove(&r.id).unwrap_or_default();
        }
        Ok(rows)
    }

    /// Every tenant connection with its match state and verified domains, by tenant name.
    pub async fn matching_tenants(&self) -> Result<Vec<MatchTenant>> {
        let ws = self.workspace_id.as_uuid();
        let mut rows = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, MatchTenant>(
            "SELECT c.id, c.tenant_id, c.tenant, c.display_name, c.status, c.organization_id, o.name AS organization_name, \
             c.matched_how, c.matched_at, c.match_ignored_at \
             FROM tenant_connections c LEFT JOIN organizations o ON o.workspace_id = c.workspace_id AND o.id = c.organization_id \
             WHERE c.workspace_id = $1 ORDER BY COALESCE(c.display_name, c.tenant), c.id"
        )
        .bind(ws)
        .fetch_all(pool)
        .await
        })?;
        let domains = dispatch!(self.db, |pool| sqlx::query_as::<_, Owned>(
            "SELECT connection_id AS owner, domain FROM tenant_domains WHERE workspace_id = $1 \
             ORDER BY connection_id, ordinal"
        )
        .bind(ws)
        .fetch_all(pool)
        .await)?;
        let mut by_conn: HashMap<Uuid, Vec<String>> = HashMap::new();
        for d in domains {
            by_conn.entry(d.owner).or_default().push(d.domain);
        }
        for r in &mut rows {
            r.domains = by_conn.remove(&r.id).unwrap_or_default();
        }
        Ok(rows)
    }

    /// The matches certain evidence makes now, at most one per tenant and per organization (the
    /// recorded tenant ID first; a tenant whose domains point at two organizations is left to a person).
    pub async fn certain_matches(&self) -> Result<Vec<CertainMatch>> {
        let sql = format!(
            "SELECT c.id AS connection_id, o.id AS organization_id, 'tenant_id' AS how, c.tenant_id AS evidence \
             FROM tenant_connections c JOIN organizations o ON o.workspace_id = c.workspace_id AND o.tenant_id = c.tenant_id \
             WHERE {CERTAIN_WHERE} \
             UNION ALL \
             SELECT c.id AS connection_id, o.id AS organization_id, 'primary_domain' AS how, td.domain AS evidence \
             FROM tenant_connections c \
             JOIN tenant_domains td ON td.workspace_id = c.workspace_id AND td.connection_id = c.id \
             JOIN organization_domains od ON od.workspace_id = c.workspace_id AND od.domain = td.domain AND od.ordinal = 0 \
             JOIN organizations o ON o.workspace_id = od.workspace_id AND o.id = od.organization_id \
             WHERE {CERTAIN_WHERE}"
        );
        let rows = dispatch!(self.db, |pool| sqlx::query_as::<_, CertainMatch>(&sql)
            .bind(self.workspace_id.as_uuid())
            .fetch_all(pool)
            .await)?;
        // Keep the tenant-ID evidence first, then drop tenants pointing at two organizations and
        // organizations two tenants point at.
        let mut by_conn: HashMap<Uuid, Vec<CertainMatch>> = HashMap::new();
        for r in rows {
            by_conn.entry(r.connection_id).or_default().push(r);
        }
        let mut chosen: Vec<CertainMatch> = Vec::new();
        for (_, mut list) in by_conn {
            list.sort_by_key(|m| (m.how != "tenant_id", m.organization_id));
            let first_org = list[0].organization_id;
            let by_id = list[0].how == "tenant_id";
            if by_id || list.iter().all(|m| m.organization_id == first_org) {
                chosen.push(list.swap_remove(0));
            }
        }
        // An organization two tenants point at goes to the one recording evidence of the
        // stronger kind (its tenant ID); two of the same kind leave it to a person.
        let mut per_org: HashMap<(Uuid, bool), usize> = HashMap::new();
        for m in &chosen {
            *per_org
                .entry((m.organization_id, m.how == "tenant_id"))
                .or_default() += 1;
        }
        chosen.retain(|m| {
            let by_id = m.how == "tenant_id";
            let same = per_org
                .get(&(m.organization_id, by_id))
                .copied()
                .unwrap_or(0);
            let stronger = if by_id {
                0
            } else {
                per_org
                    .get(&(m.organization_id, true))
                    .copied()
                    .unwrap_or(0)
            };
            same == 1 && stronger == 0
        });
        chosen.sort_by_key(|m| m.connection_id);
        Ok(chosen)
    }

    /// The (connection, organization) pairs someone undid.
    pub async fn undone_matches(&self) -> Result<Vec<(Uuid, Uuid)>> {
        let rows = dispatch!(self.db, |pool| sqlx::query_as::<_, Pair>(
            "SELECT DISTINCT connection_id, organization_id FROM match_decisions \
             WHERE workspace_id = $1 AND action = 'undone' AND organization_id IS NOT NULL"
        )
        .bind(self.workspace_id.as_uuid())
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|p| (p.connection_id, p.organization_id))
            .collect())
    }

    /// Tenants waiting for a match: neither matched nor ignored.
    pub async fn unmatched_tenants(&self) -> Result<u64> {
        let row = dispatch!(self.db, |pool| sqlx::query_as::<_, Count>(
            "SELECT COUNT(*) AS n FROM tenant_connections WHERE workspace_id = $1 \
             AND organization_id IS NULL AND match_ignored_at IS NULL"
        )
        .bind(self.workspace_id.as_uuid())
        .fetch_one(pool)
        .await)?;
        Ok(u64::try_from(row.n).unwrap_or(0))
    }

    /// Users waiting in the contact review queue.
    pub async fn open_contact_reviews(&self) -> Result<u64> {
        let row = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, Count>(
            "SELECT COUNT(*) AS n FROM contact_review WHERE workspace_id = $1 AND status = 'open'"
        )
        .bind(self.workspace_id.as_uuid())
        .fetch_one(pool)
        .await
        })?;
        Ok(u64::try_from(row.n).unwrap_or(0))
    }

    /// Organizations (not archived) whose name contains `query` (ignoring case and spacing), by
    /// name: for choosing one by hand. Each with the tenant already matched to it, if any.
    pub async fn organizations_named(
        &self,
        query: &str,
        limit: i64,
    ) -> Result<Vec<(Uuid, String, Option<Uuid>)>> {
        #[derive(sqlx::FromRow)]
        struct Named {
            id: Uuid,
            name: String,
            connection_id: Option<Uuid>,
        }
        let key = crate::tenants::name_key(query);
        let escaped: String = key
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let rows = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, Named>(
            "SELECT o.id, o.name, c.id AS connection_id FROM organizations o \
             LEFT JOIN tenant_connections c ON c.workspace_id = o.workspace_id AND c.organization_id = o.id \
             WHERE o.workspace_id = $1 AND o.archived_at IS NULL AND o.name_key LIKE $2 ESCAPE '\\' \
             ORDER BY o.name_key, o.id LIMIT $3"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(format!("%{escaped}%"))
        .bind(limit)
        .fetch_all(pool)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| (r.id, r.name, r.connection_id))
            .collect())
    }

    /// Decisions about one tenant or one organization, newest first.
    pub async fn match_decisions(
        &self,
        of: DecisionsOf,
        limit: i64,
    ) -> Result<Vec<MatchDecisionRow>> {
        let (column, id) = match of {
            DecisionsOf::Connection(c) => ("connection_id", c.as_uuid()),
            DecisionsOf::Organization(o) => ("organization_id", o.as_uuid()),
        };
        let sql = format!(
            "SELECT id, connection_id, tenant_name, organization_id, organization_name, action, score, reasons, actor, created_at \
             FROM match_decisions WHERE workspace_id = $1 AND {column} = $2 ORDER BY created_at DESC, id LIMIT $3"
        );
        Ok(dispatch!(self.db, |pool| sqlx::query_as::<
            _,
            MatchDecisionRow,
        >(&sql)
        .bind(self.workspace_id.as_uuid())
        .bind(id)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }
}

impl Unit<'_> {
    /// Sets (or clears) a connection's organization, if it still has `expected`. `NotFound` when
    /// the connection is gone or its match changed meanwhile; `Conflict` when the organization
    /// already has a tenant. Setting a match clears "ignored".
    pub async fn set_connection_match(
        &mut self,
        connection: ConnectionId,
        expected: Option<OrganizationId>,
        organization: Option<OrganizationId>,
        how: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE tenant_connections SET organization_id = $3, matched_how = $4, \
             matched_at = CASE WHEN $3 IS NULL THEN NULL ELSE $5 END, \
             match_ignored_at = NULL, updated_at = $5 \
             WHERE workspace_id = $1 AND id = $2 AND (organization_id = $6 OR (organization_id IS NULL AND $6 IS NULL))"
        )
        .bind(ws)
        .bind(connection.as_uuid())
        .bind(organization.map(|o| o.as_uuid()))
        .bind(how)
        .bind(now_ms)
        .bind(expected.map(|o| o.as_uuid()))
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Makes a certain match if it still may be made: the tenant still unmatched and not ignored,
    /// the organization not archived, and nobody undid this match meanwhile. `NotFound` when one
    /// of those changed; `Conflict` when the organization got a tenant meanwhile.
    pub async fn make_certain_match(
        &mut self,
        connection: ConnectionId,
        organization: OrganizationId,
        how: &str,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE tenant_connections SET organization_id = $3, matched_how = $4, matched_at = $5, updated_at = $5 \
             WHERE workspace_id = $1 AND id = $2 AND organization_id IS NULL AND match_ignored_at IS NULL \
             AND EXISTS (SELECT 1 FROM organizations o WHERE o.workspace_id = $1 AND o.id = $3 AND o.archived_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM match_decisions d WHERE d.workspace_id = $1 AND d.connection_id = $2 \
                 AND d.organization_id = $3 AND d.action = 'undone')"
        )
        .bind(ws)
        .bind(connection.as_uuid())
        .bind(organization.as_uuid())
        .bind(how)
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Marks an unmatched connection ignored (or not). `NotFound` when it is gone or matched.
    pub async fn set_match_ignored(
        &mut self,
        connection: ConnectionId,
        at: Option<i64>,
    ) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| sqlx::query(
            "UPDATE tenant_connections SET match_ignored_at = $3 \
             WHERE workspace_id = $1 AND id = $2 AND organization_id IS NULL"
        )
        .bind(ws)
        .bind(connection.as_uuid())
        .bind(at)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Moves the contacts linked to a tenant's users to the organization the tenant is now
    /// matched to; returns how many moved.
    pub async fn move_tenant_contacts(
        &mut self,
        tenant_id: &str,
        to: OrganizationId,
        now_ms: i64,
    ) -> Result<u64> {
        let ws = self.ws();
        Ok(unit_dispatch!(self, |conn| sqlx::query(
            "UPDATE contacts SET organization_id = $3, updated_at = $4 \
             WHERE workspace_id = $1 AND tenant_id = $2 AND organization_id <> $3"
        )
        .bind(ws)
        .bind(tenant_id)
        .bind(to.as_uuid())
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Archives an organization (or brings it back).
    pub async fn set_organization_archived(
        &mut self,
        id: OrganizationId,
        at: Option<i64>,
    ) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| sqlx::query(
            "UPDATE organizations SET archived_at = $3 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws)
        .bind(id.as_uuid())
        .bind(at)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Records a decision.
    pub async fn record_match_decision(
        &mut self,
        d: &NewMatchDecision<'_>,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO match_decisions (id, workspace_id, connection_id, tenant_name, organization_id, organization_name, \
             action, score, reasons, actor_user_id, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )
        .bind(Uuid::new_v4())
        .bind(ws)
        .bind(d.connection_id.as_uuid())
        .bind(d.tenant_name)
        .bind(d.organization_id.map(|o| o.as_uuid()))
        .bind(d.organization_name)
        .bind(d.action)
        .bind(d.score)
        .bind(d.reasons)
        .bind(d.actor_user_id)
        .bind(d.actor)
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }
}
