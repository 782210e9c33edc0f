//! Sync runs as jobs: Sync now, Preview, a new connection and the schedule queue a run; workers
//! (a bounded number per instance) claim queued runs with a lease, renew it while they work, and
//! record the outcome. A run whose instance stopped is retried when its lease runs out, up to
//! [`MAX_ATTEMPTS`] times.

use super::engine::RunError;
use super::schedule::Schedule;
use crate::error::{CoreError, Result};
use crate::services::Services;
use roster_domain::{ConnectionId, Permission, SyncRunId};
use roster_store::{ClaimedRun, Principal, SyncRunRow, WorkspaceScope};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// How long a claim on a run lasts without a heartbeat.
pub const RUN_LEASE_MS: i64 = 60_000;
/// How often a worker renews its claim and records the run's progress.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(2);
/// How many times a run is started before an interrupted run counts as failed.
pub const MAX_ATTEMPTS: i32 = 3;
/// How long one instance keeps the scheduler's lease (it ticks more often than that).
pub const SCHEDULER_LEASE_MS: i64 = 90_000;
/// Stored as `next_sync_at` for a connection that syncs only when asked.
const NEVER: i64 = i64::MAX;

/// What a running run is doing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Starting,
    ListingUsers,
    Planning,
    WritingFacts,
    Writing,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Self::Starting => "Starting",
            Self::ListingUsers => "Listing users and reading tenant facts",
            Self::Planning => "Planning",
            Self::WritingFacts => "Writing licences, MFA and activity",
            Self::Writing => "Writing contacts",
        }
    }
}

/// How far a running run is, as its page shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    /// Pages of users fetched from Microsoft.
    pub pages: u32,
    /// Users read so far.
    pub users: u64,
    /// Contacts written so far.
    pub written: u64,
}

/// The progress a run updates as it goes and its heartbeat records.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProgressHandle(Arc<Mutex<Progress>>);

impl ProgressHandle {
    pub(crate) fn update(&self, f: impl FnOnce(&mut Progress)) {
        if let Ok(mut p) = self.0.lock() {
            f(&mut p);
        }
    }

    fn get(&self) -> Progress {
        self.0.lock().map(|p| *p).unwrap_or_default()
    }
}

/// What about syncing needs a person, across the workspace (the dashboard's attention list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncAttention {
    /// Connections whose last two runs failed, with the latest run (its cause).
    pub failing_twice: Vec<crate::contacts::RunView>,
    /// Runs held for a person to confirm (guards and previews).
    pub held: Vec<crate::contacts::RunView>,
    /// Users waiting in the contact review queue.
    pub to_review: usize,
    /// Matched connections that never synced.
    pub never_synced: Vec<(ConnectionId, String)>,
}

/// A connection's syncing at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncSummary {
    /// The schedule in words.
    pub schedule: String,
    /// When the schedule queues the next run (none: manual only, or not worked out yet).
    pub next: Option<jiff::Timestamp>,
    /// The newest run, whatever its outcome.
    pub latest: Option<crate::contacts::RunView>,
    /// The last two runs both failed.
    pub failing_twice: bool,
}

impl Services {
    /// Queues a run of `connection` (or, unless it is a preview, finds the one already queued or
    /// running: pressing Sync now twice queues one run) and wakes the workers.
    pub(crate) async fn enqueue(
        &self,
        scope: &WorkspaceScope<'_>,
        connection: ConnectionId,
        trigger: &str,
        requested_by: &str,
        preview: bool,
    ) -> Result<SyncRunId> {
        let run_id: SyncRunId = self.new_id();
        let run = queued_run(
            run_id,
            connection,
            trigger,
            requested_by,
            preview,
            self.now_ms(),
        );
        let mut unit = scope.begin().await?;
        let inserted = unit.insert_run(&run).await?;
        unit.commit().await?;
        if !inserted {
            if let Some(active) = scope.active_run(connection.as_uuid()).await? {
                return Ok(SyncRunId::from_uuid(active));
            }
            return Err(CoreError::Conflict(
                "A sync of this tenant just finished or started; look at its sync log.".into(),
            ));
        }
        self.jobs_ready.notify_one();
        Ok(run_id)
    }

    /// "Sync now": queues a sync of one tenant connection (or returns the one already queued or
    /// running); its page shows its progress and outcome.
    pub async fn sync_now(&self, actor: &Principal, connection: ConnectionId) -> Result<SyncRunId> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        matched(&scope, connection).await?;
        self.enqueue(&scope, connection, "manual", actor.email(), false)
            .await
    }

    /// "Preview sync": queues a run that lists and plans like a sync but writes nothing; the run
    /// keeps its plan for a person to apply (if the contacts have not changed since) or discard.
    pub async fn preview_sync(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<SyncRunId> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        matched(&scope, connection).await?;
        self.enqueue(&scope, connection, "manual", actor.email(), true)
            .await
    }

    /// The first sync of a connection just saved, when it is matched to an organization (a new
    /// connection syncs at once); `None` when there is nowhere to put contacts yet.
    pub async fn first_sync(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<Option<SyncRunId>> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        if !is_matched(&scope, connection).await? {
            return Ok(None);
        }
        self.enqueue(&scope, connection, "new_connection", actor.email(), false)
            .await
            .map(Some)
    }

    /// Wakes workers waiting for runs (a run was queued on this instance).
    pub fn jobs_ready(&self) -> Arc<tokio::sync::Notify> {
        self.jobs_ready.clone()
    }

    /// One worker step: settles runs whose instance stopped, then claims the oldest queued run
    /// as `worker` and carries it out. `None` when nothing was queued.
    pub async fn work_once(&self, worker: &str) -> Result<Option<SyncRunId>> {
        self.reap_expired().await?;
        let now = self.now_ms();
        let Some(job) = self.db.claim_run(worker, now, now + RUN_LEASE_MS).await? else {
            return Ok(None);
        };
        let id = SyncRunId::from_uuid(job.run.id);
        tracing::info!(run = %id, worker, attempt = job.run.attempts, "sync run claimed");
        let progress = ProgressHandle::default();
        let beat = tokio::spawn(heartbeat(self.clone(), job.clone(), progress.clone()));
        let outcome = self.execute(&job, &progress).await;
        beat.abort();
        match outcome {
            Ok(()) => {}
            Err(CoreError::Internal(e))
                if matches!(
                    e.downcast_ref::<roster_store::StoreError>(),
                    Some(roster_store::StoreError::LeaseLost)
                ) =>
            {
                tracing::warn!(run = %id, worker, "sync run taken over by another worker; its writes stopped");
            }
            Err(e) => {
                let source = std::error::Error::source(&e).map(ToString::to_string);
                tracing::error!(run = %id, error = %e, source, "sync run failed inside Roster");
                self.fail_claimed(&job).await?;
            }
        }
        Ok(Some(id))
    }

    /// Carries out queued runs until none is left (tests, the demo and the benchmark use it; a
    /// server's workers call [`Services::work_once`] in a loop).
    pub async fn run_queued(&self, worker: &str) -> Result<Vec<SyncRunId>> {
        let mut done = Vec::new();
        while let Some(id) = self.work_once(worker).await? {
            done.push(id);
        }
        Ok(done)
    }

    /// Records a claimed run as failed because of an error inside Roster (not Microsoft's).
    async fn fail_claimed(&self, job: &ClaimedRun) -> Result<()> {
        let mut run = job.run.clone();
        run.status = "failed".into();
        run.finished_at = Some(self.now_ms());
        run.plan = None;
        run.error = serde_json::to_string(&RunError {
            cause: "Roster could not finish this run because of an error of its own; nothing of it was written after that point.".into(),
            fix: "Choose Sync now to try again; if it happens again, the server's log has the details.".into(),
            request_id: None,
        })
        .ok();
        self.finish(job, &run).await
    }

    /// Runs whose lease ran out (their instance stopped) go back to the queue, or fail after
    /// [`MAX_ATTEMPTS`] starts. Every worker step does this first.
    pub async fn reap_expired(&self) -> Result<()> {
        let now = self.now_ms();
        for expired in self.db.expired_runs(now).await? {
            if expired.attempts >= MAX_ATTEMPTS {
                let error = serde_json::to_string(&RunError {
                    cause: format!(
                        "The Roster instance running this sync stopped before it finished, {} times.",
                        expired.attempts
                    ),
                    fix: "Choose Sync now to try again; the server's log says why its instances stopped.".into(),
                    request_id: None,
                })
                .unwrap_or_default();
                if self.db.fail_expired_run(&expired, now, &error).await? {
                    tracing::warn!(run = %expired.id, attempts = expired.attempts, "interrupted sync run failed");
                }
            } else if self.db.requeue_run(&expired).await? {
                tracing::warn!(run = %expired.id, attempts = expired.attempts, "interrupted sync run queued again");
            }
        }
        Ok(())
    }

    /// One scheduler tick as `instance`: queues a run of every connection whose scheduled time
    /// has come (once, however many times were missed) and works out the next time of those that
    /// have none yet. `None` when another instance holds the scheduler's lease.
    pub async fn schedule_due(&self, instance: &str) -> Result<Option<usize>> {
        let now = self.now_ms();
        let Some(lease) = self
            .db
            .claim_lease("scheduler", instance, now, now + SCHEDULER_LEASE_MS)
            .await?
        else {
            return Ok(None);
        };
        let mut queued = 0;
        for due in self.db.due_connections(&lease, now, 500).await? {
            let settings: super::engine::SyncSettings = due
                .sync_settings
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let next = next_at(&settings.schedule, now);
            let scope = self.db.scope_under(
                &lease,
                roster_domain::WorkspaceId::from_uuid(due.workspace_id),
            );
            let mut unit = scope.begin().await?;
            if !unit
                .advance_schedule(due.id, due.next_sync_at, next)
                .await?
            {
                continue; // another scheduler moved it first
            }
            let mut inserted = false;
            if due.next_sync_at.is_some() {
                let run_id: SyncRunId = self.new_id();
                let run = queued_run(
                    run_id,
                    ConnectionId::from_uuid(due.id),
                    "schedule",
                    "schedule",
                    false,
                    now,
                );
                inserted = unit.insert_run(&run).await?;
            }
            unit.commit().await?;
            if inserted {
                queued += 1;
                tracing::info!(connection = %due.id, "scheduled sync queued");
            }
        }
        if queued > 0 {
            self.jobs_ready.notify_waiters();
        }
        Ok(Some(queued))
    }

    /// Works out a connection's next scheduled sync from now (after its settings changed).
    pub(crate) async fn reschedule(
        &self,
        unit: &mut roster_store::Unit<'_>,
        connection: ConnectionId,
        schedule: &Schedule,
    ) -> Result<()> {
        unit.set_next_sync(connection.as_uuid(), next_at(schedule, self.now_ms()))
            .await?;
        Ok(())
    }

    /// When a connection syncs next by its schedule, if it has one worked out.
    pub async fn next_sync(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<Option<jiff::Timestamp>> {
        self.authorize(actor, Permission::View)?;
        let at = actor
            .scope(&self.db)
            .next_sync_at(connection.as_uuid())
            .await?;
        Ok(at.filter(|&ms| ms != NEVER).map(roster_store::from_millis))
    }

    /// What about syncing needs a person across the workspace.
    pub async fn sync_attention(&self, actor: &Principal) -> Result<SyncAttention> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let mut out = SyncAttention {
            held: self
                .sync_runs_with(
                    actor,
                    None,
                    Some("held"),
                    &roster_store::PageRequest::first(50),
                )
                .await?
                .items,
            to_review: scope.review_items("open", 500).await?.len(),
            ..SyncAttention::default()
        };
        // Each matched connection's newest run, named with one read of the connections.
        let titles = self.connection_titles(actor).await?;
        for c in self.connections(actor).await? {
            if c.organization.is_none() {
                continue;
            }
            let latest = scope
                .runs_page(Some(c.id.as_uuid()), &roster_store::PageRequest::first(1))
                .await?
                .items
                .into_iter()
                .next();
            match latest {
                None => out.never_synced.push((c.id, c.title.clone())),
                Some(run) if scope.failed_in_a_row(c.id.as_uuid(), 2).await? => {
                    out.failing_twice.push(self.run_view(run, &titles));
                }
                Some(_) => {}
            }
        }
        Ok(out)
    }

    /// A connection's syncing at a glance, for its page: the schedule, the next scheduled run,
    /// the latest run, and whether the last two runs both failed (an alert).
    pub async fn sync_summary(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<SyncSummary> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let settings = self.sync_settings(actor, connection).await?;
        let latest = self
            .sync_runs(
                actor,
                Some(connection),
                &roster_store::PageRequest::first(1),
            )
            .await?
            .items
            .into_iter()
            .next();
        Ok(SyncSummary {
            schedule: settings.schedule.describe(),
            next: self.next_sync(actor, connection).await?,
            latest,
            failing_twice: scope.failed_in_a_row(connection.as_uuid(), 2).await?,
        })
    }
}

/// The stored form of a schedule's next time after `now_ms`.
fn next_at(schedule: &Schedule, now_ms: i64) -> i64 {
    schedule
        .next_after(roster_store::from_millis(now_ms))
        .map_or(NEVER, roster_store::millis)
}

fn queued_run(
    id: SyncRunId,
    connection: ConnectionId,
    trigger: &str,
    requested_by: &str,
    preview: bool,
    now: i64,
) -> SyncRunRow {
    SyncRunRow {
        id: id.as_uuid(),
        connection_id: connection.as_uuid(),
        trigger: trigger.into(),
        requested_by: requested_by.into(),
        preview,
        status: "queued".into(),
        queued_at: now,
        started_at: None,
        finished_at: None,
        counts: None,
        plan: None,
        error: None,
        attempts: 0,
        progress: None,
    }
}

/// Whether the connection is matched to an organization (somewhere to put its contacts).
async fn is_matched(scope: &WorkspaceScope<'_>, connection: ConnectionId) -> Result<bool> {
    Ok(scope
        .connection(connection)
        .await?
        .organization_id
        .is_some())
}

/// The connection must be matched to an organization: a sync needs somewhere to put contacts.
async fn matched(scope: &WorkspaceScope<'_>, connection: ConnectionId) -> Result<()> {
    if !is_matched(scope, connection).await? {
        return Err(CoreError::Conflict(
            "This tenant is not matched to an organization yet, so a sync would have nowhere to put its contacts. Match it to an organization first (Review, or the connection wizard).".into(),
        ));
    }
    Ok(())
}

/// Renews the run's claim and records its progress until the run ends (the task is aborted) or
/// the claim is lost.
async fn heartbeat(services: Services, job: ClaimedRun, progress: ProgressHandle) {
    loop {
        services.sleep.0.sleep(HEARTBEAT).await;
        let now = services.now_ms();
        let text = serde_json::to_string(&progress.get()).unwrap_or_default();
        match services
            .db
            .heartbeat(&job, now, now + RUN_LEASE_MS, &text)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(run = %job.run.id, "sync run's claim lost");
                return;
            }
            Err(e) => tracing::warn!(run = %job.run.id, error = %e, "sync heartbeat failed"),
        }
    }
}
