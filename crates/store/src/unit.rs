//! Units of work: one database transaction that a use-case's writes share, so a change, its
//! audit entry and whatever else belongs with it commit together or not at all.
//!
//! A [`Unit`] is opened from a [`WorkspaceScope`] and binds that workspace to every statement it
//! runs, like the scope does for reads. On SQLite it starts with `BEGIN IMMEDIATE`: the write lock
//! is taken at the start, so two units never both read and then fail to upgrade to a write
//! (`SQLITE_BUSY` in the middle of a use-case); they queue on the busy timeout instead. Dropping a
//! unit without [`Unit::commit`] rolls everything back.
//!
//! Keep units short: open one after any call to Microsoft, never around it, and do not write
//! through the pool while a unit is open (on SQLite that write would wait for the unit).

use crate::db::Db;
use crate::error::Result;
use crate::scope::WorkspaceScope;
use roster_domain::WorkspaceId;
use sqlx::{Postgres, Sqlite, Transaction};

/// An open transaction on either engine.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same expression on the unit's connection, whichever engine it is; `$conn` is a
/// `&mut` connection inside (reborrow it with `&mut *$conn` for each statement).
macro_rules! unit_dispatch {
    ($unit:expr, |$conn:ident| $body:expr) => {
        match &mut $unit.tx {
            $crate::unit::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::unit::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}
pub(crate) use unit_dispatch;

/// The writes of one use-case in one workspace, committed together.
pub struct Unit<'a> {
    pub(crate) db: &'a Db,
    pub(crate) tx: Tx,
    pub(crate) workspace_id: WorkspaceId,
}

impl std::fmt::Debug for Unit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unit")
            .field("backend", &self.db.backend())
            .field("workspace_id", &self.workspace_id)
            .finish()
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Db {
    /// Begins a write transaction: `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl<'a> WorkspaceScope<'a> {
    /// Opens a unit of work in this workspace.
    pub async fn begin(&self) -> Result<Unit<'a>> {
        Ok(Unit {
            db: self.db,
            tx: self.db.begin_write().await?,
            workspace_id: self.workspace_id,
        })
    }
}

impl Unit<'_> {
    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    pub(crate) fn ws(&self) -> uuid::Uuid {
        self.workspace_id.as_uuid()
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.tx, Tx::Postgres(_))
    }

    /// Makes every write of the unit permanent.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }
}
