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

/// Customers the demo connects and syncs at its first start (the others are left for the
/// wizard): name, domain, users.
const SYNCED: [(&str, &str, u32); 3] = [
    ("Northwind Traders", "northwind.example", 80),
    ("Tailspin Toys", "tailspin.example", 40),
    ("Fabrikam Dental", "fabrikam-dental.example", 25),
];

/// Customers the demo connects without an organization, so the Review page has tenants to match:
/// name, domain, users. Organizations that look like them are seeded too (with a distractor).
const UNMATCHED: [(&str, &str, u32); 2] = [
    ("Contoso Pharmaceuticals", "contoso-pharma.example", 20),
    ("Woodgrove Bank", "woodgrove.example", 15),
];

/// The demo's Microsoft cloud: the wizard's mix of tenants, then the customers it syncs itself
/// (Northwind has two people the seeded contacts are about).
fn scenario() -> Scenario {
    let mut scenario = Scenario::demo(DEMO_USERS, DEMO_SEED);
    for (i, (name, domain, users)) in SYNCED.into_iter().enumerate() {
        let explicit = if i == 0 {
            vec![
                roster_graph_emulator::UserSpec {
                    display_name: "Dana Demo".into(),
                    given_name: Some("Dana".into()),
                    surname: Some("Demo".into()),
                    mail: Some(format!("dana.demo@{domain}")),
                    job_title: Some("Office manager".into()),
                    licenses: vec!["SPB".into()],
                    mfa_methods: vec!["microsoftAuthenticatorPush".into(), "mobilePhone".into()],
                    mailbox_bytes: Some(3_500_000_000),
                    ..Default::default()
                },
                roster_graph_emulator::UserSpec {
                    display_name: "Sam Lee".into(),
                    given_name: Some("Sam".into()),
                    surname: Some("Lee".into()),
                    mail: Some(format!("sam.lee@{domain}")),
                    ..Default::default()
                },
            ]
        } else {
            Vec::new()
        };
        scenario.tenants.push(roster_graph_emulator::TenantSpec {
            display_name: Some(name.into()),
            domains: vec![domain.into()],
            entra_p1: Some(i != 2),
            // Microsoft conceals report names by default; one demo customer keeps that, so its
            // page shows what Roster says then.
            concealed_names: Some(i == 1),
            generate: Some(roster_graph_emulator::GenerateSpec { users, seed: None }),
            users: explicit,
            ..Default::default()
        });
    }
    for (name, domain, users) in UNMATCHED {
        scenario.tenants.push(roster_graph_emulator::TenantSpec {
            display_name: Some(name.into()),
            domains: vec![domain.into()],
            entra_p1: Some(true),
            concealed_names: Some(false),
            generate: Some(roster_graph_emulator::GenerateSpec { users, seed: None }),
            ..Default::default()
        });
    }
    scenario
}

/// Organizations for the Review page: one named like a tenant, one whose website is a tenant's
/// domain, and one that only shares a word.
const REVIEW_ORGANIZATIONS: [(&str, &str); 3] = [
    ("Contoso Pharma Ltd.", ""),
    ("Contoso Dental Care", ""),
    ("Woodgrove Financial Group", "https://www.woodgrove.example"),
];

/// Connects and syncs the [`SYNCED`] customers, with a few contacts entered by hand first, so a
/// newcomer sees contacts, a sync log, a review item (two contacts named like one user) and a
/// conflict (a hand edit Entra then changed) at once.
async fn seed_customers(
    config: &Config,
    emulator: &roster_graph_emulator::RunningEmulator,
) -> anyhow::Result<()> {
    use roster_core::sync::fields::SyncField;
    let clock: std::sync::Arc<dyn roster_core::Clock> =
        std::sync::Arc::new(roster_core::SystemClock);
    let observer: std::sync::Arc<dyn roster_graph::Observe> =
        std::sync::Arc::new(roster_graph::NoObserver);
    let db = roster_store::Db::connect(&config.database_url).await?;
    let services = roster_core::Services::new(
        db.clone(),
        clock.clone(),
        roster_core::SessionPolicy::default(),
    )
    .with_keyring(config.keyring())
    .with_graph(crate::startup::graph_client(
        config,
        clock.clone(),
        observer.clone(),
        roster_graph::Profile::Interactive,
    )?)
    .with_background_graph(crate::startup::graph_client(
        config,
        clock,
        observer,
        roster_graph::Profile::Background,
    )?);
    let owner = services
        .login(DEMO_EMAIL, DEMO_PASSWORD, "127.0.0.1")
        .await
        .map_err(|e| anyhow::anyhow!("signing in the demo owner: {e}"))?
        .principal
        .ok_or_else(|| anyhow::anyhow!("the demo owner has no workspace"))?;
    let form = |pairs: &[(SyncField, &str)]| roster_core::contacts::ContactForm {
        values: pairs.iter().map(|(f, v)| (*f, (*v).to_owned())).collect(),
    };
    let credentials = emulator.handle().credentials();
    let mut first = None;
    for (i, (name, domain, _)) in SYNCED.into_iter().enumerate() {
        let Some(t) = credentials.iter().find(|t| t.display_name == name) else {
            continue;
        };
        let org = services
            .create_organization(
                &owner,
                &roster_core::organizations::OrganizationForm {
                    name: name.into(),
                    domains: domain.into(),
                    website: format!("https://www.{domain}"),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo organization {name}: {e}"))?;
        if i == 0 {
            // Entered by hand before the first sync: Dana is matched by her address; the two
            // Sam Lees leave the user Sam Lee for a person to decide.
            for pairs in [
                vec![
                    (SyncField::DisplayName, "Dana Demo"),
                    (SyncField::Email, &format!("dana.demo@{domain}") as &str),
                    (SyncField::MobilePhone, "+1 555 0100"),
                ],
                vec![
                    (SyncField::DisplayName, "Sam Lee"),
                    (SyncField::FirstName, "Sam"),
                    (SyncField::LastName, "Lee"),
                    (SyncField::JobTitle, "Accountant"),
                ],
                vec![
                    (SyncField::DisplayName, "Sam Lee"),
                    (SyncField::FirstName, "Sam"),
                    (SyncField::LastName, "Lee"),
                    (SyncField::JobTitle, "Driver"),
                ],
            ] {
                services
                    .create_contact(&owner, org, &form(&pairs))
                    .await
                    .map_err(|e| anyhow::anyhow!("demo contact: {e}"))?;
            }
        }
        let conn = connect(&services, &owner, t, Some(org)).await?;
        services.first_sync(&owner, conn).await?;
        if i == 0 {
            first = Some((t.tenant_id.to_string(), org));
        }
    }
    services.run_queued("demo").await?;
    for (name, website) in REVIEW_ORGANIZATIONS {
        services
            .create_organization(
                &owner,
                &roster_core::organizations::OrganizationForm {
                    name: name.into(),
                    website: website.into(),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo organization {name}: {e}"))?;
    }
    for (name, _, _) in UNMATCHED {
        if let Some(t) = credentials.iter().find(|t| t.display_name == name) {
            connect(&services, &owner, t, None).await?;
        }
    }
    // A conflict: Dana's job title edited by hand, then changed in Entra.
    if let Some((tenant, org)) = first {
        let page = services
            .contacts_page(
                &owner,
                &roster_core::ContactFilter {
                    organization_id: Some(org.as_uuid()),
                    search: Some("dana".into()),
                    ..Default::default()
                },
                &roster_core::PageRequest::first(5),
            )
            .await?;
        if let Some(dana) = page.items.first() {
            services
                .edit_contact(
                    &owner,
                    dana.id,
                    &form(&[(SyncField::JobTitle, "Head of office")]),
                )
                .await
                .map_err(|e| anyhow::anyhow!("demo edit: {e}"))?;
            if let Some(object_id) = services.contact(&owner, dana.id).await?.object_id {
                emulator
                    .handle()
                    .update_user(
                        &tenant,
                        &object_id,
                        &serde_json::json!({ "job_title": "Operations lead" }),
                    )
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let conn = services
                    .connections(&owner)
                    .await?
                    .into_iter()
                    .find(|c| c.tenant_id == tenant)
                    .map(|c| c.id);
                if let Some(conn) = conn {
                    services.sync_now(&owner, conn).await?;
                    services.run_queued("demo").await?;
                }
            }
        }
    }
    db.close().await;
    Ok(())
}

/// Checks and saves a demo tenant's connection with its first app's newest secret, matched to
/// `organization` (or left for the Review page).
async fn connect(
    services: &roster_core::Services,
    owner: &roster_core::Principal,
    t: &roster_graph_emulator::TenantCredentials,
    organization: Option<roster_domain::OrganizationId>,
) -> anyhow::Result<roster_domain::ConnectionId> {
    let name = &t.display_name;
    let (app, secret) = t
        .apps
        .first()
        .and_then(|a| a.secrets.last().map(|s| (a, s)))
        .ok_or_else(|| anyhow::anyhow!("demo tenant {name} has no app secret"))?;
    let draft = services
        .check_draft(
            owner,
            &roster_core::connections::ConnectForm {
                organization_id: organization.map(|o| o.to_string()).unwrap_or_default(),
                tenant: t.tenant_id.to_string(),
                client_id: app.client_id.to_string(),
                secret: secret.value.clone(),
                secret_expires_on: secret
                    .expires
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .date()
                    .to_string(),
                ..Default::default()
            },
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("checking demo tenant {name}: {e}"))?;
    services
        .save_connection(owner, draft)
        .await
        .map_err(|e| anyhow::anyhow!("saving demo tenant {name}: {e}"))
}

/// Prepares the demo workspace (once), starts the emulator and serves the demo.
pub async fn run(mut config: Config) -> anyhow::Result<()> {
    let emulator = Emulator::builder()
        .scenario(scenario())
        .start("127.0.0.1:0")
        .await?;
    config.login_url = emulator.login_url().trim_end_matches('/').to_owned();
    config.graph_url = emulator.base_url().trim_end_matches('/').to_owned();
    let tenants = emulator
        .handle()
        .credentials()
        .iter()
        .filter(|t| {
            !t.partner
                && !SYNCED
                    .iter()
                    .chain(UNMATCHED.iter())
                    .any(|(name, _, _)| *name == t.display_name)
        })
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
    let fresh = services.needs_setup().await?;
    if fresh {
        services
            .create_admin(DEMO_EMAIL, "Demo Owner", DEMO_PASSWORD, Some("Demo MSP"))
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo workspace: {e}"))?;
    }
    db.close().await;
    if fresh {
        seed_customers(&config, &emulator).await?;
    }
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
