//! Sync runs as jobs: queued once, claimed by one worker of one instance, retried when the
//! instance running them stops, and queued by the schedule at local times across both daylight
//! saving changes.

use crate::Harness;
use crate::sync::connected_customer;
use jiff::{SignedDuration, Timestamp};
use roster_core::PageRequest;
use roster_core::sync::jobs::{MAX_ATTEMPTS, RUN_LEASE_MS};
use roster_domain::{ConnectionId, SyncRunId};

fn at(text: &str) -> Timestamp {
    text.parse().expect("a timestamp")
}

fn move_to(h: &Harness, t: Timestamp) {
    h.clock.advance(t.duration_since(h.clock.now()));
}

async fn runs(h: &Harness, conn: ConnectionId) -> Vec<roster_core::contacts::RunView> {
    h.services
        .sync_runs(&h.owner, Some(conn), &PageRequest::first(200))
        .await
        .expect("runs")
        .items
}

#[tokio::test]
async fn sync_now_twice_queues_one_run_and_a_stopped_instance_run_is_retried() {
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected_customer(&h, 0, "Customer Zero").await;
    let first = s.sync_now(&h.owner, conn).await.expect("queued");
    let second = s.sync_now(&h.owner, conn).await.expect("found");
    assert_eq!(first, second, "pressing Sync now twice queues one run");
    assert_eq!(
        s.sync_run(&h.owner, first).await.expect("run").status,
        "queued"
    );

    // An instance claims the run and stops without a word.
    let now = h.clock.now().as_millisecond();
    let claimed =
        h.db.db
            .claim_run("stopped-instance", now, now + RUN_LEASE_MS)
            .await
            .expect("claim")
            .expect("the run");
    assert_eq!(claimed.run.id, first.as_uuid());
    // While its lease lasts nobody else runs it, and Sync now still finds it.
    assert!(s.run_queued("w2").await.expect("worker").is_empty());
    assert_eq!(s.sync_now(&h.owner, conn).await.expect("found"), first);
    assert_eq!(
        s.sync_run(&h.owner, first).await.expect("run").status,
        "running"
    );

    // Its lease runs out: another worker takes the run over as its second attempt.
    h.clock
        .advance(SignedDuration::from_millis(RUN_LEASE_MS + 1));
    assert_eq!(s.run_queued("w2").await.expect("worker"), vec![first]);
    let run = s.sync_run(&h.owner, first).await.expect("run");
    assert_eq!(
        (run.status.as_str(), run.attempts),
        ("succeeded", 2),
        "{run:?}"
    );
    assert!(run.counts.expect("counts").counts.created > 0);
    // The stopped instance cannot write under its old claim.
    let mut late = claimed.scope(&h.db.db).begin().await.expect("unit");
    assert!(matches!(
        late.hold_run(&claimed, h.clock.now().as_millisecond())
            .await,
        Err(roster_store::StoreError::LeaseLost)
    ));
}

#[tokio::test]
async fn a_run_interrupted_again_and_again_fails_with_the_reason() {
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected_customer(&h, 0, "Customer Zero").await;
    let run = s.sync_now(&h.owner, conn).await.expect("queued");
    for attempt in 1..=MAX_ATTEMPTS {
        let now = h.clock.now().as_millisecond();
        let claimed =
            h.db.db
                .claim_run(&format!("instance-{attempt}"), now, now + RUN_LEASE_MS)
                .await
                .expect("claim")
                .expect("the run is queued again");
        assert_eq!(claimed.run.attempts, attempt);
        h.clock
            .advance(SignedDuration::from_millis(RUN_LEASE_MS + 1));
        // The next worker's step puts it back in the queue (or, at the last, fails it).
        if attempt < MAX_ATTEMPTS {
            s.reap_expired().await.expect("reaped");
        }
    }
    assert!(s.run_queued("w").await.expect("worker").is_empty());
    let view = s.sync_run(&h.owner, run).await.expect("run");
    assert_eq!(view.status, "failed");
    let error = view.error.expect("a reason");
    assert!(
        error
            .cause
            .contains(&format!("stopped before it finished, {MAX_ATTEMPTS} times")),
        "{error:?}"
    );
    // Nothing was written: the organization has no contacts.
    assert!(
        s.contacts_page(&h.owner, &Default::default(), &PageRequest::first(5))
            .await
            .expect("contacts")
            .items
            .is_empty()
    );
}

/// The scheduled runs' times over a window, ticking the scheduler every 30 minutes and letting a
/// worker carry out what it queued.
async fn tick_for(h: &Harness, hours: i64) {
    for _ in 0..hours * 2 {
        h.clock.advance(SignedDuration::from_mins(30));
        h.services
            .schedule_due("scheduler-1")
            .await
            .expect("tick")
            .expect("the only scheduler holds the lease");
        h.services.run_queued("w").await.expect("worker");
    }
}

#[tokio::test]
async fn the_daily_schedule_keeps_its_local_time_across_both_daylight_saving_changes() {
    let h = Harness::start().await;
    let s = &h.services;
    // The default schedule: daily at 01:00 America/Los_Angeles.
    let conn = connected_customer(&h, 0, "Customer Zero").await;
    let scheduled = |runs: &[roster_core::contacts::RunView]| -> Vec<Timestamp> {
        let mut t: Vec<Timestamp> = runs
            .iter()
            .filter(|r| r.trigger == "schedule")
            .map(|r| r.queued_at)
            .collect();
        t.sort();
        t
    };

    // Autumn: clocks fall back at 02:00 PDT on Sunday 1 November 2026, so 01:00 happens twice
    // that night; the run comes once, at the first.
    move_to(&h, at("2026-10-30T12:00:00Z"));
    assert_eq!(s.schedule_due("scheduler-1").await.expect("tick"), Some(0));
    assert!(s.next_sync(&h.owner, conn).await.expect("next").is_some());
    tick_for(&h, 96).await;
    assert_eq!(
        scheduled(&runs(&h, conn).await),
        vec![
            at("2026-10-31T08:00:00Z"), // 01:00 PDT
            at("2026-11-01T08:00:00Z"), // the first 01:00 (PDT)
            at("2026-11-02T09:00:00Z"), // 01:00 PST
            at("2026-11-03T09:00:00Z"),
        ]
    );

    // Months without a running scheduler: one catch-up run, not one per missed day.
    move_to(&h, at("2027-03-12T12:00:00Z"));
    assert_eq!(s.schedule_due("scheduler-1").await.expect("tick"), Some(1));
    s.run_queued("w").await.expect("worker");
    // Spring: clocks jump from 02:00 PST to 03:00 PDT on Sunday 14 March 2027.
    tick_for(&h, 72).await;
    let all = scheduled(&runs(&h, conn).await);
    assert_eq!(
        all[4..],
        [
            at("2027-03-12T12:00:00Z"), // the catch-up
            at("2027-03-13T09:00:00Z"), // 01:00 PST
            at("2027-03-14T09:00:00Z"), // 01:00 PST, an hour before the change
            at("2027-03-15T08:00:00Z"), // 01:00 PDT
        ]
    );
}

#[tokio::test]
async fn two_instances_on_one_database_never_run_a_run_twice_or_queue_a_tenant_twice() {
    let h = Harness::start().await;
    let a = &h.services;
    let b = h.second_instance().await;
    let zero = connected_customer(&h, 0, "Customer Zero").await;
    let one = connected_customer(&h, 1, "Customer One").await;

    for round in 0..3 {
        h.clock.advance(SignedDuration::from_mins(1));
        // People on both instances press Sync now on both tenants at once.
        let pressed = futures::future::join_all([
            a.sync_now(&h.owner, zero),
            b.sync_now(&h.owner, zero),
            a.sync_now(&h.owner, one),
            b.sync_now(&h.owner, one),
        ])
        .await;
        let pressed: Vec<SyncRunId> = pressed.into_iter().map(|r| r.expect("queued")).collect();
        assert_eq!(
            pressed[0], pressed[1],
            "round {round}: one run of Customer Zero"
        );
        assert_eq!(
            pressed[2], pressed[3],
            "round {round}: one run of Customer One"
        );
        // Two workers on each instance drain the queue at once.
        let (w1, w2, w3, w4) = tokio::join!(
            a.run_queued("a-1"),
            a.run_queued("a-2"),
            b.run_queued("b-1"),
            b.run_queued("b-2")
        );
        let mut done: Vec<SyncRunId> = [w1, w2, w3, w4]
            .into_iter()
            .flat_map(|w| w.expect("worker"))
            .collect();
        done.sort();
        let mut expected = vec![pressed[0], pressed[2]];
        expected.sort();
        assert_eq!(
            done, expected,
            "round {round}: each run carried out exactly once"
        );
    }
    // Each tenant's users became contacts once: the first round created them, the others
    // created nothing, and the contacts are exactly those created.
    let contacts = a
        .contacts_page(&h.owner, &Default::default(), &PageRequest::first(500))
        .await
        .expect("contacts")
        .items;
    let mut created = 0;
    for conn in [zero, one] {
        let mut rs = runs(&h, conn).await;
        rs.sort_by_key(|r| r.queued_at);
        let per_run: Vec<usize> = rs
            .iter()
            .map(|r| r.counts.as_ref().expect("counts").counts.created)
            .collect();
        assert!(per_run[0] > 0, "{per_run:?}");
        assert!(per_run[1..].iter().all(|&n| n == 0), "{per_run:?}");
        created += per_run[0];
    }
    assert_eq!(contacts.len(), created);

    // Both instances' schedulers tick at once when the daily time comes: one run per tenant.
    a.schedule_due("a").await.expect("tick");
    h.clock.advance(SignedDuration::from_hours(25));
    let (ta, tb) = tokio::join!(a.schedule_due("a"), b.schedule_due("b"));
    let queued = ta.expect("a").unwrap_or(0) + tb.expect("b").unwrap_or(0);
    assert_eq!(queued, 2);
    let scheduled = |runs: Vec<roster_core::contacts::RunView>| {
        runs.iter().filter(|r| r.trigger == "schedule").count()
    };
    assert_eq!(scheduled(runs(&h, zero).await), 1);
    assert_eq!(scheduled(runs(&h, one).await), 1);
}
