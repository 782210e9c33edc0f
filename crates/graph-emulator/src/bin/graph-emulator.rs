//! The `graph-emulator` binary: serves a scenario file or generated tenants over HTTP or HTTPS.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use roster_graph_emulator::{Emulator, Scenario, TlsConfig};

/// An emulator of the Microsoft identity platform and Graph v1.0 for Roster.
#[derive(Debug, Parser)]
#[command(name = "graph-emulator", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8089", env = "GRAPH_EMULATOR_LISTEN")]
    listen: String,
    /// A scenario file (TOML).
    #[arg(long, conflicts_with_all = ["tenants", "demo"])]
    scenario: Option<PathBuf>,
    /// Number of generated customer tenants.
    #[arg(long)]
    tenants: Option<u32>,
    /// Users in each generated tenant.
    #[arg(long, default_value_t = 25)]
    users: u32,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Add a partner (MSP) tenant whose GDAP customers are the generated tenants.
    #[arg(long)]
    partner: bool,
    /// The demo mix: no-P1, expiring-secret, delegated-only and partner tenants.
    #[arg(long)]
    demo: bool,
    /// Print every tenant's ids and secrets as JSON on standard output, then serve.
    #[arg(long)]
    print_credentials: bool,
    /// Serve HTTPS with a self-signed certificate for 127.0.0.1 and localhost.
    #[arg(long)]
    tls: bool,
    /// Certificate chain (PEM) to serve instead of a self-signed one.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Write the served certificate (PEM) here so clients can trust it.
    #[arg(long)]
    tls_cert_out: Option<PathBuf>,
    /// Base URL to put into links when clients use another host name.
    #[arg(long)]
    public_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let scenario = if let Some(path) = &args.scenario {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Scenario::from_toml(&text)?
    } else if args.demo {
        Scenario::demo(args.users, args.seed)
    } else {
        let mut s = Scenario::generated(args.tenants.unwrap_or(3), args.users, args.seed);
        if args.partner {
            s.tenants.push(roster_graph_emulator::TenantSpec {
                partner: true,
                generate: Some(roster_graph_emulator::GenerateSpec {
                    users: 10,
                    seed: None,
                }),
                apps: vec![roster_graph_emulator::AppSpec {
                    application_permissions: vec![
                        "DelegatedAdminRelationship.Read.All".to_owned(),
                        "Organization.Read.All".to_owned(),
                    ],
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
        s
    };
    let mut builder = Emulator::builder().scenario(scenario);
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsConfig::Files {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ if args.tls => Some(TlsConfig::self_signed().map_err(anyhow::Error::msg)?),
        _ => None,
    };
    if let Some(tls) = &tls {
        if let Some(out) = &args.tls_cert_out {
            std::fs::write(out, tls.cert_pem().map_err(anyhow::Error::msg)?)
                .with_context(|| format!("writing {}", out.display()))?;
        }
        builder = builder.tls(tls.clone());
    }
    if let Some(url) = &args.public_url {
        builder = builder.public_url(url.clone());
    }
    let running = builder.start(&args.listen).await?;
    if args.print_credentials {
        let creds = running.handle().credentials();
        println!("{}", serde_json::to_string_pretty(&creds)?);
    }
    tracing::info!(base_url = running.base_url(), "graph emulator listening");
    tokio::select! {
        () = async { let _ = tokio::signal::ctrl_c().await; } => {}
    }
    running.shutdown().await;
    Ok(())
}
