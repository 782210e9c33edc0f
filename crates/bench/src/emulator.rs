//! The `emulator` benchmark: generation time, complete `$top=999` listing speed, and memory.

use std::time::Instant;

use anyhow::{Context as _, bail};
use roster_graph_emulator::{
    Emulator, GenerateSpec, Scenario, Settings, TenantSpec, ThrottleConfig,
};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// Options of the emulator benchmark.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Users in the generated tenant.
    #[arg(long, default_value_t = 100_000)]
    users: u32,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Page size.
    #[arg(long, default_value_t = 999)]
    top: u32,
    /// How many complete listings to time (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// A `$select` list to send (default: the default property set).
    #[arg(long)]
    select: Option<String>,
}

/// A listed user: only its id is read (completeness is checked on ids).
#[derive(Deserialize)]
struct Listed {
    id: String,
    #[serde(flatten)]
    _rest: std::collections::HashMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<Listed>,
    #[serde(rename = "@odata.nextLink")]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

/// Peak and current resident memory of this process, in MiB, from /proc.
pub(crate) fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// One generated tenant of `users` users, without throttling (a benchmark measures Roster, not
/// the emulated limits).
pub(crate) fn one_tenant(users: u32, seed: u64) -> Scenario {
    Scenario {
        seed,
        settings: Settings {
            throttling: ThrottleConfig {
                enabled: false,
                ..ThrottleConfig::default()
            },
            ..Settings::default()
        },
        tenants: vec![TenantSpec {
            generate: Some(GenerateSpec {
                users,
                seed: Some(seed),
            }),
            ..TenantSpec::default()
        }],
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall time on the monotonic clock"
)]
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scenario = one_tenant(args.users, args.seed);
    let started = Instant::now();
    let emulator = Emulator::builder()
        .scenario(scenario)
        .start("127.0.0.1:0")
        .await?;
    let generate_seconds = started.elapsed().as_secs_f64();
    let (_, rss_after_generate) = memory_mb();

    let creds = emulator.handle().credentials();
    let tenant = creds.first().context("no tenant")?;
    let client_id = tenant.client_id().context("no app")?.to_string();
    let secret = tenant.client_secret().context("no secret")?.to_owned();
    let http = reqwest::Client::builder().build()?;
    let token: Token = http
        .post(emulator.token_url(&tenant.tenant_id.to_string()))
        .form(&[
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;

    let mut first = format!("{}/users?$top={}", emulator.graph_url(), args.top);
    if let Some(sel) = &args.select {
        first.push_str("&$select=");
        first.push_str(sel);
    }
    let mut timings = Vec::new();
    let mut pages = 0_usize;
    let mut bytes = 0_usize;
    for _ in 0..args.runs.max(1) {
        let t0 = Instant::now();
        let mut url = Some(first.clone());
        let mut seen = 0_usize;
        let mut ids = std::collections::HashSet::with_capacity(args.users as usize);
        pages = 0;
        bytes = 0;
        while let Some(u) = url {
            let body = http
                .get(&u)
                .bearer_auth(&token.access_token)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            bytes += body.len();
            let page: Page = serde_json::from_slice(&body)?;
            seen += page.value.len();
            ids.extend(page.value.into_iter().map(|u| u.id));
            pages += 1;
            url = page.next;
        }
        timings.push(t0.elapsed().as_secs_f64());
        // Paging completeness at this size (too slow for the test suite): every user exactly once.
        if seen != args.users as usize || ids.len() != seen {
            bail!(
                "listed {seen} users ({} distinct), expected each of {} exactly once",
                ids.len(),
                args.users
            );
        }
    }
    timings.sort_by(f64::total_cmp);
    let median = timings[timings.len() / 2];
    let best = timings[0];
    let users_per_second = f64::from(args.users) / median;
    let (peak, rss) = memory_mb();
    emulator.shutdown().await;

    println!("users: {} users", args.users);
    println!("generate_seconds: {generate_seconds:.2} s");
    println!("pages: {pages} pages");
    println!(
        "each_user_once: yes ({} distinct ids per listing)",
        args.users
    );
    println!("bytes_per_listing: {bytes} bytes");
    println!("list_seconds_median: {median:.3} s");
    println!("list_seconds_best: {best:.3} s");
    println!("users_per_second: {users_per_second:.0} users/s");
    println!(
        "users_per_second_best: {:.0} users/s",
        f64::from(args.users) / best
    );
    println!("rss_after_generate_mb: {rss_after_generate:.1} MB");
    println!("rss_mb: {rss:.1} MB");
    println!("peak_rss_mb: {peak:.1} MB");
    println!(
        "summary: listed {} users in {pages} pages at {users_per_second:.0} users/s (median of {} runs), peak RSS {peak:.0} MB",
        args.users,
        timings.len()
    );
    Ok(())
}
