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
    (kib_field(&status, "VmHWM:"), kib_field(&status, "VmRSS:"))
}

/// A `/proc/*/status` field given in kB, in MiB (0 when absent).
fn kib_field(status: &str, name: &str) -> f64 {
    status
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
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

/// Options of `serve-emulator`, the emulator half of a benchmark run in its own process.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Users in the generated tenant.
    #[arg(long)]
    users: u32,
    /// Seed of the generated data.
    #[arg(long)]
    seed: u64,
    /// Show real names in the usage reports (so they can be joined to users).
    #[arg(long)]
    names_shown: bool,
}

/// What `serve-emulator` prints on its first line of standard output.
#[derive(serde::Serialize, Deserialize)]
struct Serving {
    base_url: String,
    credentials: Vec<roster_graph_emulator::TenantCredentials>,
}

/// `serve-emulator`: generates the tenant, prints where it is served and its credentials as one
/// JSON line, and serves until standard input closes (the benchmark that started it ended).
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut scenario = one_tenant(args.users, args.seed);
    if args.names_shown {
        for t in &mut scenario.tenants {
            t.concealed_names = Some(false);
        }
    }
    let emulator = Emulator::builder()
        .scenario(scenario)
        .start("127.0.0.1:0")
        .await?;
    let line = serde_json::to_string(&Serving {
        base_url: emulator.base_url().trim_end_matches('/').to_owned(),
        credentials: emulator.handle().credentials(),
    })?;
    println!("{line}");
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    })
    .await?;
    emulator.shutdown().await;
    Ok(())
}

/// The emulated Microsoft cloud in a child process, so this process's memory is Roster's alone.
pub(crate) struct Remote {
    child: tokio::process::Child,
    /// Base URL of the token endpoint and Graph.
    pub base_url: String,
    /// The generated tenant's credentials.
    pub credentials: Vec<roster_graph_emulator::TenantCredentials>,
    http: reqwest::Client,
}

impl Remote {
    /// Starts this program again as `serve-emulator` and waits until it serves.
    pub async fn start(users: u32, seed: u64, names_shown: bool) -> anyhow::Result<Self> {
        use tokio::io::AsyncBufReadExt as _;
        let exe = std::env::current_exe()?;
        let mut cmd = tokio::process::Command::new(exe);
        cmd.arg("serve-emulator")
            .args(["--users", &users.to_string(), "--seed", &seed.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        if names_shown {
            cmd.arg("--names-shown");
        }
        let mut child = cmd.spawn()?;
        let stdout = child.stdout.take().context("the emulator's output")?;
        let mut first = String::new();
        tokio::io::BufReader::new(stdout)
            .read_line(&mut first)
            .await?;
        let serving: Serving = serde_json::from_str(first.trim())
            .with_context(|| format!("the emulator did not start: {first:?}"))?;
        Ok(Self {
            child,
            base_url: serving.base_url,
            credentials: serving.credentials,
            http: reqwest::Client::new(),
        })
    }

    /// Changes a user as an administrator would, through the emulator's control API.
    pub async fn update_user(
        &self,
        tenant: &str,
        object_id: &str,
        patch: &serde_json::Value,
    ) -> anyhow::Result<()> {
        self.http
            .patch(format!(
                "{}/_emulator/tenants/{tenant}/users/{object_id}",
                self.base_url
            ))
            .json(patch)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// The emulator process's peak resident memory so far, in MiB.
    pub fn peak_mb(&self) -> f64 {
        let Some(pid) = self.child.id() else {
            return 0.0;
        };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        kib_field(&status, "VmHWM:")
    }

    /// Stops the emulator.
    pub async fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait().await;
    }
}
