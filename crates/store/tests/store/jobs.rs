//! Sync runs as jobs: claimed once, held by a lease renewed by heartbeats, retried when the lease
//! runs out, and a stale claim's writes refused; the schedule moved by one scheduler at a time.

use crate::databases;
use roster_store::{StoreError, SyncRunRow};
use uuid::Uuid;

fn queued(connection: Uuid, at: i64, preview: bool) -> SyncRunRow {
    SyncRunRow {
        id: Uuid::new_v4(),
        connection_id: connection,
        trigger: "manual".into(),
        requested_by: "a@a.test".into(),
        preview,
        status: "queued".into(),
        queued_at: at,
        started_at: None,
        finished_at: None,
        counts: None,
        plan: None,
        error: None,
        attempts: 0,
        progress: None,
    }
}

#[tokio::test]
async fn a_run_is_claimed_once_held_by_heartbeats_and_retried_when_its_lease_runs_out() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let conn = crate::once::connection(&s).await;
        let run = queued(conn, 1_000, false);
        let mut unit = s.begin().await.unwrap();
        assert!(unit.insert_run(&run).await.unwrap());
        unit.commit().await.unwrap();

        let job = db
            .claim_run("w1", 2_000, 62_000)
            .await
            .unwrap()
            .expect("the queued run is claimed");
        assert_eq!(job.run.id, run.id);
        assert_eq!(job.run.status, "running");
        assert_eq!(job.run.attempts, 1);
        assert_eq!(job.workspace_id, a.workspace_id());
        assert!(
            db.claim_run("w2", 2_000, 62_000).await.unwrap().is_none(),
            "{:?}: nothing else is queued",
            db.backend()
        );
        // While it runs, the connection's one slot is taken: Sync now finds this run.
        let mut unit = s.begin().await.unwrap();
        assert!(!unit.insert_run(&queued(conn, 3_000, false)).await.unwrap());
        unit.commit().await.unwrap();
        assert_eq!(s.active_run(conn).await.unwrap(), Some(run.id));

        // Heartbeats renew the claim and record progress; the holder's writes are allowed.
        assert!(
            db.heartbeat(&job, 50_000, 110_000, r#"{"pages":3}"#)
                .await
                .unwrap()
        );
        assert_eq!(
            s.run(run.id).await.unwrap().progress.as_deref(),
            Some(r#"{"pages":3}"#)
        );
        let mut unit = job.scope(db).begin().await.unwrap();
        unit.hold_run(&job, 100_000).await.unwrap();
        drop(unit);
        assert!(db.expired_runs(100_000).await.unwrap().is_empty());

        // The instance stops: the lease runs out, the run goes back to the queue, and another
        // worker takes it as a second attempt.
        let expired = db.expired_runs(120_000).await.unwrap();
        assert_eq!(expired.len(), 1);
        assert!(db.requeue_run(&expired[0]).await.unwrap());
        assert!(!db.requeue_run(&expired[0]).await.unwrap(), "requeued once");
        let retry = db
            .claim_run("w2", 121_000, 181_000)
            .await
            .unwrap()
            .expect("the requeued run is claimed again");
        assert_eq!((retry.run.id, retry.run.attempts), (run.id, 2));
        // The first claim is stale: its heartbeats and writes are refused.
        assert!(!db.heartbeat(&job, 122_000, 182_000, "{}").await.unwrap());
        let mut stale = job.scope(db).begin().await.unwrap();
        assert!(matches!(
            stale.hold_run(&job, 122_000).await,
            Err(StoreError::LeaseLost)
        ));
        drop(stale);
        // An expired run can also be failed, once.
        let expired = db.expired_runs(200_000).await.unwrap();
        assert!(
            db.fail_expired_run(&expired[0], 200_000, "{}")
                .await
                .unwrap()
        );
        assert!(
            !db.fail_expired_run(&expired[0], 200_000, "{}")
                .await
                .unwrap()
        );
        let failed = s.run(run.id).await.unwrap();
        assert_eq!(failed.status, "failed");
        assert_eq!(failed.finished_at, Some(200_000));
    }
}

#[tokio::test]
async fn workers_take_the_oldest_run_first_and_concurrent_claims_never_share_a_run() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let mut ids = Vec::new();
        for i in 0..12 {
            let conn = crate::once::connection(&s).await;
            let run = queued(conn, 10_000 - i, false);
            let mut unit = s.begin().await.unwrap();
            assert!(unit.insert_run(&run).await.unwrap());
            unit.commit().await.unwrap();
            ids.push(run.id);
        }
        let oldest = *ids.last().unwrap();
        let claims = futures::future::join_all((0..16).map(|w| {
            let db = db.clone();
            async move {
                db.claim_run(&format!("w{w}"), 20_000, 80_000)
                    .await
                    .unwrap()
            }
        }))
        .await;
        let mut claimed: Vec<Uuid> = claims.iter().flatten().map(|c| c.run.id).collect();
        let first_taken = claims
            .iter()
            .flatten()
            .min_by_key(|c| c.run.queued_at)
            .map(|c| c.run.id);
        assert_eq!(first_taken, Some(oldest));
        claimed.sort();
        let n = claimed.len();
        claimed.dedup();
        assert_eq!(claimed.len(), n, "{:?}: no run claimed twice", db.backend());
        // Whatever a busy moment left unclaimed is claimed afterwards, each exactly once.
        while let Some(c) = db.claim_run("late", 20_000, 80_000).await.unwrap() {
            assert!(!claimed.contains(&c.run.id));
            claimed.push(c.run.id);
        }
        claimed.sort();
        ids.sort();
        assert_eq!(claimed, ids);
    }
}

#[tokio::test]
async fn the_schedule_is_moved_by_one_scheduler_at_a_time() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let unmatched = crate::once::connection(&s).await;
        let org = crate::once::create_organization(
            &s,
            &roster_store::OrganizationFields {
                name: "Contoso".into(),
                ..Default::default()
            },
            1,
        )
        .await
        .unwrap();
        let conn = crate::once::connection_in(&s, Some(org)).await;
        let lease = db
            .claim_lease("scheduler", "i1", 0, 60_000)
            .await
            .unwrap()
            .unwrap();
        // A connection without an organization is never due.
        let due = db.due_connections(&lease, 1_000, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_ne!(due[0].id, unmatched);
        assert_eq!(due[0].next_sync_at, None, "not worked out yet");
        let mut first = s.begin().await.unwrap();
        assert!(first.advance_schedule(conn, None, 5_000).await.unwrap());
        first.commit().await.unwrap();
        let mut second = s.begin().await.unwrap();
        assert!(
            !second.advance_schedule(conn, None, 6_000).await.unwrap(),
            "the value it read is gone"
        );
        second.commit().await.unwrap();
        assert_eq!(s.next_sync_at(conn).await.unwrap(), Some(5_000));
        assert!(
            db.due_connections(&lease, 4_999, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            db.due_connections(&lease, 5_000, 10).await.unwrap().len(),
            1
        );
    }
}
