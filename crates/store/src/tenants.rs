//! Organizations, tenant connections and connect drafts, all reached through a `WorkspaceScope`.

use crate::db::dispatch;
use crate::error::{Result, StoreError};
use crate::page::{Cursor, Page, PageRequest, SortKey};
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use roster_domain::tenant::ConnectionStatus;
use roster_domain::{ConnectionId, DraftId, MemberId, OrganizationId};
use std::collections::HashMap;
use uuid::Uuid;

/// An organization (one of the MSP's customers) with its connected tenant, if any.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: Uuid,
    pub name: String,
    /// The name folded for sorting and uniqueness (case and spacing ignored).
    pub name_key: String,
    /// Its domains, primary first (read from `organization_domains`).
    #[sqlx(skip)]
    pub domains: Vec<String>,
    pub website: Option<String>,
    pub notes: String,
    pub tenant_id: Option<String>,
    /// Other names, as a JSON array (see `aliases()`).
    #[sqlx(rename = "aliases")]
    pub aliases_json: String,
    /// The ID the MSP's PSA gives it.
    pub external_id: Option<String>,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub connection_id: Option<Uuid>,
    pub connection_name: Option<String>,
    pub connection_status: Option<String>,
}

impl OrganizationRow {
    /// The primary domain: the first listed.
    pub fn primary_domain(&self) -> Option<&str> {
        self.domains.first().map(String::as_str)
    }

    /// Its other names.
    pub fn aliases(&self) -> Vec<String> {
        serde_json::from_str(&self.aliases_json).unwrap_or_default()
    }
}

/// The fields of an organization as written.
#[derive(Clone, Debug, Default)]
pub struct OrganizationFields {
    pub name: String,
    /// Normalized, primary first.
    pub domains: Vec<String>,
    pub website: Option<String>,
    pub notes: String,
    pub tenant_id: Option<String>,
    pub aliases: Vec<String>,
    pub external_id: Option<String>,
}

/// An organization that already holds something another organization's fields would claim.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimingOrganization {
    pub id: Uuid,
    pub name: String,
    pub same_name: bool,
    pub same_tenant_id: bool,
    pub same_external_id: bool,
    pub same_primary_domain: bool,
}

/// A sealed secret as stored: the id of the key and nonce‖ciphertext‖tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret {
    pub key_id: String,
    pub blob: Vec<u8>,
}

/// A tenant connection with its organization's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub organization_name: Option<String>,
    pub tenant: String,
    pub tenant_id: String,
    pub client_id: String,
    pub secret_key_id: String,
    pub secret_blob: Vec<u8>,
    pub secret_expires_on: Option<String>,
    pub display_name: Option<String>,
    /// The verified domains of the last check (read from `tenant_domains`).
    #[sqlx(skip)]
    pub verified_domains: Vec<String>,
    pub status: String,
    pub status_detail: Option<String>,
    pub last_check_at: Option<i64>,
    /// JSON of the last connection check.
    pub last_check: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ConnectionRow {
    pub fn sealed(&self) -> SealedSecret {
        SealedSecret {
            key_id: self.secret_key_id.clone(),
            blob: self.secret_blob.clone(),
        }
    }
}

/// A new tenant connection.
#[derive(Clone, Debug)]
pub struct NewConnection {
    pub organization_id: Option<OrganizationId>,
    pub tenant: String,
    pub tenant_id: String,
    pub client_id: String,
    pub secret: SealedSecret,
    pub secret_expires_on: Option<String>,
    pub display_name: Option<String>,
    pub verified_domains: Vec<String>,
    pub status: ConnectionStatus,
    pub status_detail: Option<String>,
    pub last_check: Option<String>,
}

/// The wizard's state between checking and saving.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DraftRow {
    pub id: Uuid,
    pub member_id: Uuid,
    pub connection_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub tenant: String,
    pub client_id: String,
    pub secret_key_id: String,
    pub secret_blob: Vec<u8>,
    pub secret_expires_on: Option<String>,
    pub tenant_id: Option<String>,
    pub last_check: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl DraftRow {
    pub fn sealed(&self) -> SealedSecret {
        SealedSecret {
            key_id: self.secret_key_id.clone(),
            blob: self.secret_blob.clone(),
        }
    }
}

/// A draft to store (insert or replace by id).
#[derive(Clone, Debug)]
pub struct DraftFields {
    pub id: DraftId,
    pub member_id: MemberId,
    pub connection_id: Option<ConnectionId>,
    pub organization_id: Option<OrganizationId>,
    pub tenant: String,
    pub client_id: String,
    pub secret: SealedSecret,
    pub secret_expires_on: Option<String>,
    pub tenant_id: Option<String>,
    pub last_check: Option<String>,
    pub now_ms: i64,
    pub expires_ms: i64,
}

const ORG_SELECT: &str = "SELECT o.id, o.name, o.name_key, o.website, o.notes, o.tenant_id, \
     o.aliases, o.external_id, o.archived_at, o.created_at, o.updated_at, c.id AS connection_id, c.display_name AS connection_name, c.status AS connection_status \
     FROM organizations o LEFT JOIN tenant_connections c ON c.organization_id = o.id AND c.workspace_id = o.workspace_id \
     WHERE o.workspace_id = $1";

const CONN_SELECT: &str = "SELECT c.id, c.organization_id, o.name AS organization_name, c.tenant, c.tenant_id, \
     c.client_id, c.secret_key_id, c.secret_blob, c.secret_expires_on, c.display_name, \
     c.status, c.status_detail, c.last_check_at, c.last_check, c.created_at, c.updated_at \
     FROM tenant_connections c LEFT JOIN organizations o ON o.id = c.organization_id AND o.workspace_id = c.workspace_id \
     WHERE c.workspace_id = $1";

const DRAFT_SELECT: &str = "SELECT id, member_id, connection_id, organization_id, tenant, client_id, secret_key_id, \
     secret_blob, secret_expires_on, tenant_id, last_check, created_at, expires_at \
     FROM connect_drafts WHERE workspace_id = $1";

fn aliases_json(aliases: &[String]) -> String {
    serde_json::to_string(aliases).unwrap_or_else(|_| "[]".to_owned())
}

/// An organization's name as uniqueness compares it (case and spacing ignored).
pub fn organization_name_key(name: &str) -> String {
    name_key(name)
}

pub(crate) fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The domain tables: organizations' domains and tenants' verified domains.
#[derive(Clone, Copy)]
enum Domains {
    Organization,
    Tenant,
}

impl Domains {
    fn table(self) -> &'static str {
        match self {
            Domains::Organization => "organization_domains",
            Domains::Tenant => "tenant_domains",
        }
    }
    fn owner(self) -> &'static str {
        match self {
            Domains::Organization => "organization_id",
            Domains::Tenant => "connection_id",
        }
    }
}

#[derive(sqlx::FromRow)]
struct DomainRow {
    owner: Uuid,
    domain: String,
}

impl WorkspaceScope<'_> {
    /// The domains of one owner (or of every owner of the workspace), in order, by owner.
    async fn domains(
        &self,
        kind: Domains,
        owner: Option<Uuid>,
    ) -> Result<HashMap<Uuid, Vec<String>>> {
        let sql = format!(
            "SELECT {owner} AS owner, domain FROM {table} WHERE workspace_id = $1 \
             AND ($2 IS NULL OR {owner} = $2) ORDER BY {owner}, ordinal",
            owner = kind.owner(),
            table = kind.table()
        );
        let rows = dispatch!(self.db, |pool| sqlx::query_as::<_, DomainRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .bind(owner)
            .fetch_all(pool)
            .await)?;
        let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
        for r in rows {
            out.entry(r.owner).or_default().push(r.domain);
        }
        Ok(out)
    }

    /// Every organization of the workspace, by name.
    pub async fn organizations(&self) -> Result<Vec<OrganizationRow>> {
        let sql = format!("{ORG_SELECT} ORDER BY o.name_key");
        let mut rows = dispatch!(self.db, |pool| sqlx::query_as::<_, OrganizationRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .fetch_all(pool)
            .await)?;
        let mut domains = self.domains(Domains::Organization, None).await?;
        for r in &mut rows {
            r.domains = domains.remove(&r.id).unwrap_or_default();
        }
        Ok(rows)
    }

    /// One page of the workspace's organizations, by name (keyset on the name key, then id).
    pub async fn organizations_page(&self, req: &PageRequest) -> Result<Page<OrganizationRow>> {
        let after = req.after.as_ref();
        let page = "o.workspace_id = $1 AND ($2 IS NULL OR o.name_key > $2 OR (o.name_key = $2 AND o.id > $3))";
        let sql = format!("{ORG_SELECT} AND ({page}) ORDER BY o.name_key, o.id LIMIT $4",);
        let keys = format!(
            "SELECT o.id FROM organizations o WHERE {page} ORDER BY o.name_key, o.id LIMIT $4"
        );
        let domains = format!(
            "SELECT d.organization_id AS owner, d.domain FROM organization_domains d \
             WHERE d.workspace_id = $1 AND d.organization_id IN (SELECT id FROM ({keys}) AS p) \
             ORDER BY d.organization_id, d.ordinal"
        );
        let text = after.and_then(Cursor::text);
        let (mut rows, domain_rows) = dispatch!(self.db, |pool| {
            let rows = sqlx::query_as::<_, OrganizationRow>(&sql)
                .bind(self.workspace_id.as_uuid())
                .bind(text)
                .bind(req.after_id())
                .bind(req.fetch())
                .fetch_all(pool)
                .await?;
            let domains = sqlx::query_as::<_, DomainRow>(&domains)
                .bind(self.workspace_id.as_uuid())
                .bind(text)
                .bind(req.after_id())
                .bind(req.fetch())
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, domains))
        })?;
        let mut by_org: HashMap<Uuid, Vec<String>> = HashMap::new();
        for d in domain_rows {
            by_org.entry(d.owner).or_default().push(d.domain);
        }
        for r in &mut rows {
            r.domains = by_org.remove(&r.id).unwrap_or_default();
        }
        Ok(Page::from_rows(rows, req, |r| Cursor {
            key: SortKey::Text(r.name_key.clone()),
            id: r.id,
        }))
    }

    /// One organization.
    pub async fn organization(&self, id: OrganizationId) -> Result<OrganizationRow> {
        let sql = format!("{ORG_SELECT} AND o.id = $2");
        let mut row = dispatch!(self.db, |pool| sqlx::query_as::<_, OrganizationRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await)?
        .ok_or(StoreError::NotFound)?;
        row.domains = self
            .domains(Domains::Organization, Some(row.id))
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        Ok(row)
    }

    /// The other organizations (all but `except`) that already have the name (ignoring case and
    /// spacing), the tenant ID or the primary domain of `f`.
    pub async fn organizations_claiming(
        &self,
        f: &OrganizationFields,
        except: Option<OrganizationId>,
    ) -> Result<Vec<ClaimingOrganization>> {
        let key = name_key(&f.name);
        Ok(dispatch!(self.db, |pool| {
            sqlx::query_as::<_, ClaimingOrganization>(
                "SELECT o.id, o.name, o.name_key = $3 AS same_name, \
                 COALESCE(o.tenant_id = $4, FALSE) AS same_tenant_id, \
                 COALESCE(o.external_id = $6, FALSE) AS same_external_id, \
                 EXISTS (SELECT 1 FROM organization_domains d WHERE d.workspace_id = o.workspace_id \
                         AND d.organization_id = o.id AND d.ordinal = 0 AND d.domain = $5) AS same_primary_domain \
                 FROM organizations o WHERE o.workspace_id = $1 AND ($2 IS NULL OR o.id <> $2) \
                 AND (o.name_key = $3 OR o.tenant_id = $4 OR o.external_id = $6 OR EXISTS (SELECT 1 FROM organization_domains d \
                      WHERE d.workspace_id = o.workspace_id AND d.organization_id = o.id AND d.ordinal = 0 AND d.domain = $5)) \
                 ORDER BY o.name_key",
            )
            .bind(self.workspace_id.as_uuid())
            .bind(except.map(|e| e.as_uuid()))
            .bind(&key)
            .bind(&f.tenant_id)
            .bind(f.domains.first())
            .bind(&f.external_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Every tenant connection, by organization then tenant name.
    pub async fn connections(&self) -> Result<Vec<ConnectionRow>> {
        let sql = format!(
            "{CONN_SELECT} ORDER BY COALESCE(o.name, c.display_name, c.tenant), c.created_at"
        );
        let mut rows = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, ConnectionRow>(&sql)
                .bind(self.workspace_id.as_uuid())
                .fetch_all(pool)
                .await
        })?;
        let mut domains = self.domains(Domains::Tenant, None).await?;
        for r in &mut rows {
            r.verified_domains = domains.remove(&r.id).unwrap_or_default();
        }
        Ok(rows)
    }

    /// One tenant connection.
    pub async fn connection(&self, id: ConnectionId) -> Result<ConnectionRow> {
        let sql = format!("{CONN_SELECT} AND c.id = $2");
        let mut row = dispatch!(self.db, |pool| sqlx::query_as::<_, ConnectionRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await)?
        .ok_or(StoreError::NotFound)?;
        row.verified_domains = self
            .domains(Domains::Tenant, Some(row.id))
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        Ok(row)
    }

    /// A draft of this workspace that has not expired.
    pub async fn draft(&self, id: DraftId, now_ms: i64) -> Result<DraftRow> {
        let sql = format!("{DRAFT_SELECT} AND id = $2 AND expires_at > $3");
        dispatch!(self.db, |pool| sqlx::query_as::<_, DraftRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .bind(id.as_uuid())
            .bind(now_ms)
            .fetch_optional(pool)
            .await)?
        .ok_or(StoreError::NotFound)
    }
}

impl crate::db::Db {
    /// Deletes wizard drafts (and their sealed secrets) that have expired (housekeeping).
    pub async fn purge_drafts(&self, now_ms: i64) -> Result<u64> {
        let mut n = 0;
        // Wizard drafts, and CSV files uploaded for import but never confirmed.
        for sql in [
            "DELETE FROM connect_drafts WHERE expires_at <= $1",
            "DELETE FROM import_drafts WHERE expires_at <= $1",
        ] {
            n += dispatch!(self, |pool| sqlx::query(sql)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(n)
    }
}

/// One sealed secret anywhere in the database, for re-encryption under a new key.
#[derive(Clone, Debug)]
pub struct SealedRow {
    pub table: &'static str,
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub secret: SealedSecret,
    /// The value read, so the write can check nobody changed it in between.
    pub read: SealedSecret,
}

#[derive(sqlx::FromRow)]
struct RawSealed {
    id: Uuid,
    workspace_id: Uuid,
    secret_key_id: String,
    secret_blob: Vec<u8>,
}

impl crate::db::Db {
    /// Every sealed secret of every workspace (tenant connections and drafts).
    pub async fn sealed_secrets(&self) -> Result<Vec<SealedRow>> {
        let mut out = Vec::new();
        for table in ["tenant_connections", "connect_drafts"] {
            let sql = format!("SELECT id, workspace_id, secret_key_id, secret_blob FROM {table}");
            let rows = dispatch!(self, |pool| sqlx::query_as::<_, RawSealed>(&sql)
                .fetch_all(pool)
                .await)?;
            out.extend(rows.into_iter().map(|r| {
                let sealed = SealedSecret {
                    key_id: r.secret_key_id,
                    blob: r.secret_blob,
                };
                SealedRow {
                    table,
                    id: r.id,
                    workspace_id: r.workspace_id,
                    secret: sealed.clone(),
                    read: sealed,
                }
            }));
        }
        Ok(out)
    }

    /// Writes re-sealed secrets back in one transaction (all or nothing). A row changed since it
    /// was read (a secret rotated meanwhile) is left alone; the rows left alone are returned so the
    /// caller can read and re-seal them again.
    pub async fn reseal(&self, rows: &[SealedRow]) -> Result<Vec<Uuid>> {
        dispatch!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut skipped = Vec::new();
            for r in rows {
                let sql = format!(
                    "UPDATE {} SET secret_key_id = $1, secret_blob = $2 \
                     WHERE id = $3 AND workspace_id = $4 AND secret_key_id = $5 AND secret_blob = $6",
                    r.table
                );
                let n = sqlx::query(&sql)
                    .bind(&r.secret.key_id)
                    .bind(&r.secret.blob)
                    .bind(r.id)
                    .bind(r.workspace_id)
                    .bind(&r.read.key_id)
                    .bind(&r.read.blob)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    skipped.push(r.id);
                }
            }
            tx.commit().await?;
            Ok::<Vec<Uuid>, StoreError>(skipped)
        })
    }
}

impl Unit<'_> {
    /// Replaces the domains of one organization or connection with `domains`, in order (the
    /// first is an organization's primary domain), in multi-row statements.
    async fn replace_domains(
        &mut self,
        kind: Domains,
        owner: Uuid,
        domains: &[String],
    ) -> Result<()> {
        let ws = self.ws();
        // A domain listed twice keeps its first place.
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<&String> = domains.iter().filter(|d| seen.insert(d.as_str())).collect();
        let per = self.db.backend().rows_per_statement();
        let delete = format!(
            "DELETE FROM {} WHERE workspace_id = $1 AND {} = $2",
            kind.table(),
            kind.owner()
        );
        let insert = format!(
            "INSERT INTO {} (workspace_id, {}, domain, ordinal) ",
            kind.table(),
            kind.owner()
        );
        unit_dispatch!(self, |conn| {
            sqlx::query(&delete)
                .bind(ws)
                .bind(owner)
                .execute(&mut *conn)
                .await?;
            for (n, chunk) in rows.chunks(per).enumerate() {
                let mut q = sqlx::QueryBuilder::new(&insert);
                q.push_values(chunk.iter().enumerate(), |mut b, (i, domain)| {
                    b.push_bind(ws)
                        .push_bind(owner)
                        .push_bind(domain.as_str())
                        .push_bind((n * per + i) as i32);
                });
                q.build().execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })
    }

    /// Fails with `NotFound` unless the organization is one of this workspace's.
    async fn organization_exists(&mut self, id: Uuid) -> Result<()> {
        let ws = self.ws();
        let found: Option<Uuid> = unit_dispatch!(self, |conn| sqlx::query_scalar(
            "SELECT id FROM organizations WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await)?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    /// Creates an organization; `Conflict` when the name (ignoring case and spacing), the tenant ID
    /// or the primary domain belongs to another organization.
    pub async fn create_organization(
        &mut self,
        id: OrganizationId,
        f: &OrganizationFields,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        let id = id.as_uuid();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO organizations (id, workspace_id, name, name_key, website, notes, tenant_id, created_at, updated_at, \
             aliases, external_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)"
        )
        .bind(id)
        .bind(ws)
        .bind(&f.name)
        .bind(name_key(&f.name))
        .bind(&f.website)
        .bind(&f.notes)
        .bind(&f.tenant_id)
        .bind(now_ms)
        .bind(aliases_json(&f.aliases))
        .bind(&f.external_id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        self.replace_domains(Domains::Organization, id, &f.domains)
            .await
    }

    /// Replaces an organization's fields.
    pub async fn update_organization(
        &mut self,
        id: OrganizationId,
        f: &OrganizationFields,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        let id = id.as_uuid();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
                "UPDATE organizations SET name = $3, name_key = $4, website = $5, \
             notes = $6, tenant_id = $7, updated_at = $8, aliases = $9, external_id = $10 \
             WHERE workspace_id = $1 AND id = $2",
            )
            .bind(ws)
            .bind(id)
            .bind(&f.name)
            .bind(name_key(&f.name))
            .bind(&f.website)
            .bind(&f.notes)
            .bind(&f.tenant_id)
            .bind(now_ms)
            .bind(aliases_json(&f.aliases))
            .bind(&f.external_id)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.replace_domains(Domains::Organization, id, &f.domains)
            .await
    }

    /// Stores a new connection and deletes the draft it came from, in one transaction.
    /// `Conflict` when this tenant is already connected in the workspace.
    pub async fn create_connection(
        &mut self,
        id: ConnectionId,
        c: &NewConnection,
        from_draft: DraftId,
        now_ms: i64,
    ) -> Result<()> {
        let id = id.as_uuid();
        let ws = self.ws();
        if let Some(org) = c.organization_id {
            self.organization_exists(org.as_uuid()).await?;
        }
        unit_dispatch!(self, |conn| {
            sqlx::query(
                "INSERT INTO tenant_connections (id, workspace_id, organization_id, tenant, tenant_id, client_id, \
                 secret_key_id, secret_blob, secret_expires_on, display_name, status, status_detail, \
                 last_check_at, last_check, created_at, updated_at, matched_how, matched_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $13, \
                 CASE WHEN $3 IS NULL THEN NULL ELSE 'wizard' END, CASE WHEN $3 IS NULL THEN NULL ELSE $13 END)",
            )
            .bind(id)
            .bind(ws)
            .bind(c.organization_id.map(|o| o.as_uuid()))
            .bind(&c.tenant)
            .bind(&c.tenant_id)
            .bind(&c.client_id)
            .bind(&c.secret.key_id)
            .bind(&c.secret.blob)
            .bind(&c.secret_expires_on)
            .bind(&c.display_name)
            .bind(c.status.as_str())
            .bind(&c.status_detail)
            .bind(now_ms)
            .bind(&c.last_check)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM connect_drafts WHERE workspace_id = $1 AND id = $2")
                .bind(ws)
                .bind(from_draft.as_uuid())
                .execute(&mut *conn)
                .await?;
            Ok::<(), StoreError>(())
        })?;
        self.replace_domains(Domains::Tenant, id, &c.verified_domains)
            .await
    }

    /// Records the outcome of a connection check (and what it learnt about the tenant).
    #[expect(clippy::too_many_arguments, reason = "one column each, all of a check")]
    pub async fn record_check(
        &mut self,
        id: ConnectionId,
        status: ConnectionStatus,
        detail: Option<&str>,
        check_json: &str,
        display_name: Option<&str>,
        verified_domains: Option<&[String]>,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        let id = id.as_uuid();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE tenant_connections SET status = $3, status_detail = $4, last_check = $5, last_check_at = $6, \
             display_name = COALESCE($7, display_name), updated_at = $6 \
             WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws)
        .bind(id)
        .bind(status.as_str())
        .bind(detail)
        .bind(check_json)
        .bind(now_ms)
        .bind(display_name)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        match verified_domains {
            Some(domains) => self.replace_domains(Domains::Tenant, id, domains).await,
            None => Ok(()),
        }
    }

    /// Replaces a connection's secret (after the new one was verified) and deletes the draft.
    pub async fn replace_secret(
        &mut self,
        id: ConnectionId,
        secret: &SealedSecret,
        expires_on: Option<&str>,
        from_draft: DraftId,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        let (id, from_draft) = (id.as_uuid(), from_draft.as_uuid());
        unit_dispatch!(self, |conn| {
            let n = sqlx::query(
                "UPDATE tenant_connections SET secret_key_id = $3, secret_blob = $4, secret_expires_on = $5, updated_at = $6 \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(ws)
            .bind(id)
            .bind(&secret.key_id)
            .bind(&secret.blob)
            .bind(expires_on)
            .bind(now_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM connect_drafts WHERE workspace_id = $1 AND id = $2")
                .bind(ws)
                .bind(from_draft)
                .execute(&mut *conn)
                .await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Inserts or replaces a draft.
    pub async fn save_draft(&mut self, d: &DraftFields) -> Result<()> {
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO connect_drafts (id, workspace_id, member_id, connection_id, organization_id, tenant, client_id, \
             secret_key_id, secret_blob, secret_expires_on, tenant_id, last_check, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, tenant = excluded.tenant, \
             client_id = excluded.client_id, secret_key_id = excluded.secret_key_id, secret_blob = excluded.secret_blob, \
             secret_expires_on = excluded.secret_expires_on, tenant_id = excluded.tenant_id, \
             last_check = excluded.last_check, expires_at = excluded.expires_at \
             WHERE connect_drafts.workspace_id = excluded.workspace_id AND connect_drafts.member_id = excluded.member_id"
        )
        .bind(d.id.as_uuid())
        .bind(ws)
        .bind(d.member_id.as_uuid())
        .bind(d.connection_id.map(|c| c.as_uuid()))
        .bind(d.organization_id.map(|o| o.as_uuid()))
        .bind(&d.tenant)
        .bind(&d.client_id)
        .bind(&d.secret.key_id)
        .bind(&d.secret.blob)
        .bind(&d.secret_expires_on)
        .bind(&d.tenant_id)
        .bind(&d.last_check)
        .bind(d.now_ms)
        .bind(d.expires_ms)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }
}
