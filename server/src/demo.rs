//! `roster demo`: a ready workspace on its own data directory, with the sign-in printed.

use crate::cli::serve;
use crate::config::Config;
use crate::startup::BuildOptions;

/// The demo owner's sign-in.
pub const DEMO_EMAIL: &str = "owner@demo.roster.test";
pub const DEMO_PASSWORD: &str = "demo-password-1234";

/// Prepares the demo workspace (once) and serves it.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = roster_store::Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let services = roster_core::Services::new(
        db.clone(),
        std::sync::Arc::new(roster_core::SystemClock),
        roster_core::SessionPolicy::default(),
    );
    if services.needs_setup().await? {
        services
            .create_admin(DEMO_EMAIL, "Demo Owner", DEMO_PASSWORD, Some("Demo MSP"))
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo workspace: {e}"))?;
    }
    db.close().await;
    println!();
    println!("  Roster demo: http://{}", config.listen);
    println!("  Sign in with  {DEMO_EMAIL}  /  {DEMO_PASSWORD}");
    println!("  Data directory: {}", config.data_dir.display());
    println!();
    let notice = format!(
        "Demo workspace: sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}. The data lives in {}.",
        config.data_dir.display()
    );
    serve(
        config,
        BuildOptions {
            demo_notice: Some(notice),
            ..BuildOptions::default()
        },
    )
    .await
}
