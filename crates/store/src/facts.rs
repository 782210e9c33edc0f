//! Tenant facts: snapshots written by every successful sync (never updated), Secure Score by day,
//! and each Entra user's overlay, whose sources are written independently so a source that could
//! not be read leaves its earlier values in place.

use crate::batch::last_per_key;
use crate::db::dispatch;
use crate::error::Result;
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use uuid::Uuid;

/// One snapshot of a tenant. `None` in a fact column is "unknown"; `details` says why.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct SnapshotRow {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub run_id: Option<Uuid>,
    pub taken_at: i64,
    pub score_current: Option<f64>,
    pub score_max: Option<f64>,
    pub members: Option<i64>,
    pub licensed_users: Option<i64>,
    pub active_users: Option<i64>,
    pub active_source: Option<String>,
    pub mfa_registered: Option<i64>,
    pub mfa_not_registered: Option<i64>,
    pub mfa_unknown: Option<i64>,
    pub unassigned_units: Option<i64>,
    pub details: String,
}

/// Secure Score of one day (`day` is `YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ScoreDayRow {
    pub day: String,
    pub current_score: f64,
    pub max_score: f64,
}

/// The overlay of one Entra user. Each source's `*_at` is when it was last read (`None`: never).
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct UserFactsRow {
    pub tenant_id: String,
    pub object_id: String,
    pub directory_at: Option<i64>,
    pub account_enabled: Option<bool>,
    pub licences: Option<String>,
    pub licensed: Option<bool>,
    pub business_tier: Option<String>,
    pub password_changed_at: Option<i64>,
    pub sign_in_at: Option<i64>,
    pub last_sign_in: Option<i64>,
    pub last_non_interactive: Option<i64>,
    pub last_seen: Option<i64>,
    pub mfa_at: Option<i64>,
    pub mfa: Option<String>,
    pub mfa_methods: Option<String>,
    pub default_method: Option<String>,
    pub is_admin: Option<bool>,
    pub activity_at: Option<i64>,
    pub last_activity: Option<String>,
    pub mailbox_at: Option<i64>,
    pub mailbox: Option<String>,
    pub devices_at: Option<i64>,
    pub devices: Option<String>,
}

/// Which sources a write of user facts carries; the columns of the others are left as they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactSources {
    pub directory: bool,
    pub sign_in: bool,
    pub mfa: bool,
    pub activity: bool,
    pub mailbox: bool,
    pub devices: bool,
}

const DIRECTORY: [&str; 6] = [
    "directory_at",
    "account_enabled",
    "licences",
    "licensed",
    "business_tier",
    "password_changed_at",
];
const SIGN_IN: [&str; 4] = [
    "sign_in_at",
    "last_sign_in",
    "last_non_interactive",
    "last_seen",
];
const MFA: [&str; 5] = ["mfa_at", "mfa", "mfa_methods", "default_method", "is_admin"];
const ACTIVITY: [&str; 2] = ["activity_at", "last_activity"];
const MAILBOX: [&str; 2] = ["mailbox_at", "mailbox"];
const DEVICES: [&str; 2] = ["devices_at", "devices"];

impl FactSources {
    /// Every source.
    #[must_use]
    pub fn all() -> Self {
        Self {
            directory: true,
            sign_in: true,
            mfa: true,
            activity: true,
            mailbox: true,
            devices: true,
        }
    }

    fn columns(self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (on, cols) in [
            (self.directory, &DIRECTORY[..]),
            (self.sign_in, &SIGN_IN[..]),
            (self.mfa, &MFA[..]),
            (self.activity, &ACTIVITY[..]),
            (self.mailbox, &MAILBOX[..]),
            (self.devices, &DEVICES[..]),
        ] {
            if on {
                out.extend_from_slice(cols);
            }
        }
        out
    }

    /// True when no source is carried.
    #[must_use]
    pub fn none(self) -> bool {
        self.columns().is_empty()
    }
}

fn fact_columns() -> String {
    let mut cols = vec!["tenant_id", "object_id"];
    cols.extend(FactSources::all().columns());
    cols.join(", ")
}

const SNAPSHOT_COLUMNS: &str = "id, connection_id, run_id, taken_at, score_current, score_max, members, \
    licensed_users, active_users, active_source, mfa_registered, mfa_not_registered, mfa_unknown, \
    unassigned_units, details";

impl WorkspaceScope<'_> {
    /// A tenant's newest snapshots, newest first.
    pub async fn snapshots(&self, connection_id: Uuid, limit: i64) -> Result<Vec<SnapshotRow>> {
        let sql = format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM tenant_snapshots WHERE workspace_id = $1 AND connection_id = $2 \
             ORDER BY taken_at DESC, id DESC LIMIT $3"
        );
        Ok(dispatch!(self.db, |pool| {
            sqlx::query_as::<_, SnapshotRow>(&sql)
                .bind(self.workspace_id.as_uuid())
                .bind(connection_id)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    /// The newest snapshot of every tenant of the workspace that has one.
    pub async fn latest_snapshots(&self) -> Result<Vec<SnapshotRow>> {
        let sql = format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM tenant_snapshots s WHERE workspace_id = $1 AND taken_at = \
             (SELECT MAX(taken_at) FROM tenant_snapshots t WHERE t.workspace_id = s.workspace_id AND t.connection_id = s.connection_id)"
        );
        Ok(dispatch!(self.db, |pool| {
            sqlx::query_as::<_, SnapshotRow>(&sql)
                .bind(self.workspace_id.as_uuid())
                .fetch_all(pool)
                .await
        })?)
    }

    /// A tenant's Secure Score by day from `since` (`YYYY-MM-DD`) on, oldest first.
    pub async fn score_days(&self, connection_id: Uuid, since: &str) -> Result<Vec<ScoreDayRow>> {
        Ok(dispatch!(self.db, |pool| {
            sqlx::query_as::<_, ScoreDayRow>(
                "SELECT day, current_score, max_score FROM secure_score_days \
             WHERE workspace_id = $1 AND connection_id = $2 AND day >= $3 ORDER BY day",
            )
            .bind(self.workspace_id.as_uuid())
            .bind(connection_id)
            .bind(since)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The newest day of Secure Score stored for a tenant.
    pub async fn last_score_day(&self, connection_id: Uuid) -> Result<Option<String>> {
        Ok(dispatch!(self.db, |pool| sqlx::query_scalar::<
            _,
            Option<String>,
        >(
            "SELECT MAX(day) FROM secure_score_days WHERE workspace_id = $1 AND connection_id = $2"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .fetch_one(pool)
        .await)?)
    }

    /// The overlays of the given users (tenant ID, object ID); missing ones are left out.
    pub async fn user_facts(&self, users: &[(String, String)]) -> Result<Vec<UserFactsRow>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let ws = self.workspace_id.as_uuid();
        let select = format!(
            "SELECT {} FROM entra_user_facts WHERE workspace_id = ",
            fact_columns()
        );
        let mut out = Vec::with_capacity(users.len());
        for chunk in users.chunks(200) {
            let rows = dispatch!(self.db, |pool| {
                let mut q = sqlx::QueryBuilder::new(&select);
                q.push_bind(ws).push(" AND (tenant_id, object_id) IN (");
                let mut sep = q.separated(", ");
                for (t, o) in chunk {
                    sep.push("(")
                        .push_bind_unseparated(t.clone())
                        .push_unseparated(", ")
                        .push_bind_unseparated(o.clone())
                        .push_unseparated(")");
                }
                sep.push_unseparated(")");
                q.build_query_as::<UserFactsRow>().fetch_all(pool).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }
}

impl Unit<'_> {
    /// Appends a snapshot. Its time is kept after the connection's latest snapshot (by a
    /// millisecond if the clock has not moved on), so the newest snapshot is always the one
    /// written last.
    pub async fn insert_snapshot(&mut self, s: &SnapshotRow) -> Result<()> {
        let ws = self.ws();
        let latest: Option<i64> = unit_dispatch!(self, |conn| {
            sqlx::query_scalar(
            "SELECT MAX(taken_at) FROM tenant_snapshots WHERE workspace_id = $1 AND connection_id = $2"
        )
        .bind(ws)
        .bind(s.connection_id)
        .fetch_one(&mut *conn)
        .await
        })?;
        let taken_at = latest.map_or(s.taken_at, |l| s.taken_at.max(l.saturating_add(1)));
        let sql = format!(
            "INSERT INTO tenant_snapshots (workspace_id, {SNAPSHOT_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        );
        unit_dispatch!(self, |conn| sqlx::query(&sql)
            .bind(ws)
            .bind(s.id)
            .bind(s.connection_id)
            .bind(s.run_id)
            .bind(taken_at)
            .bind(s.score_current)
            .bind(s.score_max)
            .bind(s.members)
            .bind(s.licensed_users)
            .bind(s.active_users)
            .bind(s.active_source.clone())
            .bind(s.mfa_registered)
            .bind(s.mfa_not_registered)
            .bind(s.mfa_unknown)
            .bind(s.unassigned_units)
            .bind(s.details.clone())
            .execute(&mut *conn)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Stores Secure Score days; a day already stored takes Microsoft's newer figures.
    pub async fn upsert_score_days(
        &mut self,
        connection_id: Uuid,
        days: &[ScoreDayRow],
    ) -> Result<()> {
        let ws = self.ws();
        let days = last_per_key(days.iter().collect(), |d| d.day.clone());
        let per = self.db.backend().rows_per_statement();
        unit_dispatch!(self, |conn| {
            for chunk in days.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO secure_score_days (workspace_id, connection_id, day, current_score, max_score) ",
                );
                q.push_values(chunk.iter(), |mut b, d| {
                    b.push_bind(ws)
                        .push_bind(connection_id)
                        .push_bind(d.day.clone())
                        .push_bind(d.current_score)
                        .push_bind(d.max_score);
                });
                q.push(
                    " ON CONFLICT (workspace_id, connection_id, day) DO UPDATE SET \
                     current_score = excluded.current_score, max_score = excluded.max_score",
                );
                q.build().execute(&mut *conn).await?;
            }
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }

    /// Writes users' overlays: the columns of the sources in `sources`, leaving the others as
    /// they were (a new row starts with them unknown).
    pub async fn write_user_facts(
        &mut self,
        rows: &[UserFactsRow],
        sources: FactSources,
    ) -> Result<()> {
        if sources.none() || rows.is_empty() {
            return Ok(());
        }
        let ws = self.ws();
        let rows = last_per_key(rows.iter().collect(), |r| {
            (r.tenant_id.clone(), r.object_id.clone())
        });
        // Each row binds 25 values: 200 rows stay well under SQLite's limit of 32,766.
        let per = match self.db.backend() {
            crate::db::Backend::Sqlite => 200,
            crate::db::Backend::Postgres => 1000,
        };
        let insert = format!(
            "INSERT INTO entra_user_facts (workspace_id, {}) ",
            fact_columns()
        );
        let set: Vec<String> = sources
            .columns()
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let upsert = format!(
            " ON CONFLICT (workspace_id, tenant_id, object_id) DO UPDATE SET {}",
            set.join(", ")
        );
        unit_dispatch!(self, |conn| {
            for chunk in rows.chunks(per) {
                let mut q = sqlx::QueryBuilder::new(&insert);
                q.push_values(chunk.iter(), |mut b, r| {
                    b.push_bind(ws)
                        .push_bind(r.tenant_id.clone())
                        .push_bind(r.object_id.clone())
                        .push_bind(r.directory_at)
                        .push_bind(r.account_enabled)
                        .push_bind(r.licences.clone())
                        .push_bind(r.licensed)
                        .push_bind(r.business_tier.clone())
                        .push_bind(r.password_changed_at)
                        .push_bind(r.sign_in_at)
                        .push_bind(r.last_sign_in)
                        .push_bind(r.last_non_interactive)
                        .push_bind(r.last_seen)
                        .push_bind(r.mfa_at)
                        .push_bind(r.mfa.clone())
                        .push_bind(r.mfa_methods.clone())
                        .push_bind(r.default_method.clone())
                        .push_bind(r.is_admin)
                        .push_bind(r.activity_at)
                        .push_bind(r.last_activity.clone())
                        .push_bind(r.mailbox_at)
                        .push_bind(r.mailbox.clone())
                        .push_bind(r.devices_at)
                        .push_bind(r.devices.clone());
                });
                q.push(&upsert);
                q.build().execute(&mut *conn).await?;
            }
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_that_was_not_read_is_not_in_the_update() {
        let only_mfa = FactSources {
            mfa: true,
            ..FactSources::default()
        };
        let cols = only_mfa.columns();
        assert!(cols.contains(&"mfa"));
        assert!(!cols.contains(&"licences"));
        assert!(!cols.contains(&"last_sign_in"));
        assert!(FactSources::default().none());
        assert_eq!(
            FactSources::all().columns().len() + 2,
            fact_columns().split(", ").count()
        );
    }
}
