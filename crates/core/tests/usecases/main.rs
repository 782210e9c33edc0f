//! Use-case tests: `Services` on a real database (SQLite, and PostgreSQL when `TEST_DATABASE_URL`
//! is set), the emulated Microsoft cloud over real HTTP, and one manual clock read by all three.
#![expect(clippy::expect_used, reason = "the harness fails loudly")]

mod connections;
mod facts;
mod jobs;
mod matching;
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
        Self::start_with(Scenario::demo(10, 7)).await
    }

    /// Like [`Harness::start`], with the emulator playing `scenario`.
    pub async fn start_with(scenario: Scenario) -> Self {
        let clock = TestClock::new();
        let emulator = roster_testkit::start_emulator(scenario, &clock)
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

    /// Another Roster instance on the same database (its own connection pool), clock, key and
    /// Microsoft: what a second server of a cluster would be.
    pub async fn second_instance(&self) -> Services {
        let base = self.emulator.base_url().trim_end_matches('/').to_owned();
        let mut graph = roster_graph::GraphConfig::with_bases(&base, &base).expect("bases");
        graph.clock = Arc::new(self.clock.clone());
        let db = roster_store::Db::connect(&self.db.url)
            .await
            .expect("a second pool");
        Services::new(db, Arc::new(self.clock.clone()), SessionPolicy::default())
            .with_keyring(Keyring::new(&[9u8; 32], &[]))
            .with_graph(roster_graph::GraphClient::new(graph).expect("graph client"))
    }

    /// Sync now, and the worker that carries the queued run out (as a server's worker would).
    pub async fn sync_now(
        &self,
        connection: roster_domain::ConnectionId,
    ) -> Result<roster_domain::SyncRunId, roster_core::CoreError> {
        let run = self.services.sync_now(&self.owner, connection).await?;
        self.services.run_queued("test-worker").await?;
        Ok(run)
    }

    /// Preview sync, carried out by a worker.
    pub async fn preview_sync(
        &self,
        connection: roster_domain::ConnectionId,
    ) -> Result<roster_domain::SyncRunId, roster_core::CoreError> {
        let run = self.services.preview_sync(&self.owner, connection).await?;
        self.services.run_queued("test-worker").await?;
        Ok(run)
    }

    /// The emulator's base URL (for tests that ask Microsoft directly).
    pub fn microsoft_url(&self) -> String {
        self.emulator.base_url().trim_end_matches('/').to_owned()
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
