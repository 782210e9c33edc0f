//! The `sync` benchmark: a full sync of a generated tenant into an empty database, an unchanged
//! resync, and a resync after 1 % of the users changed, through Roster's own use-cases against
//! the emulator over HTTP.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use roster_core::connections::ConnectForm;
use roster_core::organizations::OrganizationForm;
use roster_core::{Services, SessionPolicy, SystemClock};
use roster_graph_emulator::{
    Emulator, GenerateSpec, Scenario, Settings, TenantSpec, ThrottleConfig,
};

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
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall time on the monotonic clock"
)]
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scenario = Scenario {
        seed: args.seed,
        settings: Settings {
            throttling: ThrottleConfig {
                enabled: false,
                ..ThrottleConfig::default()
            },
            ..Settings::default()
        },
        tenants: vec![TenantSpec {
            generate: Some(GenerateSpec {
                users: args.users,
                seed: Some(args.seed),
            }),
            ..TenantSpec::default()
        }],
    };
    let emulator = Emulator::builder()
        .scenario(scenario)
        .start("127.0.0.1:0")
        .await?;
    let dir = tempfile::tempdir()?;
    let url = match &args.database {
        Some(u) => u.clone(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    let db = roster_store::Db::connect(&url).await?;
    db.migrate().await?;
    let base = emulator.base_url().trim_end_matches('/').to_owned();
    let graph = roster_graph::GraphConfig::with_bases(&base, &base)?
        .profile(roster_graph::Profile::Background);
    let services = Services::new(db, Arc::new(SystemClock), SessionPolicy::default())
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
    let creds = emulator.handle().credentials();
    let tenant = creds.first().context("no tenant")?;
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
    let conn = services.save_connection(&owner, draft).await?;

    let counts = |run: roster_core::contacts::RunView| -> anyhow::Result<roster_core::sync::engine::RunCounts> {
        if run.status != "succeeded" {
            bail!("the run ended {}: {:?}", run.status, run.error);
        }
        run.counts.context("counts")
    };
    let t0 = Instant::now();
    let full = services.sync_now(&owner, conn).await?;
    services.run_queued("bench").await?;
    let full_seconds = t0.elapsed().as_secs_f64();
    let full_counts = counts(services.sync_run(&owner, full).await?)?;

    let t1 = Instant::now();
    let resync = services.sync_now(&owner, conn).await?;
    services.run_queued("bench").await?;
    let resync_seconds = t1.elapsed().as_secs_f64();
    let resync_counts = counts(services.sync_run(&owner, resync).await?)?;
    let written = |c: &roster_core::sync::engine::RunCounts| {
        c.counts.created + c.counts.updated + c.counts.flagged
    };

    // 1 % of the users change their job title.
    let tenant_id = tenant.tenant_id.to_string();
    let page = services
        .contacts_page(
            &owner,
            &roster_core::ContactFilter::default(),
            &roster_core::PageRequest::first(500),
        )
        .await?;
    let mut changed = 0;
    let target = (args.users as usize / 100).max(1);
    let mut next = Some(page);
    while let Some(p) = next.take() {
        for c in &p.items {
            if changed >= target {
                break;
            }
            let detail = services.contact(&owner, c.id).await?;
            if let Some(object_id) = detail.object_id {
                emulator
                    .handle()
                    .update_user(
                        &tenant_id,
                        &object_id,
                        &serde_json::json!({ "job_title": format!("Changed {changed}") }),
                    )
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                changed += 1;
            }
        }
        if changed < target
            && let Some(cursor) = p.next
        {
            let req = roster_core::PageRequest::after(Some(cursor), 500);
            next = Some(
                services
                    .contacts_page(&owner, &roster_core::ContactFilter::default(), &req)
                    .await?,
            );
        }
    }
    let t2 = Instant::now();
    let changed_run = services.sync_now(&owner, conn).await?;
    services.run_queued("bench").await?;
    let changed_seconds = t2.elapsed().as_secs_f64();
    let changed_counts = counts(services.sync_run(&owner, changed_run).await?)?;
    let peak = peak_rss_mb();
    emulator.shutdown().await;

    let engine = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    println!("database: {engine}");
    println!("users: {} users", args.users);
    println!("contacts_created: {} contacts", full_counts.counts.created);
    println!("full_sync_seconds: {full_seconds:.2} s");
    println!("resync_seconds: {resync_seconds:.2} s");
    println!("resync_rows_written: {} rows", written(&resync_counts));
    println!("changed_users: {changed} users");
    println!(
        "changed_resync_seconds: {changed_seconds:.2} s (a full listing: delta sync is not built yet)"
    );
    println!(
        "changed_resync_rows_written: {} rows",
        written(&changed_counts)
    );
    println!("delta_resync_seconds: n/a (delta sync is not built yet)");
    println!("peak_rss_mb: {peak:.1} MB");
    println!(
        "summary: {engine}, {} users: full sync {full_seconds:.2} s, unchanged resync {resync_seconds:.2} s writing {} rows, 1 % changed {changed_seconds:.2} s, peak RSS {peak:.0} MB",
        args.users,
        written(&resync_counts)
    );
    Ok(())
}
