//! Sync runs as jobs, and the schedule that queues them.
//!
//! A queued run is claimed by one worker of one instance with a single conditional
//! `UPDATE … RETURNING` (on PostgreSQL the candidate row is taken `FOR UPDATE SKIP LOCKED`, so
//! workers of several instances never wait on each other or take the same run). The claim is a
//! lease: its holder renews it while the run goes on (the heartbeat) and checks, in each unit that
//! writes the run's contacts, that it still holds it ([`Unit::hold_run`]). A run whose lease ran
//! out (its instance stopped) is found by [`Db::expired_runs`] and queued again or failed.
//!
//! The partial unique index `sync_runs_one_active` keeps at most one queued-or-running run per
//! connection (previews aside), so two workers never sync one tenant at once and pressing Sync now
//! twice queues one run.

use crate::contacts::{RUN_COLUMNS, SyncRunRow};
use crate::db::{Db, dispatch};
use crate::error::{Result, StoreError};
use crate::lease::Lease;
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use roster_domain::WorkspaceId;
use uuid::Uuid;

/// A run a worker claimed: the workspace it belongs to, the run, and the claim (holder and
/// attempt number) that its writes must still hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedRun {
    pub workspace_id: WorkspaceId,
    pub run: SyncRunRow,
    pub holder: String,
}

impl ClaimedRun {
    /// The workspace scope the run's work uses: a worker acts for the run's workspace, without a
    /// person's session, only while it holds the run.
    pub fn scope<'a>(&self, db: &'a Db) -> WorkspaceScope<'a> {
        WorkspaceScope {
            db,
            workspace_id: self.workspace_id,
        }
    }
}

/// A running run whose lease ran out.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ExpiredRun {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub attempts: i32,
    pub lease_until: Option<i64>,
}

/// A connection the scheduler has to look at: its next sync is due, or not worked out yet.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DueConnection {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub sync_settings: Option<String>,
    pub next_sync_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    workspace_id: Uuid,
    #[sqlx(flatten)]
    run: SyncRunRow,
}

impl Db {
    /// Claims the oldest queued run for `holder` until `until_ms`, starting it at `now_ms`;
    /// `None` when nothing is queued (or every queued run is being claimed by someone else).
    pub async fn claim_run(
        &self,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<ClaimedRun>> {
        let lock = match self {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE sync_runs SET status = 'running', lease_holder = $1, lease_until = $3, started_at = $2, \
             attempts = attempts + 1, progress = NULL \
             WHERE id = (SELECT id FROM sync_runs WHERE status = 'queued' ORDER BY queued_at, id LIMIT 1{lock}) \
             AND status = 'queued' RETURNING workspace_id, {RUN_COLUMNS}"
        );
        let row: Option<ClaimedRow> = dispatch!(self, |pool| sqlx::query_as(&sql)
            .bind(holder)
            .bind(now_ms)
            .bind(until_ms)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| ClaimedRun {
            workspace_id: WorkspaceId::from_uuid(r.workspace_id),
            run: r.run,
            holder: holder.to_owned(),
        }))
    }

    /// Renews a claimed run's lease until `until_ms` and records its progress; `false` when the
    /// claim is no longer held (it ran out before `now_ms`, or the run was taken over or ended).
    pub async fn heartbeat(
        &self,
        job: &ClaimedRun,
        now_ms: i64,
        until_ms: i64,
        progress: &str,
    ) -> Result<bool> {
        let n = dispatch!(self, |pool| {
            sqlx::query(
            "UPDATE sync_runs SET lease_until = $4, progress = $5 WHERE id = $1 AND status = 'running' \
             AND lease_holder = $2 AND attempts = $3 AND lease_until > $6"
        )
        .bind(job.run.id)
        .bind(&job.holder)
        .bind(job.run.attempts)
        .bind(until_ms)
        .bind(progress)
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Running runs whose lease ran out before `now_ms` (their instance stopped or lost touch).
    pub async fn expired_runs(&self, now_ms: i64) -> Result<Vec<ExpiredRun>> {
        Ok(dispatch!(self, |pool| sqlx::query_as(
            "SELECT workspace_id, id, attempts, lease_until FROM sync_runs \
             WHERE status = 'running' AND lease_until <= $1 ORDER BY queued_at, id LIMIT 100"
        )
        .bind(now_ms)
        .fetch_all(pool)
        .await)?)
    }

    /// Puts an expired run back in the queue, if it is still the run [`Db::expired_runs`] saw.
    pub async fn requeue_run(&self, expired: &ExpiredRun) -> Result<bool> {
        let n = dispatch!(self, |pool| {
            sqlx::query(
            "UPDATE sync_runs SET status = 'queued', lease_holder = NULL, lease_until = NULL \
             WHERE id = $1 AND status = 'running' AND attempts = $2 AND lease_until IS NOT DISTINCT FROM $3"
        )
        .bind(expired.id)
        .bind(expired.attempts)
        .bind(expired.lease_until)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Records an expired run as failed with `error` (JSON), if it is still the run
    /// [`Db::expired_runs`] saw.
    pub async fn fail_expired_run(
        &self,
        expired: &ExpiredRun,
        now_ms: i64,
        error: &str,
    ) -> Result<bool> {
        let n = dispatch!(self, |pool| {
            sqlx::query(
            "UPDATE sync_runs SET status = 'failed', finished_at = $4, error = $5, plan = NULL \
             WHERE id = $1 AND status = 'running' AND attempts = $2 AND lease_until IS NOT DISTINCT FROM $3"
        )
        .bind(expired.id)
        .bind(expired.attempts)
        .bind(expired.lease_until)
        .bind(now_ms)
        .bind(error)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Connections matched to an organization whose next sync is due at `now_ms`, or not worked
    /// out yet; at most `limit`, the most overdue first. Only the scheduler, under its lease,
    /// reads across workspaces.
    pub async fn due_connections(
        &self,
        _lease: &Lease,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueConnection>> {
        Ok(dispatch!(self, |pool| sqlx::query_as(
            "SELECT workspace_id, id, sync_settings, next_sync_at FROM tenant_connections \
             WHERE organization_id IS NOT NULL AND (next_sync_at IS NULL OR next_sync_at <= $1) \
             ORDER BY next_sync_at, id LIMIT $2"
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }
}

impl WorkspaceScope<'_> {
    /// The connection's run that is queued or running (not a preview), if any.
    pub async fn active_run(&self, connection_id: Uuid) -> Result<Option<Uuid>> {
        Ok(dispatch!(self.db, |pool| sqlx::query_scalar(
            "SELECT id FROM sync_runs WHERE workspace_id = $1 AND connection_id = $2 \
             AND status IN ('queued', 'running') AND preview = FALSE"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Whether the last `n` finished runs of the connection (previews and discarded runs aside)
    /// all failed: `n` consecutive failures.
    pub async fn failed_in_a_row(&self, connection_id: Uuid, n: i64) -> Result<bool> {
        let statuses: Vec<String> = dispatch!(self.db, |pool| {
            sqlx::query_scalar(
            "SELECT status FROM sync_runs WHERE workspace_id = $1 AND connection_id = $2 AND preview = FALSE \
             AND status IN ('succeeded', 'failed') ORDER BY queued_at DESC, id DESC LIMIT $3"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .bind(n)
        .fetch_all(pool)
        .await
        })?;
        Ok(statuses.len() as i64 == n && statuses.iter().all(|s| s == "failed"))
    }

    /// The connection's delta link and when its last complete listing was.
    pub async fn delta_state(&self, connection_id: Uuid) -> Result<(Option<String>, Option<i64>)> {
        let row: Option<(Option<String>, Option<i64>)> = dispatch!(self.db, |pool| {
            sqlx::query_as(
            "SELECT delta_link, full_listing_at FROM tenant_connections WHERE workspace_id = $1 AND id = $2"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .fetch_optional(pool)
        .await
        })?;
        row.ok_or(StoreError::NotFound)
    }
}

impl Unit<'_> {
    /// Fails the unit with [`StoreError::LeaseLost`] unless `job`'s claim is still held at
    /// `now_ms`; call it before the writes of a claimed run. On PostgreSQL the run's row stays
    /// locked until the unit ends, so the claim cannot be taken over in between.
    pub async fn hold_run(&mut self, job: &ClaimedRun, now_ms: i64) -> Result<()> {
        let lock = if self.is_postgres() {
            " FOR UPDATE"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id FROM sync_runs WHERE workspace_id = $1 AND id = $2 AND status = 'running' \
             AND lease_holder = $3 AND attempts = $4 AND lease_until > $5{lock}"
        );
        let ws = self.ws();
        let found: Option<Uuid> = unit_dispatch!(self, |conn| sqlx::query_scalar(&sql)
            .bind(ws)
            .bind(job.run.id)
            .bind(&job.holder)
            .bind(job.run.attempts)
            .bind(now_ms)
            .fetch_optional(&mut *conn)
            .await)?;
        found.map(|_| ()).ok_or(StoreError::LeaseLost)
    }

    /// Moves a connection's next scheduled sync from `expected` (what the scheduler read) to
    /// `next`; `false` when someone else moved it first, so two schedulers never both queue it.
    pub async fn advance_schedule(
        &mut self,
        connection_id: Uuid,
        expected: Option<i64>,
        next: i64,
    ) -> Result<bool> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE tenant_connections SET next_sync_at = $3 WHERE workspace_id = $1 AND id = $2 \
             AND next_sync_at IS NOT DISTINCT FROM $4"
        )
        .bind(ws)
        .bind(connection_id)
        .bind(next)
        .bind(expected)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Sets a connection's next scheduled sync (when its schedule changed).
    pub async fn set_next_sync(&mut self, connection_id: Uuid, next: i64) -> Result<()> {
        let ws = self.ws();
        unit_dispatch!(self, |conn| sqlx::query(
            "UPDATE tenant_connections SET next_sync_at = $3 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws)
        .bind(connection_id)
        .bind(next)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Stores the delta link a complete round ended with (`None` forgets it), and, when the
    /// listing was complete, when.
    pub async fn set_delta_state(
        &mut self,
        connection_id: Uuid,
        delta_link: Option<&str>,
        full_listing_at: Option<i64>,
    ) -> Result<()> {
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE tenant_connections SET delta_link = $3, full_listing_at = COALESCE($4, full_listing_at) \
             WHERE workspace_id = $1 AND id = $2"
        )
        .bind(ws)
        .bind(connection_id)
        .bind(delta_link)
        .bind(full_listing_at)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }
}

impl WorkspaceScope<'_> {
    /// When the scheduler queues the connection's next sync (`i64::MAX`: never), if worked out.
    pub async fn next_sync_at(&self, connection_id: Uuid) -> Result<Option<i64>> {
        let row: Option<Option<i64>> = dispatch!(self.db, |pool| sqlx::query_scalar(
            "SELECT next_sync_at FROM tenant_connections WHERE workspace_id = $1 AND id = $2"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(connection_id)
        .fetch_optional(pool)
        .await)?;
        row.ok_or(StoreError::NotFound)
    }
}
