//! Contacts, the provenance of their synced fields, their groups and events; and sync runs.
//!
//! The store writes what `core` decided: whole contact rows (upserted by id in multi-row
//! batches), the provenance and groups of the contacts it wrote, and their events. It knows the
//! synced fields only as the column names in [`SYNCED_COLUMNS`].

use crate::batch::last_per_key;
use crate::db::dispatch;
use crate::error::{Result, StoreError};
use crate::page::{Cursor, Page, PageRequest, SortKey};
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The synced field columns of `contacts`, in the order of `ContactRow::values`.
pub const SYNCED_COLUMNS: [&str; 15] = [
    "display_name",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "department",
    "company",
    "business_phone",
    "mobile_phone",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
];

/// A contact as stored, with its provenance and groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub tenant_id: Option<String>,
    pub object_id: Option<String>,
    /// One value per [`SYNCED_COLUMNS`] entry.
    pub values: [Option<String>; 15],
    pub upn: Option<String>,
    pub sort_key: String,
    pub email_key: Option<String>,
    pub deleted_in_entra: bool,
    pub disabled: bool,
    pub conflicts: i32,
    /// Bit i set: field i holds exactly the value Roster last took from Entra.
    pub synced_fields: i64,
    /// JSON provenance of the fields that differ from that (`None` when there are none).
    pub field_notes: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub groups: Vec<String>,
}

/// A contact event to record.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactEventRow {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub kind: String,
    /// JSON object.
    pub detail: String,
    pub run_id: Option<Uuid>,
    pub actor: String,
    pub created_at: i64,
}

/// A sync run as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncRunRow {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub trigger: String,
    pub requested_by: String,
    pub preview: bool,
    pub status: String,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub counts: Option<String>,
    pub plan: Option<String>,
    pub error: Option<String>,
    /// How many times an instance has started this run (a run whose instance stopped is retried).
    pub attempts: i32,
    /// How far a running run is, JSON written by the application.
    pub progress: Option<String>,
}

/// The columns of [`SyncRunRow`], in its order.
pub(crate) const RUN_COLUMNS: &str = "id, connection_id, trigger, requested_by, preview, status, queued_at, \
     started_at, finished_at, counts, plan, error, attempts, progress";

/// The order of the contacts list; each has its own keyset index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ContactSort {
    /// By display name (folded), A to Z.
    #[default]
    Name,
    /// The most recently changed first.
    RecentlyChanged,
}

/// What the contacts list is narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactFilter {
    /// Matches the start of the display name (folded like `sort_key`), or any part of the email
    /// or of a phone number.
    pub search: Option<String>,
    pub organization_id: Option<Uuid>,
    pub deleted_in_entra: Option<bool>,
    pub disabled: Option<bool>,
    pub with_conflicts: bool,
    pub not_linked: bool,
    pub group: Option<String>,
    /// Holds this licence (SKU id, lower case).
    pub licence: Option<String>,
    /// MFA status from the overlay.
    pub mfa: Option<MfaFilter>,
    /// Linked users whose sign-ins are known and none happened since this time (ms).
    pub no_sign_in_since: Option<i64>,
    /// The order of the list.
    pub sort: ContactSort,
}

/// The MFA statuses a contacts list can be narrowed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaFilter {
    Registered,
    NotRegistered,
    /// Linked contacts whose MFA status Roster could not read.
    Unknown,
}

/// The overlay row of a contact, inside an `EXISTS` on the contacts list.
const FACTS_OF_CONTACT: &str = "SELECT 1 FROM entra_user_facts f WHERE f.workspace_id = contacts.workspace_id \
     AND f.tenant_id = contacts.tenant_id AND f.object_id = contacts.object_id";

fn contact_columns() -> String {
    let mut cols = vec!["id", "organization_id", "tenant_id", "object_id"];
    cols.extend(SYNCED_COLUMNS);
    cols.extend([
        "upn",
        "sort_key",
        "email_key",
        "deleted_in_entra",
        "disabled",
        "conflicts",
        "synced_fields",
        "field_notes",
        "created_at",
        "updated_at",
    ]);
    cols.join(", ")
}

/// Reads a contact row by column name (the same on both engines).
macro_rules! contact_from_row {
    ($row:expr) => {{
        use sqlx::Row;
        let r = $row;
        let mut values: [Option<String>; 15] = Default::default();
        for (i, c) in SYNCED_COLUMNS.iter().enumerate() {
            values[i] = r.try_get(*c)?;
        }
        ContactRow {
            id: r.try_get("id")?,
            organization_id: r.try_get("organization_id")?,
            tenant_id: r.try_get("tenant_id")?,
            object_id: r.try_get("object_id")?,
            values,
            upn: r.try_get("upn")?,
            sort_key: r.try_get("sort_key")?,
            email_key: r.try_get("email_key")?,
            deleted_in_entra: r.try_get("deleted_in_entra")?,
            disabled: r.try_get("disabled")?,
            conflicts: r.try_get("conflicts")?,
            synced_fields: r.try_get("synced_fields")?,
            field_notes: r.try_get("field_notes")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            groups: Vec::new(),
        }
    }};
}

#[derive(sqlx::FromRow)]
struct OwnedGroup {
    contact_id: Uuid,
    name: String,
}

/// The search text as the list compares it: the name prefix folded like `sort_key`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

impl WorkspaceScope<'_> {
    /// Every contact of an organization with provenance and groups: what a sync plans against.
    pub async fn contacts_of_organization(&self, organization_id: Uuid) -> Result<Vec<ContactRow>> {
        let ws = self.workspace_id.as_uuid();
        let sql = format!(
            "SELECT {} FROM contacts WHERE workspace_id = $1 AND organization_id = $2 ORDER BY id",
            contact_columns()
        );
        let (mut rows, groups) = dispatch!(self.db, |pool| {
            let raw = sqlx::query(&sql)
                .bind(ws)
                .bind(organization_id)
                .fetch_all(pool)
                .await?;
            let mut rows = Vec::with_capacity(raw.len());
            for r in &raw {
                rows.push(contact_from_row!(r));
            }
            let groups: Vec<OwnedGroup> = sqlx::query_as(
                "SELECT g.contact_id, g.name FROM contact_groups g \
                 JOIN contacts c ON c.workspace_id = g.workspace_id AND c.id = g.contact_id \
                 WHERE g.workspace_id = $1 AND c.organization_id = $2 ORDER BY g.name",
            )
            .bind(ws)
            .bind(organization_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, StoreError>((rows, groups))
        })?;
        attach(&mut rows, groups);
        Ok(rows)
    }

    /// The contacts of an organization that the changes of a delta round can touch, with their
    /// groups: those linked to one of `object_ids` in `tenant_id`, and those linked to nobody
    /// (which new users may match). The rest stay as they are and are not read.
    pub async fn contacts_touched(
        &self,
        organization_id: Uuid,
        tenant_id: &str,
        object_ids: &[String],
    ) -> Result<Vec<ContactRow>> {
        let ws = self.workspace_id.as_uuid();
        let select = format!(
            "SELECT {} FROM contacts WHERE workspace_id = ",
            contact_columns()
        );
        let per = self.db.backend().rows_per_statement().max(50) * 4;
        let (mut rows, groups) = dispatch!(self.db, |pool| {
            let mut rows = Vec::new();
            let mut q = sqlx::QueryBuilder::new(&select);
            q.push_bind(ws)
                .push(" AND organization_id = ")
                .push_bind(organization_id)
                .push(" AND object_id IS NULL");
            for r in &q.build().fetch_all(pool).await? {
                rows.push(contact_from_row!(r));
            }
            for chunk in object_ids.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(&select);
                // By the Entra link's unique index; contacts of other organizations are left
                // out below.
                q.push_bind(ws)
                    .push(" AND tenant_id = ")
                    .push_bind(tenant_id)
                    .push(" AND object_id IN (");
                let mut sep = q.separated(", ");
                for id in chunk {
                    sep.push_bind(id.as_str());
                }
                sep.push_unseparated(")");
                for r in &q.build().fetch_all(pool).await? {
                    let row = contact_from_row!(r);
                    if row.organization_id == organization_id {
                        rows.push(row);
                    }
                }
            }
            let ids: Vec<Uuid> = rows.iter().map(|r: &ContactRow| r.id).collect();
            let mut groups: Vec<OwnedGroup> = Vec::new();
            for chunk in ids.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT contact_id, name FROM contact_groups WHERE workspace_id = ",
                );
                q.push_bind(ws).push(" AND contact_id IN (");
                let mut sep = q.separated(", ");
                for id in chunk {
                    sep.push_bind(*id);
                }
                sep.push_unseparated(") ORDER BY name");
                groups.extend(q.build_query_as::<OwnedGroup>().fetch_all(pool).await?);
            }
            Ok::<_, StoreError>((rows, groups))
        })?;
        rows.sort_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
        attach(&mut rows, groups);
        Ok(rows)
    }

    /// How many contacts an organization has and their latest change: what a held plan checks
    /// it still applies to. Both are read from indexes, without the rows.
    pub async fn contacts_basis(&self, organization_id: Uuid) -> Result<(i64, i64)> {
        let ws = self.workspace_id.as_uuid();
        let (count, latest): (i64, Option<i64>) = dispatch!(self.db, |pool| {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1 AND organization_id = $2",
            )
            .bind(ws)
            .bind(organization_id)
            .fetch_one(pool)
            .await?;
            let latest: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(updated_at) FROM contacts WHERE workspace_id = $1 AND organization_id = $2",
            )
            .bind(ws)
            .bind(organization_id)
            .fetch_one(pool)
            .await?;
            Ok::<_, StoreError>((count, latest))
        })?;
        Ok((count, latest.unwrap_or(0)))
    }

    /// How many contacts are linked to users of `tenant_id` and not flagged deleted.
    pub async fn linked_contacts(&self, tenant_id: &str) -> Result<i64> {
        Ok(dispatch!(self.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1 AND tenant_id = $2 \
             AND object_id IS NOT NULL AND deleted_in_entra = FALSE"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(tenant_id)
        .fetch_one(pool)
        .await)?)
    }

    /// The contacts with these ids (without their groups), in no particular order; ids of other
    /// workspaces or of no contact are left out.
    pub async fn contacts_by_ids(&self, ids: &[Uuid]) -> Result<Vec<ContactRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ws = self.workspace_id.as_uuid();
        let select = format!(
            "SELECT {} FROM contacts WHERE workspace_id = ",
            contact_columns()
        );
        dispatch!(self.db, |pool| {
            let mut q = sqlx::QueryBuilder::new(&select);
            q.push_bind(ws).push(" AND id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            sep.push_unseparated(")");
            let raw = q.build().fetch_all(pool).await?;
            let mut rows = Vec::with_capacity(raw.len());
            for r in &raw {
                rows.push(contact_from_row!(r));
            }
            Ok::<_, StoreError>(rows)
        })
    }

    /// One contact with its provenance and groups.
    pub async fn contact(&self, id: Uuid) -> Result<ContactRow> {
        let ws = self.workspace_id.as_uuid();
        let sql = format!(
            "SELECT {} FROM contacts WHERE workspace_id = $1 AND id = $2",
            contact_columns()
        );
        let (row, groups) = dispatch!(self.db, |pool| {
            let raw = sqlx::query(&sql)
                .bind(ws)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            let Some(r) = raw else {
                return Err(StoreError::NotFound);
            };
            let row = contact_from_row!(&r);
            let groups: Vec<OwnedGroup> = sqlx::query_as(
                "SELECT contact_id, name FROM contact_groups WHERE workspace_id = $1 AND contact_id = $2 ORDER BY name",
            )
            .bind(ws)
            .bind(id)
            .fetch_all(pool)
            .await?;
            Ok::<_, StoreError>((row, groups))
        })?;
        let mut rows = vec![row];
        attach(&mut rows, groups);
        rows.pop().ok_or(StoreError::NotFound)
    }

    /// One page of contacts, by display name (keyset on `sort_key`, then id), narrowed by `filter`.
    pub async fn contacts_page(
        &self,
        filter: &ContactFilter,
        req: &PageRequest,
    ) -> Result<Page<ContactRow>> {
        let ws = self.workspace_id.as_uuid();
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let prefix = search.map(fold_sort_key);
        let fragment = search.map(|s| format!("%{}%", s.to_lowercase().replace(['%', '_'], "")));
        let digits: Option<String> = search
            .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() >= 3)
            .map(|d| format!("%{d}%"));
        // Only the conditions that apply are put in the statement, and the keyset condition is a
        // row comparison, so each list reads its index from the cursor on (a deep page costs what
        // the first one does).
        let select = format!(
            "SELECT {} FROM contacts WHERE workspace_id = ",
            contact_columns()
        );
        let phone = |col: &str| {
            format!(" OR REPLACE(REPLACE(REPLACE({col}, ' ', ''), '-', ''), '+', '') LIKE ")
        };
        let after = req.after.as_ref();
        let rows = dispatch!(self.db, |pool| {
            let mut q = sqlx::QueryBuilder::new(&select);
            q.push_bind(ws);
            if let (Some(prefix), Some(fragment)) = (&prefix, &fragment) {
                q.push(" AND ((sort_key >= ")
                    .push_bind(prefix.clone())
                    .push(" AND sort_key < ")
                    .push_bind(prefix_end(prefix))
                    .push(") OR email_key LIKE ")
                    .push_bind(fragment.clone());
                if let Some(d) = &digits {
                    q.push(phone("business_phone"))
                        .push_bind(d.clone())
                        .push(phone("mobile_phone"))
                        .push_bind(d.clone());
                }
                q.push(")");
            }
            if let Some(o) = filter.organization_id {
                q.push(" AND organization_id = ").push_bind(o);
            }
            if let Some(d) = filter.deleted_in_entra {
                q.push(" AND deleted_in_entra = ").push_bind(d);
            }
            if let Some(d) = filter.disabled {
                q.push(" AND disabled = ").push_bind(d);
            }
            if filter.with_conflicts {
                q.push(" AND conflicts > 0");
            }
            if filter.not_linked {
                q.push(" AND object_id IS NULL");
            }
            if let Some(g) = &filter.group {
                q.push(
                    " AND EXISTS (SELECT 1 FROM contact_groups g WHERE g.workspace_id = contacts.workspace_id \
                     AND g.contact_id = contacts.id AND g.name = ",
                )
                .push_bind(g.clone())
                .push(")");
            }
            if let Some(sku) = &filter.licence {
                q.push(format!(
                    " AND EXISTS ({FACTS_OF_CONTACT} AND f.licences LIKE "
                ))
                .push_bind(format!(
                    "%\"{}\"%",
                    sku.to_lowercase().replace(['%', '_', '"'], "")
                ))
                .push(")");
            }
            match filter.mfa {
                Some(MfaFilter::Registered) => {
                    q.push(format!(
                        " AND EXISTS ({FACTS_OF_CONTACT} AND f.mfa = 'registered')"
                    ));
                }
                Some(MfaFilter::NotRegistered) => {
                    q.push(format!(
                        " AND EXISTS ({FACTS_OF_CONTACT} AND f.mfa = 'not_registered')"
                    ));
                }
                Some(MfaFilter::Unknown) => {
                    q.push(format!(
                        " AND object_id IS NOT NULL AND NOT EXISTS ({FACTS_OF_CONTACT} AND f.mfa IS NOT NULL)"
                    ));
                }
                None => {}
            }
            if let Some(since) = filter.no_sign_in_since {
                q.push(format!(
                    " AND EXISTS ({FACTS_OF_CONTACT} AND f.sign_in_at IS NOT NULL AND (f.last_seen IS NULL OR f.last_seen < "
                ))
                .push_bind(since)
                .push("))");
            }
            match (filter.sort, after) {
                (ContactSort::Name, Some(c)) => {
                    if let Some(key) = c.text() {
                        q.push(" AND (sort_key, id) > (")
                            .push_bind(key.to_owned())
                            .push(", ")
                            .push_bind(c.id)
                            .push(")");
                    }
                }
                (ContactSort::RecentlyChanged, Some(c)) => {
                    if let Some(at) = c.number() {
                        q.push(" AND (updated_at, id) < (")
                            .push_bind(at)
                            .push(", ")
                            .push_bind(c.id)
                            .push(")");
                    }
                }
                (_, None) => {}
            }
            q.push(match filter.sort {
                ContactSort::Name => " ORDER BY sort_key, id LIMIT ",
                ContactSort::RecentlyChanged => " ORDER BY updated_at DESC, id DESC LIMIT ",
            })
            .push_bind(req.fetch());
            let raw = q.build().fetch_all(pool).await?;
            let mut rows = Vec::with_capacity(raw.len());
            for r in &raw {
                rows.push(contact_from_row!(r));
            }
            // The page's contact groups, in one statement.
            let mut groups: Vec<OwnedGroup> = Vec::new();
            if !rows.is_empty() {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT contact_id, name FROM contact_groups WHERE workspace_id = ",
                );
                q.push_bind(ws).push(" AND contact_id IN (");
                let mut sep = q.separated(", ");
                for r in &rows {
                    sep.push_bind(r.id);
                }
                sep.push_unseparated(") ORDER BY name");
                groups = q.build_query_as().fetch_all(pool).await?;
            }
            Ok::<_, StoreError>((rows, groups))
        })?;
        let (mut rows, groups) = rows;
        attach(&mut rows, groups);
        let sort = filter.sort;
        Ok(Page::from_rows(rows, req, |r| Cursor {
            key: match sort {
                ContactSort::Name => SortKey::Text(r.sort_key.clone()),
                ContactSort::RecentlyChanged => SortKey::Number(r.updated_at),
            },
            id: r.id,
        }))
    }

    /// A contact's events, newest first.
    pub async fn contact_events(
        &self,
        contact_id: Uuid,
        limit: i64,
    ) -> Result<Vec<ContactEventRow>> {
        Ok(dispatch!(self.db, |pool| {
            sqlx::query_as(
            "SELECT id, contact_id, kind, detail, run_id, actor, created_at FROM contact_events \
             WHERE workspace_id = $1 AND contact_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(contact_id)
        .bind(limit)
        .fetch_all(pool)
        .await
        })?)
    }

    /// The contact events a sync run caused, with each contact's display name, at most `limit`.
    pub async fn run_events(
        &self,
        run_id: Uuid,
        limit: i64,
    ) -> Result<Vec<(ContactEventRow, Option<String>)>> {
        #[derive(sqlx::FromRow)]
        struct Raw {
            #[sqlx(flatten)]
            event: ContactEventRow,
            display_name: Option<String>,
        }
        let rows: Vec<Raw> = dispatch!(self.db, |pool| {
            sqlx::query_as(
            "SELECT e.id, e.contact_id, e.kind, e.detail, e.run_id, e.actor, e.created_at, c.display_name \
             FROM contact_events e JOIN contacts c ON c.workspace_id = e.workspace_id AND c.id = e.contact_id \
             WHERE e.workspace_id = $1 AND e.run_id = $2 ORDER BY c.sort_key, e.created_at, e.id LIMIT $3"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(run_id)
        .bind(limit)
        .fetch_all(pool)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| (r.event, r.display_name))
            .collect())
    }

    /// One page of sync runs, newest first, optionally of one connection.
    pub async fn runs_page(
        &self,
        connection_id: Option<Uuid>,
        req: &PageRequest,
    ) -> Result<Page<SyncRunRow>> {
        self.runs_page_with(connection_id, None, req).await
    }

    /// One page of sync runs, newest first, of one connection and one status if given.
    pub async fn runs_page_with(
        &self,
        connection_id: Option<Uuid>,
        status: Option<&str>,
        req: &PageRequest,
    ) -> Result<Page<SyncRunRow>> {
        let after = req.after.as_ref();
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE workspace_id = $1 AND ($2 IS NULL OR connection_id = $2) \
             AND ($3 IS NULL OR queued_at < $3 OR (queued_at = $3 AND id < $4)) AND ($6 IS NULL OR status = $6) \
             ORDER BY queued_at DESC, id DESC LIMIT $5"
        );
        let rows: Vec<SyncRunRow> = dispatch!(self.db, |pool| {
            sqlx::query_as(&sql)
                .bind(self.workspace_id.as_uuid())
                .bind(connection_id)
                .bind(after.and_then(Cursor::number))
                .bind(req.after_id())
                .bind(req.fetch())
                .bind(status)
                .fetch_all(pool)
                .await
        })?;
        Ok(Page::from_rows(rows, req, |r| Cursor {
            key: SortKey::Number(r.queued_at),
            id: r.id,
        }))
    }

    /// One sync run.
    pub async fn run(&self, id: Uuid) -> Result<SyncRunRow> {
        let sql =
            format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE workspace_id = $1 AND id = $2");
        dispatch!(self.db, |pool| sqlx::query_as::<_, SyncRunRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await)?
        .ok_or(StoreError::NotFound)
    }

    /// The sync settings stored on a connection (JSON), if any.
    pub async fn sync_settings(&self, connection_id: Uuid) -> Result<Option<String>> {
        let row: Option<Option<String>> = dispatch!(self.db, |pool| sqlx::query_scalar(
            "SELECT sync_settings FROM tenant_connections WHERE workspace_id = $1 AND id = $2"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .fetch_optional(pool)
        .await)?;
        row.ok_or(StoreError::NotFound)
    }
}

/// The display name as contacts sort and are searched by prefix: lower case, spaces collapsed.
pub fn fold_sort_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn attach(rows: &mut [ContactRow], groups: Vec<OwnedGroup>) {
    let index: HashMap<Uuid, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    for g in groups {
        if let Some(&i) = index.get(&g.contact_id) {
            rows[i].groups.push(g.name);
        }
    }
}

impl Unit<'_> {
    /// Inserts or replaces whole contact rows (by id), with their fields' provenance and groups, in
    /// multi-row statements. A contact of another workspace's id is refused by the database.
    pub async fn write_contacts(&mut self, contacts: &[ContactRow]) -> Result<()> {
        self.write_contacts_read_at(contacts, None)
            .await
            .map(|_| ())
    }

    /// Like [`Unit::write_contacts`], but when `read_at` is given an existing contact changed
    /// after that time (by a person, while a sync worked from what it read earlier) is left as it
    /// is; returns the ids of the contacts so left.
    pub async fn write_contacts_read_at(
        &mut self,
        contacts: &[ContactRow],
        read_at: Option<i64>,
    ) -> Result<Vec<Uuid>> {
        let ws = self.ws();
        let rows = last_per_key(contacts.iter().collect(), |c| c.id);
        let per = self.db.backend().rows_per_statement();
        let cols = contact_columns();
        let updates: Vec<String> = cols
            .split(", ")
            .filter(|c| *c != "id" && *c != "created_at")
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let insert = format!("INSERT INTO contacts (workspace_id, {cols}) ");
        let upsert = format!(
            " ON CONFLICT (id) DO UPDATE SET {} WHERE contacts.workspace_id = excluded.workspace_id{} RETURNING id",
            updates.join(", "),
            if read_at.is_some() {
                " AND contacts.updated_at <= $read_at"
            } else {
                ""
            }
        );
        unit_dispatch!(self, |conn| {
            let mut left: Vec<Uuid> = Vec::new();
            for chunk in rows.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(&insert);
                q.push_values(chunk.iter(), |mut b, c| {
                    b.push_bind(ws)
                        .push_bind(c.id)
                        .push_bind(c.organization_id)
                        .push_bind(c.tenant_id.clone())
                        .push_bind(c.object_id.clone());
                    for v in &c.values {
                        b.push_bind(v.clone());
                    }
                    b.push_bind(c.upn.clone())
                        .push_bind(c.sort_key.clone())
                        .push_bind(c.email_key.clone())
                        .push_bind(c.deleted_in_entra)
                        .push_bind(c.disabled)
                        .push_bind(c.conflicts)
                        .push_bind(c.synced_fields)
                        .push_bind(c.field_notes.clone())
                        .push_bind(c.created_at)
                        .push_bind(c.updated_at);
                });
                match upsert.split_once("$read_at") {
                    Some((head, tail)) => {
                        q.push(head)
                            .push_bind(read_at.unwrap_or(i64::MAX))
                            .push(tail);
                    }
                    None => {
                        q.push(&upsert);
                    }
                }
                let written: HashSet<Uuid> = q
                    .build_query_scalar::<Uuid>()
                    .fetch_all(&mut *conn)
                    .await?
                    .into_iter()
                    .collect();
                let skipped: Vec<Uuid> = chunk
                    .iter()
                    .map(|c| c.id)
                    .filter(|id| !written.contains(id))
                    .collect();
                if !skipped.is_empty() {
                    // Skipped: changed since `read_at`, or an id of another workspace (refused).
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT COUNT(*) FROM contacts WHERE workspace_id <> ",
                    );
                    q.push_bind(ws).push(" AND id IN (");
                    let mut sep = q.separated(", ");
                    for id in &skipped {
                        sep.push_bind(*id);
                    }
                    sep.push_unseparated(")");
                    let foreign: i64 = q.build_query_scalar().fetch_one(&mut *conn).await?;
                    if foreign > 0 || read_at.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    left.extend(skipped);
                }
                if written.is_empty() {
                    continue;
                }
                let mut del =
                    sqlx::QueryBuilder::new("DELETE FROM contact_groups WHERE workspace_id = ");
                del.push_bind(ws).push(" AND contact_id IN (");
                let mut sep = del.separated(", ");
                for id in &written {
                    sep.push_bind(*id);
                }
                sep.push_unseparated(")");
                del.build().execute(&mut *conn).await?;
                let groups: Vec<(Uuid, &String)> = chunk
                    .iter()
                    .filter(|c| written.contains(&c.id))
                    .flat_map(|c| c.groups.iter().map(move |g| (c.id, g)))
                    .collect();
                for part in groups.chunks(per * 2) {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO contact_groups (workspace_id, contact_id, name) ",
                    );
                    q.push_values(part.iter(), |mut b, (id, g)| {
                        b.push_bind(ws).push_bind(*id).push_bind((*g).clone());
                    });
                    q.build().execute(&mut *conn).await?;
                }
            }
            Ok::<Vec<Uuid>, StoreError>(left)
        })
    }

    /// Records contact events, in multi-row statements.
    pub async fn add_contact_events(&mut self, events: &[ContactEventRow]) -> Result<()> {
        let ws = self.ws();
        let per = self.db.backend().rows_per_statement();
        unit_dispatch!(self, |conn| {
            for chunk in events.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO contact_events (id, workspace_id, contact_id, kind, detail, run_id, actor, created_at) ",
                );
                q.push_values(chunk.iter(), |mut b, e| {
                    b.push_bind(e.id)
                        .push_bind(ws)
                        .push_bind(e.contact_id)
                        .push_bind(e.kind.clone())
                        .push_bind(e.detail.clone())
                        .push_bind(e.run_id)
                        .push_bind(e.actor.clone())
                        .push_bind(e.created_at);
                });
                q.build().execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })
    }

    /// Stores a new sync run; `false` (and nothing stored) when it is not a preview and the
    /// connection already has a run waiting or running.
    pub async fn insert_run(&mut self, run: &SyncRunRow) -> Result<bool> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO sync_runs (id, workspace_id, connection_id, trigger, requested_by, preview, status, queued_at, \
             started_at, finished_at, counts, plan, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT DO NOTHING"
        )
        .bind(run.id)
        .bind(ws)
        .bind(run.connection_id)
        .bind(&run.trigger)
        .bind(&run.requested_by)
        .bind(run.preview)
        .bind(&run.status)
        .bind(run.queued_at)
        .bind(run.started_at)
        .bind(run.finished_at)
        .bind(&run.counts)
        .bind(&run.plan)
        .bind(&run.error)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Records a run's progress or outcome; only from the status it was read in (`from`), so two
    /// people confirming one held run cannot both apply it. `false` when the status had changed.
    pub async fn update_run(&mut self, run: &SyncRunRow, from: &str) -> Result<bool> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE sync_runs SET status = $3, started_at = $4, finished_at = $5, counts = $6, plan = $7, error = $8 \
             WHERE workspace_id = $1 AND id = $2 AND status = $9"
        )
        .bind(ws)
        .bind(run.id)
        .bind(&run.status)
        .bind(run.started_at)
        .bind(run.finished_at)
        .bind(&run.counts)
        .bind(&run.plan)
        .bind(&run.error)
        .bind(from)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Stores a connection's sync settings (JSON).
    pub async fn set_sync_settings(&mut self, connection_id: Uuid, json: &str) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE tenant_connections SET sync_settings = $3 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws)
        .bind(connection_id)
        .bind(json)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

/// A user in the contact review queue.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRow {
    pub connection_id: Uuid,
    pub object_id: String,
    pub display_name: String,
    /// JSON of the user as the sync saw it.
    pub user_data: String,
    /// JSON of why the user waits.
    pub reason: String,
    pub preselected: bool,
    pub status: String,
    pub run_id: Option<Uuid>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const REVIEW_COLUMNS: &str = "connection_id, object_id, display_name, user_data, reason, preselected, status, \
     run_id, decided_by, decided_at, created_at, updated_at";

impl WorkspaceScope<'_> {
    /// The users of a connection a reviewer chose to ignore.
    pub async fn ignored_users(&self, connection_id: Uuid) -> Result<Vec<String>> {
        Ok(dispatch!(self.db, |pool| {
            sqlx::query_scalar(
            "SELECT object_id FROM contact_review WHERE workspace_id = $1 AND connection_id = $2 AND status = 'ignored'"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .fetch_all(pool)
        .await
        })?)
    }

    /// The review queue (`status` open or ignored), by name, at most `limit` users.
    pub async fn review_items(&self, status: &str, limit: i64) -> Result<Vec<ReviewRow>> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM contact_review WHERE workspace_id = $1 AND status = $2 \
             ORDER BY display_name, object_id LIMIT $3"
        );
        Ok(dispatch!(self.db, |pool| sqlx::query_as::<_, ReviewRow>(
            &sql
        )
        .bind(self.workspace_id.as_uuid())
        .bind(status)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }

    /// One user of the review queue.
    pub async fn review_item(&self, connection_id: Uuid, object_id: &str) -> Result<ReviewRow> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM contact_review WHERE workspace_id = $1 AND connection_id = $2 AND object_id = $3"
        );
        dispatch!(self.db, |pool| sqlx::query_as::<_, ReviewRow>(&sql)
            .bind(self.workspace_id.as_uuid())
            .bind(connection_id)
            .bind(object_id)
            .fetch_optional(pool)
            .await)?
        .ok_or(StoreError::NotFound)
    }
}

impl Unit<'_> {
    /// Puts a run's review items in the queue: open items are refreshed (decided ones keep their
    /// decision), and open items of the connection this run did not raise again are removed —
    /// of every user, or (after a delta round, which lists only some) of the `listed` users.
    pub async fn sync_review(
        &mut self,
        connection_id: Uuid,
        run_id: Uuid,
        items: &[ReviewRow],
        listed: Option<&[String]>,
    ) -> Result<()> {
        let ws = self.ws();
        let per = self.db.backend().rows_per_statement();
        let rows = last_per_key(items.iter().collect(), |r| r.object_id.clone());
        unit_dispatch!(self, |conn| {
            for chunk in rows.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(format!(
                    "INSERT INTO contact_review (workspace_id, {REVIEW_COLUMNS}) "
                ));
                q.push_values(chunk.iter(), |mut b, r| {
                    b.push_bind(ws)
                        .push_bind(connection_id)
                        .push_bind(r.object_id.clone())
                        .push_bind(r.display_name.clone())
                        .push_bind(r.user_data.clone())
                        .push_bind(r.reason.clone())
                        .push_bind(r.preselected)
                        .push_bind("open")
                        .push_bind(run_id)
                        .push_bind(None::<String>)
                        .push_bind(None::<i64>)
                        .push_bind(r.created_at)
                        .push_bind(r.updated_at);
                });
                q.push(
                    " ON CONFLICT (connection_id, object_id) DO UPDATE SET display_name = excluded.display_name, \
                     user_data = excluded.user_data, reason = excluded.reason, preselected = excluded.preselected, \
                     run_id = excluded.run_id, updated_at = excluded.updated_at \
                     WHERE contact_review.status = 'open' AND contact_review.workspace_id = excluded.workspace_id",
                );
                q.build().execute(&mut *conn).await?;
            }
            match listed {
                None => {
                    sqlx::query(
                        "DELETE FROM contact_review WHERE workspace_id = $1 AND connection_id = $2 AND status = 'open' \
                         AND (run_id IS NULL OR run_id <> $3)",
                    )
                    .bind(ws)
                    .bind(connection_id)
                    .bind(run_id)
                    .execute(&mut *conn)
                    .await?;
                }
                Some(ids) => {
                    for chunk in ids.chunks(per.max(50) * 4) {
                        let mut q = sqlx::QueryBuilder::new(
                            "DELETE FROM contact_review WHERE status = 'open' AND workspace_id = ",
                        );
                        q.push_bind(ws)
                            .push(" AND connection_id = ")
                            .push_bind(connection_id)
                            .push(" AND (run_id IS NULL OR run_id <> ")
                            .push_bind(run_id)
                            .push(") AND object_id IN (");
                        let mut sep = q.separated(", ");
                        for id in chunk {
                            sep.push_bind(id.as_str());
                        }
                        sep.push_unseparated(")");
                        q.build().execute(&mut *conn).await?;
                    }
                }
            }
            Ok::<(), StoreError>(())
        })
    }

    /// Records a reviewer's decision on a user, only from status `from`; `false` when the user
    /// was no longer in that status.
    pub async fn decide_review(
        &mut self,
        connection_id: Uuid,
        object_id: &str,
        from: &str,
        status: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE contact_review SET status = $4, decided_by = $5, decided_at = $6, updated_at = $6 \
             WHERE workspace_id = $1 AND connection_id = $2 AND object_id = $3 AND status = $7"
        )
        .bind(ws)
        .bind(connection_id)
        .bind(object_id)
        .bind(status)
        .bind(by)
        .bind(now_ms)
        .bind(from)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }
}
