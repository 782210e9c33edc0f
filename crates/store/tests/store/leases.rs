//! Leases for background work: one holder at a time, handed over when they run out, and writes
//! under a lost lease refused.

use crate::databases;
use roster_store::{AuditEntry, StoreError};

#[tokio::test]
async fn one_holder_at_a_time_and_a_lost_lease_writes_nothing() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let first = db
            .claim_lease("sync", "instance-1", 1_000, 61_000)
            .await
            .unwrap()
            .expect("a free lease is claimed");
        assert!(
            db.claim_lease("sync", "instance-2", 2_000, 62_000)
                .await
                .unwrap()
                .is_none(),
            "{:?}: held by instance-1",
            db.backend()
        );
        // The holder may renew; every claim is a new version.
        let renewed = db
            .claim_lease("sync", "instance-1", 30_000, 90_000)
            .await
            .unwrap()
            .expect("renewed");
        assert!(renewed.version > first.version);
        // A claim's version is what work under it checks: the renewed claim replaces the first.
        let scope = db.scope_under(&renewed, a.workspace_id());
        let mut unit = scope.begin().await.unwrap();
        assert!(matches!(
            unit.hold(&first, 40_000).await,
            Err(StoreError::LeaseLost)
        ));
        drop(unit);

        // Run out: another instance takes over, and the old holder's writes are refused.
        let second = db
            .claim_lease("sync", "instance-2", 90_000, 150_000)
            .await
            .unwrap()
            .expect("taken over after it ran out");
        let mut stale = scope.begin().await.unwrap();
        assert!(matches!(
            stale.hold(&renewed, 95_000).await,
            Err(StoreError::LeaseLost)
        ));
        drop(stale);

        let mut unit = db
            .scope_under(&second, a.workspace_id())
            .begin()
            .await
            .unwrap();
        unit.hold(&second, 95_000).await.unwrap();
        unit.audit_as(
            None,
            "sync",
            AuditEntry {
                action: "sync.ran",
                target_type: "workspace",
                target_id: None,
                detail: serde_json::json!({}),
            },
            95_000,
        )
        .await
        .unwrap();
        unit.commit().await.unwrap();
        assert_eq!(a.scope(db).audit_log(5).await.unwrap().len(), 1);
        // Past its end even the current holder's writes are refused.
        let mut late = db
            .scope_under(&second, a.workspace_id())
            .begin()
            .await
            .unwrap();
        assert!(matches!(
            late.hold(&second, 150_000).await,
            Err(StoreError::LeaseLost)
        ));
        drop(late);
        // Given back early, the lease is free at once.
        db.release_lease(&second).await.unwrap();
        assert!(
            db.claim_lease("sync", "instance-3", 96_000, 99_000)
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn on_postgres_a_claim_does_not_queue_behind_work_that_holds_the_lease() {
    for db in databases().await {
        let db = &db.db;
        if db.backend() != roster_store::Backend::Postgres {
            continue;
        }
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let lease = db
            .claim_lease("sync", "instance-1", 1_000, 61_000)
            .await
            .unwrap()
            .expect("claimed");
        let scope = db.scope_under(&lease, a.workspace_id());
        let mut unit = scope.begin().await.unwrap();
        unit.hold(&lease, 2_000).await.unwrap();
        // The lease has run out by the second instance's clock, but a unit is still working
        // under it: the claim answers at once that it is held, rather than waiting for the unit.
        let claim = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            db.claim_lease("sync", "instance-2", 70_000, 130_000),
        )
        .await
        .expect("the claim does not wait for the unit")
        .unwrap();
        assert!(claim.is_none());
        unit.commit().await.unwrap();
        // Once the unit is over, the run-out lease is free to take.
        assert!(
            db.claim_lease("sync", "instance-2", 70_000, 130_000)
                .await
                .unwrap()
                .is_some()
        );
    }
}
