//! Leases for background work: which instance of a cluster runs a job now.
//!
//! A lease is a row per job name. An instance claims it with one conditional `UPDATE … RETURNING`:
//! it wins when the lease is free or has run out (or is already its own), and every claim bumps the
//! lease's version. Work done under a lease checks, in the same unit as its writes, that the
//! version is still the one it was given (see [`Unit::hold`]), so an instance whose lease ran out
//! while it was paused cannot write over the one that took over.

use crate::db::{Db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use roster_domain::WorkspaceId;

/// A claimed lease: the job's name, who holds it, until when, and the version of this claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub until_ms: i64,
    pub version: i64,
}

impl Db {
    /// Claims the lease `name` for `holder` until `until_ms`, if it is free at `now_ms` (never
    /// claimed, run out, or already `holder`'s). `None` when another holder has it.
    pub async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<Lease>> {
        // On PostgreSQL the row is taken with `FOR UPDATE SKIP LOCKED`: while another instance's
        // unit holds the lease (`Unit::hold` locks the row), a claim answers "held" at once instead
        // of queueing behind that unit. SQLite has one writer at a time, so the plain conditional
        // update is the same decision.
        let claim = match self {
            Db::Sqlite(_) => {
                "UPDATE job_leases SET holder = $2, lease_until = $4, version = version + 1 \
                 WHERE name = $1 AND (lease_until <= $3 OR holder = $2) \
                 RETURNING lease_until, version"
            }
            Db::Postgres(_) => {
                "UPDATE job_leases SET holder = $2, lease_until = $4, version = version + 1 \
                 WHERE name = (SELECT name FROM job_leases WHERE name = $1 AND (lease_until <= $3 OR holder = $2) \
                               FOR UPDATE SKIP LOCKED) \
                 RETURNING lease_until, version"
            }
        };
        let row: Option<(i64, i64)> = dispatch!(self, |pool| {
            sqlx::query(
                "INSERT INTO job_leases (name, holder, lease_until, version) VALUES ($1, '', 0, 0) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .execute(pool)
            .await?;
            sqlx::query_as(claim)
                .bind(name)
                .bind(holder)
                .bind(now_ms)
                .bind(until_ms)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(until_ms, version)| Lease {
            name: name.to_owned(),
            holder: holder.to_owned(),
            until_ms,
            version,
        }))
    }

    /// Gives a lease back early (when its work is done), if it is still this claim.
    pub async fn release_lease(&self, lease: &Lease) -> Result<()> {
        dispatch!(self, |pool| sqlx::query(
            "UPDATE job_leases SET lease_until = 0 WHERE name = $1 AND version = $2"
        )
        .bind(&lease.name)
        .bind(lease.version)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The workspace scope that work under `lease` uses: background work acts for a workspace
    /// without a person's session, and only while it holds a lease.
    pub fn scope_under<'a>(
        &'a self,
        _lease: &Lease,
        workspace_id: WorkspaceId,
    ) -> WorkspaceScope<'a> {
        WorkspaceScope {
            db: self,
            workspace_id,
        }
    }
}

impl Unit<'_> {
    /// Fails the unit with [`StoreError::LeaseLost`] unless `lease` is still held by this claim
    /// and has not run out at `now_ms`; call it before the unit's writes. On PostgreSQL the lease
    /// row stays locked until the unit ends, so nobody can claim it in between.
    pub async fn hold(&mut self, lease: &Lease, now_ms: i64) -> Result<()> {
        let lock = if self.is_postgres() {
            " FOR UPDATE"
        } else {
            ""
        };
        let sql = format!(
            "SELECT version FROM job_leases WHERE name = $1 AND version = $2 AND lease_until > $3{lock}"
        );
        let found: Option<i64> = unit_dispatch!(self, |conn| sqlx::query_scalar(&sql)
            .bind(&lease.name)
            .bind(lease.version)
            .bind(now_ms)
            .fetch_optional(&mut *conn)
            .await)?;
        found.map(|_| ()).ok_or(StoreError::LeaseLost)
    }
}
