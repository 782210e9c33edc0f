//! Use-case tests: `Services` on a real database (SQLite, and PostgreSQL when `TEST_DATABASE_URL`
//! is set), the emulated Microsoft cloud over real HTTP, and one manual clock read by all three.
#![expect(clippy::expect_used, reason = "the harness fails loudly")]

mod connections;
mod organizations;
mod sync;

use roster_core::crypto::Keyring;
use roster_core::{Principal, Services, SessionPolicy};
use roster_graph_emulator::{EmulatorHandle, RunningEmulator, Scenario};
use roster_testkit::{TestClock, TestDb};
use std::sync::Arc;

/// One customer tenant of the emulator, as the wizard is given it.
pub struct Customer {
    pub tenant_id: String,
    pub domain: String,
    pub client_id: String,
    pub secret: String,
    pub expires_on: String,
}

/// Services with a workspace whose owner acts, the emulator and the shared clock.
pub struct Harness {
    pub services: Services,
    pub owner: Principal,
    pub clock: TestClock,
    pub db: TestDb,
    emulator: RunningEmulator,
}

impl Harness {
    pub async fn start() -> Self {
        let clock = TestClock::new();
        let emulator = roster_testkit::start_emulator(Scenario::demo(10, 7), &clock)
            .await
            .expect("emulator");
        let base = emulator.base_url().trim_end_matches('/').to_owned();
        let mut graph = roster_graph::GraphConfig::with_bases(&base, &base).expect("bases");
        graph.clock = Arc::new(clock.clone());
        let db = TestDb::fresh().await.expect("database");
        let services = Services::new(
            db.db.clone(),
            Arc::new(clock.clone()),
            SessionPolicy::default(),
        )
        .with_keyring(Keyring::new(&[9u8; 32], &[]))
        .with_graph(roster_graph::GraphClient::new(graph).expect("graph client"));
        let started = services
            .setup(&roster_core::auth::SetupForm {
                workspace_name: "Acme IT".into(),
                name: "Olive Owner".into(),
                email: "owner@acme.test".into(),
                password: "owner password 1".into(),
            })
            .await
            .expect("setup");
        Self {
            services,
            owner: started.principal.expect("an owner"),
            clock,
            db,
            emulator,
        }
    }

    pub fn microsoft(&self) -> &EmulatorHandle {
        self.emulator.handle()
    }

    pub fn customer(&self, i: usize) -> Customer {
        let t = self.microsoft().credentials().remove(i);
        let app = t.apps.first().expect("an app").clone();
        let secret = app.secrets.last().expect("a secret").clone();
        Customer {
            tenant_id: t.tenant_id.to_string(),
            domain: t.domains.first().cloned().unwrap_or_default(),
            client_id: app.client_id.to_string(),
            secret: secret.value,
            expires_on: secret
                .expires
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .to_string(),
        }
    }
}
