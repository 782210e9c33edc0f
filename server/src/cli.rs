//! The command line: `serve` (default), `migrate`, `create-admin`, `demo`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::BufRead;

use crate::config::{Config, RawSettings};
use crate::startup::{self, BuildOptions};
use crate::{demo, telemetry};

/// Roster: keeps an MSP's contacts true to its customers' Microsoft Entra ID tenants.
///
/// Settings come from `roster.toml` (or the file named by ROSTER_CONFIG) and ROSTER_* environment
/// variables; see the README for the table.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default when no command is given).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a workspace owner (with --workspace) or a server administrator who can create workspaces.
    CreateAdmin {
        /// The login's email address.
        #[arg(long)]
        email: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// Create this workspace with the login as its owner; without it, create a server administrator.
        #[arg(long)]
        workspace: Option<String>,
        /// Read the password from the first line of standard input (otherwise from ROSTER_ADMIN_PASSWORD).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Serve a demo workspace on a data directory of its own and print how to sign in.
    Demo {
        /// The demo's data directory (its own SQLite database and key).
        #[arg(long, default_value = "./roster-demo-data")]
        data_dir: std::path::PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3000")]
        listen: String,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(Config::from_env()?, BuildOptions::default()).await,
        Command::Migrate => {
            let config = Config::from_env()?;
            telemetry::init(config.log_format);
            let db = roster_store::Db::connect(&config.database_url)
                .await
                .context("connecting to the database")?;
            db.migrate().await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::CreateAdmin {
            email,
            name,
            workspace,
            password_stdin,
        } => {
            let config = Config::from_env()?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                std::env::var("ROSTER_ADMIN_PASSWORD").map_err(|_| {
                    anyhow::anyhow!(
                        "give the password on standard input with --password-stdin, or in ROSTER_ADMIN_PASSWORD"
                    )
                })?
            };
            let app = startup::build(&config, BuildOptions::default()).await?;
            match app
                .services
                .create_admin(&email, &name, &password, workspace.as_deref())
                .await
            {
                Ok(message) => {
                    println!("{message}");
                    Ok(())
                }
                Err(roster_core::CoreError::Invalid(errors)) => {
                    let lines: Vec<String> = errors
                        .0
                        .iter()
                        .map(|(k, v)| format!("--{k}: {v}"))
                        .collect();
                    anyhow::bail!("{}", lines.join("\n"))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Demo { data_dir, listen } => {
            let mut raw = RawSettings::gather(&|k| std::env::var(k).ok())?;
            raw.values
                .insert("ROSTER_DATA_DIR", data_dir.display().to_string());
            raw.values.insert("ROSTER_LISTEN", listen);
            // The demo always uses its own embedded database.
            raw.values.remove("ROSTER_DATABASE_URL");
            let config = raw.resolve()?;
            demo::run(config).await
        }
    }
}

/// Starts the server with `config` and serves until SIGINT/SIGTERM.
pub async fn serve(config: Config, options: BuildOptions) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    config.log_effective();
    let app = startup::build(&config, options).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("ROSTER_LISTEN: cannot listen on {}", config.listen))?;
    tracing::info!(address = %format!("http://{}", listener.local_addr()?), "Roster is listening");
    startup::spawn_housekeeping(app.services.clone());
    startup::serve(listener, app.router, startup::shutdown_signal()).await?;
    app.db.close().await;
    Ok(())
}
