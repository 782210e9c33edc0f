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
    /// Re-encrypt every stored secret under a new master key.
    ///
    /// With the key file in the data directory (the default), a new key is generated and the file is
    /// replaced; the old key is kept in master.key.previous. With ROSTER_MASTER_KEY set, give the new
    /// key on standard input (--new-key-stdin), then set it in ROSTER_MASTER_KEY on every instance.
    RotateKey {
        /// Read the new key (64 hex digits) from the first line of standard input.
        #[arg(long)]
        new_key_stdin: bool,
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
        Command::RotateKey { new_key_stdin } => {
            rotate_key(Config::from_env()?, new_key_stdin).await
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

async fn rotate_key(config: Config, new_key_stdin: bool) -> anyhow::Result<()> {
    use crate::config::{MasterKey, write_key_file};
    let file_mode = config.master_key.from_key_file;
    let next_path = config.data_dir.join("master.key.next");
    // An earlier rotation that stopped half-way left its new key here; the database may already
    // be sealed with it, so it is finished rather than replaced.
    let unfinished = if file_mode {
        match std::fs::read_to_string(&next_path) {
            Ok(text) => Some(
                MasterKey::parse(&text, "master.key.next")
                    .map_err(|m| anyhow::anyhow!("{}: {m}", next_path.display()))?,
            ),
            Err(_) => None,
        }
    } else {
        None
    };
    let new_key = if let Some(k) = unfinished {
        println!("Finishing an earlier rotation to key id {}.", k.id());
        k
    } else if new_key_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        MasterKey::parse(&line, "standard input")
            .map_err(|m| anyhow::anyhow!("the new key: {m}"))?
    } else if !file_mode {
        anyhow::bail!(
            "the master key comes from {} (not the data directory's key file), so Roster cannot replace it by itself: \
             generate one (`openssl rand -hex 32`) and pass it with --new-key-stdin",
            config.master_key.source
        );
    } else {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let k =
            MasterKey::parse(&hex::encode(bytes), "generated").map_err(|m| anyhow::anyhow!(m))?;
        // Written before the database changes: if anything below fails, the next start still knows it.
        write_key_file(&next_path, &k.to_hex())
            .with_context(|| format!("writing {}", next_path.display()))?;
        k
    };
    if new_key.id() == config.master_key.id() {
        anyhow::bail!("the new key is the current key");
    }
    let mut previous: Vec<[u8; 32]> = config.previous_keys.iter().map(MasterKey::bytes).collect();
    previous.push(config.master_key.bytes());
    let keyring = roster_core::crypto::Keyring::new(&new_key.bytes(), &previous);
    let db = roster_store::Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let services = roster_core::Services::new(
        db.clone(),
        std::sync::Arc::new(roster_core::SystemClock),
        roster_core::SessionPolicy::default(),
    )
    .with_keyring(keyring);
    let n = services
        .reseal_all()
        .await
        .map_err(|e| anyhow::anyhow!("re-encrypting: {e:?}"))?;
    db.close().await;
    if file_mode && !new_key_stdin {
        let key_path = config.data_dir.join("master.key");
        let prev_path = config.data_dir.join("master.key.previous");
        let mut kept = std::fs::read_to_string(&prev_path).unwrap_or_default();
        if !kept.is_empty() && !kept.ends_with('\n') {
            kept.push('\n');
        }
        kept.push_str(&config.master_key.to_hex());
        let tmp = config.data_dir.join("master.key.previous.tmp");
        let _ = std::fs::remove_file(&tmp);
        write_key_file(&tmp, &kept).context("writing master.key.previous")?;
        std::fs::rename(&tmp, &prev_path)?;
        std::fs::rename(&next_path, &key_path)?;
        if let Ok(dir) = std::fs::File::open(&config.data_dir) {
            let _ = dir.sync_all();
        }
        println!(
            "Re-encrypted {n} secrets; the master key is now id {} (was {}). Earlier keys are kept in {} for \
             backups; delete it once you no longer need them.",
            new_key.id(),
            config.master_key.id(),
            prev_path.display()
        );
    } else {
        println!(
            "Re-encrypted {n} secrets under key id {}. Now set ROSTER_MASTER_KEY to the new key on every instance \
             (keep the old one in ROSTER_PREVIOUS_MASTER_KEYS until all of them have restarted).",
            new_key.id()
        );
    }
    Ok(())
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
    startup::spawn_sync_workers(app.services.clone(), config.sync_workers);
    startup::serve(listener, app.router, startup::shutdown_signal()).await?;
    app.db.close().await;
    Ok(())
}
