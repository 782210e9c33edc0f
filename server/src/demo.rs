//! `roster demo`: a ready workspace on its own data directory, with an emulated Microsoft cloud
//! holding several customer tenants, and the sign-in printed.

use crate::cli::serve;
use crate::config::Config;
use crate::startup::BuildOptions;
use roster_app::{DemoInfo, DemoTenant};
use roster_graph_emulator::{Emulator, Scenario};

/// The demo owner's sign-in.
pub const DEMO_EMAIL: &str = "owner@demo.roster.test";
pub const DEMO_PASSWORD: &str = "demo-password-1234";
/// Users in each emulated customer tenant.
const DEMO_USERS: u32 = 150;
/// Fixed seed: the same tenants and secrets at every start, so saved connections keep working.
const DEMO_SEED: u64 = 2026;

fn note(t: &roster_graph_emulator::TenantCredentials) -> String {
    let app = t.apps.first();
    if t.partner {
        return "Partner tenant (GDAP): not a customer".into();
    }
    if app.is_some_and(|a| a.roles.is_empty()) {
        return "App has only Delegated permissions: the check explains the fix".into();
    }
    if !t.entra_p1 {
        return "No Entra ID P1: MFA and sign-in data show as needing P1".into();
    }
    "Entra ID P1, all permissions granted".into()
}

/// Prepares the demo workspace (once), starts the emulator and serves the demo.
pub async fn run(mut config: Config) -> anyhow::Result<()> {
    let emulator = Emulator::builder()
        .scenario(Scenario::demo(DEMO_USERS, DEMO_SEED))
        .start("127.0.0.1:0")
        .await?;
    config.login_url = emulator.login_url().trim_end_matches('/').to_owned();
    config.graph_url = emulator.base_url().trim_end_matches('/').to_owned();
    let tenants = emulator
        .handle()
        .credentials()
        .iter()
        .filter(|t| !t.partner)
        .map(|t| {
            let secret = t.apps.first().and_then(|a| a.secrets.last());
            let mut note = note(t);
            if let Some(s) = secret
                && (s.expires - roster_core::Clock::now(&roster_core::SystemClock)).get_seconds()
                    < 30 * 86_400
            {
                note =
                    "Secret about to expire: the tenant page warns and offers Rotate secret".into();
            }
            DemoTenant {
                name: t.display_name.clone(),
                tenant_id: t.tenant_id.to_string(),
                domain: t.domains.first().cloned().unwrap_or_default(),
                client_id: t
                    .apps
                    .first()
                    .map(|a| a.client_id.to_string())
                    .unwrap_or_default(),
                secret: secret.map(|s| s.value.clone()).unwrap_or_default(),
                secret_expires_on: secret
                    .map(|s| {
                        s.expires
                            .to_zoned(jiff::tz::TimeZone::UTC)
                            .date()
                            .to_string()
                    })
                    .unwrap_or_default(),
                note,
                next_secret: String::new(),
                next_secret_expires_on: String::new(),
            }
        })
        .collect::<Vec<_>>();
    // A second secret for every app, so Rotate secret can be tried: the same value at every start
    // (the emulator's randomness is seeded), valid for 18 months from now.
    let mut tenants = tenants;
    for t in &mut tenants {
        let Ok(client_id) = t.client_id.parse() else {
            continue;
        };
        let next = emulator.handle().add_secret(
            &t.tenant_id,
            client_id,
            &roster_graph_emulator::NewSecret {
                value: None,
                expires: None,
                expires_in_days: Some(540),
            },
        );
        if let Ok(next) = next {
            t.next_secret = next.value;
            t.next_secret_expires_on = next
                .expires
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .to_string();
        }
    }

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
    println!("  Emulated Microsoft cloud: {}", emulator.base_url());
    println!("  Data directory: {}", config.data_dir.display());
    println!();
    let demo = DemoInfo {
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
        data_dir: config.data_dir.display().to_string(),
        tenants,
    };
    let result = serve(
        config,
        BuildOptions {
            demo: Some(demo),
            ..BuildOptions::default()
        },
    )
    .await;
    emulator.shutdown().await;
    result
}
