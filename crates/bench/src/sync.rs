//! The `sync` benchmark: a full sync of a generated tenant into an empty database, an unchanged
//! full resync a day later, unchanged and 1 %-changed delta resyncs, and a full resync with 1 %
//! changed, through Roster's own use-cases against the emulator over HTTP.

use std::sync::Arc;
use std::time::Instant;

use crate::emulator::Remote;
use anyhow::{Context as _, bail};
use roster_core::connections::ConnectForm;
use roster_core::organizations::OrganizationForm;
use roster_core::{Services, SessionPolicy, SystemClock};

/// Options of the sync benchmark.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Users in the generated tenant.
    #[arg(long, default_value_t = 100_000)]
    users: u32,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Database URL (default: a new SQLite file in a temporary directory). A PostgreSQL URL must
    /// name an empty database.
    #[arg(long)]
    database: Option<String>,
    /// Measure tenant facts instead: a contacts-only full sync and a full sync that also reads
    /// sign-ins, registration details, both usage reports, devices and Secure Score for every
    /// user, each into an empty database.
    #[arg(long)]
    facts: bool,
    /// With `--facts` and `--database`: a second empty database for the sync with facts.
    #[arg(long)]
    second_database: Option<String>,
}

/// A workspace with the generated tenant connected, ready to sync.
struct Connected {
    services: Services,
    owner: roster_core::Principal,
    conn: roster_domain::ConnectionId,
    clock: OffsetClock,
    url: String,
}

/// Sets up a workspace on the empty database at `url` and connects the emulator's tenant to a
/// new organization, with the given `contacts_only` setting.
async fn connect(emulator: &Remote, url: &str, contacts_only: bool) -> anyhow::Result<Connected> {
    let db = roster_store::Db::connect(url).await?;
    db.migrate().await?;
    let base = &emulator.base_url;
    let graph = roster_graph::GraphConfig::with_bases(base, base)?
        .profile(roster_graph::Profile::Background);
    let clock = OffsetClock::default();
    let services = Services::new(db, Arc::new(clock.clone()), SessionPolicy::default())
        .with_keyring(roster_core::crypto::Keyring::new(&[7u8; 32], &[]))
        .with_graph(roster_graph::GraphClient::new(graph)?);
    let started = services
        .setup(&roster_core::auth::SetupForm {
            workspace_name: "Bench MSP".into(),
            name: "Bench Owner".into(),
            email: "owner@bench.test".into(),
            password: "bench password 1".into(),
        })
        .await?;
    let owner = started.principal.context("an owner")?;
    let org = services
        .create_organization(
            &owner,
            &OrganizationForm {
                name: "Bench Customer".into(),
                ..OrganizationForm::default()
            },
        )
        .await?;
    let tenant = emulator.credentials.first().context("no tenant")?;
    let app = tenant.apps.first().context("no app")?;
    let secret = app.secrets.last().context("no secret")?;
    let draft = services
        .check_draft(
            &owner,
            &ConnectForm {
                organization_id: org.to_string(),
                tenant: tenant.tenant_id.to_string(),
                client_id: app.client_id.to_string(),
                secret: secret.value.clone(),
                secret_expires_on: secret
                    .expires
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .date()
                    .to_string(),
                ..ConnectForm::default()
            },
            None,
        )
        .await?;
    // Saving queues the first sync; the benchmark's worker carries it out when it is timed.
    let conn = services.save_connection(&owner, draft).await?;
    let mut settings = services.sync_settings(&owner, conn).await?;
    settings.contacts_only = contacts_only;
    services.set_sync_settings(&owner, conn, &settings).await?;
    Ok(Connected {
        services,
        owner,
        conn,
        clock,
        url: url.to_owned(),
    })
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall time on the monotonic clock"
)]
async fn timed_sync(
    c: &Connected,
    label: &str,
) -> anyhow::Result<(f64, roster_core::sync::engine::RunCounts)> {
    let t = Instant::now();
    let id = c.services.sync_now(&c.owner, c.conn).await?;
    c.services.run_queued("bench").await?;
    let seconds = t.elapsed().as_secs_f64();
    let run = c.services.sync_run(&c.owner, id).await?;
    if run.status != "succeeded" {
        bail!("the {label} run ended {}: {:?}", run.status, run.error);
    }
    Ok((seconds, run.counts.context("counts")?))
}

fn engine_of(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    }
}

/// `--facts`: the full sync without and with tenant facts, each into an empty database.
async fn facts(args: &Args) -> anyhow::Result<()> {
    // Names shown in reports, so both usage reports are joined to every user.
    let emulator = Remote::start(args.users, args.seed, true).await?;
    let dir = tempfile::tempdir()?;
    let (first, second) = match (&args.database, &args.second_database) {
        (None, None) => (
            format!("sqlite:{}", dir.path().join("contacts.db").display()),
            format!("sqlite:{}", dir.path().join("facts.db").display()),
        ),
        (Some(a), Some(b)) => (a.clone(), b.clone()),
        _ => bail!("--facts with --database needs --second-database too (two empty databases)"),
    };
    let plain = connect(&emulator, &first, true).await?;
    let (plain_seconds, plain_counts) = timed_sync(&plain, "contacts-only").await?;
    let after_plain = crate::emulator::memory_mb().0;
    drop(plain);
    let with = connect(&emulator, &second, false).await?;
    let (facts_seconds, facts_counts) = timed_sync(&with, "with facts").await?;
    let peak = crate::emulator::memory_mb().0;
    let tenant = with
        .services
        .tenant_facts(&with.owner, with.conn)
        .await?
        .context("a snapshot")?;
    let unread: Vec<String> = facts_counts
        .facts
        .iter()
        .filter(|(_, n)| !n.read)
        .map(|(s, n)| format!("{}: {}", s.label(), n.reason.clone().unwrap_or_default()))
        .collect();
    if !unread.is_empty() {
        bail!("sources were not read: {}", unread.join("; "));
    }
    let emulator_peak = emulator.peak_mb();
    emulator.stop().await;
    let engine = engine_of(&with.url);
    let known = |f: &roster_core::facts::Fact<i64>| match f {
        roster_core::facts::Fact::Known { value, .. } => value.to_string(),
        roster_core::facts::Fact::Unknown { reason, .. } => format!("unknown ({reason})"),
    };
    println!("database: {engine}");
    println!("users: {} users", args.users);
    println!(
        "contacts_created: {} contacts",
        facts_counts.counts.created.max(plain_counts.counts.created)
    );
    println!("full_sync_seconds: {plain_seconds:.2} s (contacts only)");
    println!("full_sync_with_facts_seconds: {facts_seconds:.2} s");
    println!("facts_ratio: {:.2} x", facts_seconds / plain_seconds);
    println!("licensed_users: {}", known(&tenant.licensed));
    println!("score_days: {} days", tenant.history.len());
    println!("peak_rss_after_contacts_only_mb: {after_plain:.1} MB");
    println!("peak_rss_mb: {peak:.1} MB (Roster)");
    println!("emulator_peak_rss_mb: {emulator_peak:.1} MB (the emulator's own process)");
    println!(
        "summary: {engine}, {} users: full sync {plain_seconds:.2} s, with facts {facts_seconds:.2} s ({:.2} x), peak RSS {peak:.0} MB",
        args.users,
        facts_seconds / plain_seconds
    );
    Ok(())
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall time on the monotonic clock"
)]
pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.facts {
        return facts(&args).await;
    }
    let emulator = Remote::start(args.users, args.seed, false).await?;
    let dir = tempfile::tempdir()?;
    let url = match &args.database {
        Some(u) => u.clone(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    // The contact sync alone; `--facts` measures what tenant facts add.
    let Connected {
        services,
        owner,
        conn,
        clock,
        ..
    } = connect(&emulator, &url, true).await?;
    let tenant = emulator.credentials.first().context("no tenant")?;

    let counts = |run: roster_core::contacts::RunView| -> anyhow::Result<roster_core::sync::engine::RunCounts> {
        if run.status != "succeeded" {
            bail!("the run ended {}: {:?}", run.status, run.error);
        }
        run.counts.context("counts")
    };
    let run = |label: &'static str| {
        let services = services.clone();
        let owner = owner.clone();
        async move {
            let t = Instant::now();
            let id = services.sync_now(&owner, conn).await?;
            services.run_queued("bench").await?;
            let seconds = t.elapsed().as_secs_f64();
            let c = counts(services.sync_run(&owner, id).await?)
                .with_context(|| format!("the {label} run"))?;
            anyhow::Ok((seconds, c))
        }
    };
    let written = |c: &roster_core::sync::engine::RunCounts| {
        c.counts.created + c.counts.updated + c.counts.flagged
    };
    use roster_core::sync::engine::ListingMode;
    let expect_mode = |c: &roster_core::sync::engine::RunCounts, m: ListingMode, label: &str| {
        if c.listing == Some(m) {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "the {label} run listed {:?}, not {m:?}",
                c.listing
            ))
        }
    };
    let day = jiff::SignedDuration::from_hours(25);

    let (full_seconds, full_counts) = run("full").await?;
    expect_mode(&full_counts, ListingMode::Full, "first")?;
    // A day later every user is listed again: the unchanged full resync.
    clock.advance(day);
    let (resync_seconds, resync_counts) = run("unchanged full").await?;
    expect_mode(&resync_counts, ListingMode::Full, "unchanged full")?;
    // Then only the changes: none.
    let (delta_unchanged_seconds, delta_unchanged) = run("unchanged delta").await?;
    expect_mode(&delta_unchanged, ListingMode::Delta, "unchanged delta")?;

    let tenant_id = tenant.tenant_id.to_string();
    let target = (args.users as usize / 100).max(1);
    let changed =
        change_job_titles(&services, &owner, &emulator, &tenant_id, target, "Delta").await?;
    let (delta_seconds, delta_counts) = run("delta").await?;
    expect_mode(&delta_counts, ListingMode::Delta, "1 % changed delta")?;
    change_job_titles(&services, &owner, &emulator, &tenant_id, target, "Full").await?;
    clock.advance(day);
    let (changed_seconds, changed_counts) = run("changed full").await?;
    expect_mode(&changed_counts, ListingMode::Full, "1 % changed full")?;
    let peak = crate::emulator::memory_mb().0;
    let emulator_peak = emulator.peak_mb();
    emulator.stop().await;

    let engine = engine_of(&url);
    println!("database: {engine}");
    println!("users: {} users", args.users);
    println!("contacts_created: {} contacts", full_counts.counts.created);
    println!("full_sync_seconds: {full_seconds:.2} s");
    println!("resync_seconds: {resync_seconds:.2} s (every user listed, nothing changed)");
    println!("resync_rows_written: {} rows", written(&resync_counts));
    println!(
        "resync_share_of_full: {:.0} %",
        100.0 * resync_seconds / full_seconds
    );
    println!(
        "delta_unchanged_seconds: {delta_unchanged_seconds:.2} s ({} rows written)",
        written(&delta_unchanged)
    );
    println!("changed_users: {changed} users");
    println!(
        "delta_resync_seconds: {delta_seconds:.2} s ({} users listed, {} rows written)",
        delta_counts.listed,
        written(&delta_counts)
    );
    println!(
        "delta_share_of_full: {:.1} %",
        100.0 * delta_seconds / full_seconds
    );
    println!(
        "changed_resync_seconds: {changed_seconds:.2} s (every user listed, 1 % changed, {} rows written)",
        written(&changed_counts)
    );
    println!("peak_rss_mb: {peak:.1} MB (Roster)");
    println!("emulator_peak_rss_mb: {emulator_peak:.1} MB (the emulator's own process)");
    println!(
        "summary: {engine}, {} users: full sync {full_seconds:.2} s, unchanged full resync {resync_seconds:.2} s writing {} rows, delta resync with 1 % changed {delta_seconds:.2} s, peak RSS {peak:.0} MB",
        args.users,
        written(&resync_counts)
    );
    Ok(())
}

/// Roster's clock in the benchmark: the system's, moved forward on request (a day later, the
/// daily full listing is due).
#[derive(Clone, Debug, Default)]
struct OffsetClock(Arc<std::sync::atomic::AtomicI64>);

impl OffsetClock {
    fn advance(&self, by: jiff::SignedDuration) {
        self.0.fetch_add(
            i64::try_from(by.as_millis()).unwrap_or(0),
            std::sync::atomic::Ordering::SeqCst,
        );
    }
}

impl roster_core::Clock for OffsetClock {
    fn now(&self) -> jiff::Timestamp {
        let offset =
            jiff::SignedDuration::from_millis(self.0.load(std::sync::atomic::Ordering::SeqCst));
        SystemClock
            .now()
            .checked_add(offset)
            .unwrap_or_else(|_| SystemClock.now())
    }
}

/// Gives `target` linked users a new job title in the emulated tenant; returns how many.
async fn change_job_titles(
    services: &Services,
    owner: &roster_core::Principal,
    emulator: &Remote,
    tenant_id: &str,
    target: usize,
    tag: &str,
) -> anyhow::Result<usize> {
    let mut changed = 0;
    let mut req = roster_core::PageRequest::first(500);
    loop {
        let page = services
            .contacts_page(owner, &roster_core::ContactFilter::default(), &req)
            .await?;
        for c in &page.items {
            if changed >= target {
                return Ok(changed);
            }
            if let Some(object_id) = services.contact(owner, c.id).await?.object_id {
                emulator
                    .update_user(
                        tenant_id,
                        &object_id,
                        &serde_json::json!({ "job_title": format!("{tag} {changed}") }),
                    )
                    .await?;
                changed += 1;
            }
        }
        match page.next {
            Some(cursor) => req = roster_core::PageRequest::after(Some(cursor), 500),
            None => return Ok(changed),
        }
    }
}
