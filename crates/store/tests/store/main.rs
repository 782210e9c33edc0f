//! Store tests. Each runs on SQLite, and again on PostgreSQL when `TEST_DATABASE_URL` is set.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

mod accounts;
mod organizations;
mod types;

use roster_testkit::{TestDb, postgres_url};

/// Every database engine available to this test run.
pub async fn databases() -> Vec<TestDb> {
    let mut out = vec![TestDb::sqlite().await.expect("sqlite")];
    if let Some(url) = postgres_url() {
        out.push(TestDb::postgres(&url).await.expect("postgres"));
    }
    out
}
