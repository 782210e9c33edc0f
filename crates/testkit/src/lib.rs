#![doc = include_str!("../README.md")]

mod clock;
mod emulator;

pub use clock::{TEST_START, TestClock};
pub use emulator::start_emulator;

use anyhow::Context;
use roster_store::Db;
use sqlx::Connection;

/// A migrated database that belongs to one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("backend", &self.db.backend())
            .finish()
    }
}

/// The PostgreSQL server URL tests may use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl TestDb {
    /// PostgreSQL when `TEST_DATABASE_URL` is set, SQLite otherwise.
    pub async fn fresh() -> anyhow::Result<Self> {
        match postgres_url() {
            Some(url) => Self::postgres(&url).await,
            None => Self::sqlite().await,
        }
    }

    /// A SQLite file in a new temporary directory.
    pub async fn sqlite() -> anyhow::Result<Self> {
        let t = Self::sqlite_unmigrated().await?;
        t.db.migrate().await?;
        Ok(t)
    }

    /// A brand-new database on the PostgreSQL server at `server_url`.
    pub async fn postgres(server_url: &str) -> anyhow::Result<Self> {
        let t = Self::postgres_unmigrated(server_url).await?;
        t.db.migrate().await?;
        Ok(t)
    }

    /// An empty SQLite file (no tables), for tests of migrations themselves.
    pub async fn sqlite_unmigrated() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite:{}", dir.path().join("roster.db").display());
        let db = Db::connect(&url).await?;
        Ok(Self {
            db,
            url,
            _dir: Some(dir),
        })
    }

    /// An empty PostgreSQL database (no tables), for tests of migrations themselves.
    pub async fn postgres_unmigrated(server_url: &str) -> anyhow::Result<Self> {
        let name = format!("roster_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(server_url)
            .await
            .with_context(|| "connecting to TEST_DATABASE_URL")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = replace_database(server_url, &name);
        let db = Db::connect(&url).await?;
        Ok(Self {
            db,
            url,
            _dir: None,
        })
    }
}

/// Swaps the database name in a PostgreSQL URL, keeping credentials, host and query.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            replace_database(
                "postgres://u:p@127.0.0.1:5433/postgres?sslmode=disable",
                "t1"
            ),
            "postgres://u:p@127.0.0.1:5433/t1?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://localhost", "t2"),
            "postgres://localhost/t2"
        );
    }
}
