//! `Services`: the entry point to every use-case, holding the database, the clock and the policies.

use crate::clock::Clock;
use crate::error::{CoreError, Result};
use roster_domain::Permission;
use roster_store::{Db, Principal};
use std::sync::Arc;

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: jiff::SignedDuration,
    /// A session ends this long after sign-in, however active.
    pub absolute: jiff::SignedDuration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: jiff::SignedDuration::from_hours(8),
            absolute: jiff::SignedDuration::from_hours(24 * 7),
        }
    }
}

/// Roster's use-cases, cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sessions: SessionPolicy,
    pub(crate) dummy_hash: Arc<tokio::sync::OnceCell<String>>,
    pub(crate) keyring: Option<Arc<crate::crypto::Keyring>>,
    /// Signs cookies when no keyring is configured (then valid for this process only).
    pub(crate) fallback_signer: crate::crypto::CookieSigner,
    pub(crate) graph: Option<roster_graph::GraphClient>,
    pub(crate) background_graph: Option<roster_graph::GraphClient>,
    pub(crate) randomness: Arc<dyn crate::ids::Randomness>,
    pub(crate) sync_metrics: Option<Arc<dyn crate::sync::engine::SyncMetrics>>,
    /// Signalled when a run is queued, so this instance's idle workers start at once.
    pub(crate) jobs_ready: Arc<tokio::sync::Notify>,
    /// What background work waits with (a running sync's heartbeat).
    pub(crate) sleep: Sleeper,
}

/// Something background work waits with.
#[derive(Clone)]
pub(crate) struct Sleeper(pub(crate) Arc<dyn roster_graph::Sleep>);

impl std::fmt::Debug for Sleeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sleeper")
    }
}

impl Services {
    pub fn new(db: Db, clock: Arc<dyn Clock>, sessions: SessionPolicy) -> Self {
        Self {
            db,
            clock,
            sessions,
            dummy_hash: Arc::new(tokio::sync::OnceCell::new()),
            keyring: None,
            fallback_signer: crate::crypto::CookieSigner::random(),
            graph: None,
            background_graph: None,
            randomness: Arc::new(crate::ids::OsRandomness),
            sync_metrics: None,
            jobs_ready: Arc::new(tokio::sync::Notify::new()),
            sleep: Sleeper(Arc::new(roster_graph::TokioSleep)),
        }
    }

    /// Reports finished sync runs to `metrics`.
    pub fn with_sync_metrics(mut self, metrics: Arc<dyn crate::sync::engine::SyncMetrics>) -> Self {
        self.sync_metrics = Some(metrics);
        self
    }

    /// Gives the services another source of random bits for new identifiers (tests fix it).
    pub fn with_randomness(mut self, randomness: Arc<dyn crate::ids::Randomness>) -> Self {
        self.randomness = randomness;
        self
    }

    /// Gives the services a client for Microsoft for work a person waits on (connection checks).
    pub fn with_graph(mut self, graph: roster_graph::GraphClient) -> Self {
        self.graph = Some(graph);
        self
    }

    /// Gives the services a client for Microsoft for background work (syncs), patient with
    /// throttling; without one, background work uses the interactive client.
    pub fn with_background_graph(mut self, graph: roster_graph::GraphClient) -> Self {
        self.background_graph = Some(graph);
        self
    }

    /// The client background work talks to Microsoft with.
    pub(crate) fn background_graph(&self) -> Result<&roster_graph::GraphClient> {
        match &self.background_graph {
            Some(g) => Ok(g),
            None => self.graph(),
        }
    }

    pub(crate) fn graph(&self) -> Result<&roster_graph::GraphClient> {
        self.graph
            .as_ref()
            .ok_or_else(|| CoreError::Internal("no Microsoft client configured".into()))
    }

    /// The signer for cookies Roster reads back (the flash).
    pub fn cookie_signer(&self) -> &crate::crypto::CookieSigner {
        self.keyring
            .as_deref()
            .map(crate::crypto::Keyring::cookie_signer)
            .unwrap_or(&self.fallback_signer)
    }

    /// Gives the services the keyring that seals tenant secrets.
    pub fn with_keyring(mut self, keyring: crate::crypto::Keyring) -> Self {
        self.keyring = Some(Arc::new(keyring));
        self
    }

    pub(crate) fn keyring(&self) -> Result<&crate::crypto::Keyring> {
        self.keyring
            .as_deref()
            .ok_or_else(|| CoreError::Internal("no master key configured".into()))
    }

    /// Re-seals every stored secret under the keyring's current key, all or nothing.
    /// Returns how many secrets were re-sealed.
    pub async fn reseal_all(&self) -> Result<usize> {
        let keyring = self.keyring()?;
        let mut done = 0;
        // A secret replaced while we worked is read and re-sealed again (a few rounds at most).
        for _ in 0..5 {
            let mut rows: Vec<_> = self
                .db
                .sealed_secrets()
                .await?
                .into_iter()
                .filter(|r| r.secret.key_id != keyring.current_id())
                .collect();
            if rows.is_empty() {
                return Ok(done);
            }
            for row in &mut rows {
                let context = row.workspace_id.as_bytes().to_vec();
                let plain = keyring
                    .open(&row.secret, &context)
                    .map_err(|e| CoreError::Internal(Box::new(e)))?;
                row.secret = keyring.seal(secrecy::ExposeSecret::expose_secret(&plain), &context);
            }
            let skipped = self.db.reseal(&rows).await?;
            done += rows.len() - skipped.len();
            if skipped.is_empty() {
                return Ok(done);
            }
        }
        Err(CoreError::Conflict(
            "Secrets kept changing while they were re-encrypted; run the command again.".into(),
        ))
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Today's date in UTC, the calendar that secret expiry dates are compared in.
    pub fn today(&self) -> jiff::civil::Date {
        self.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    /// Refuses unless `principal`'s role grants `permission`.
    pub fn authorize(&self, principal: &Principal, permission: Permission) -> Result<()> {
        if principal.role().allows(permission) {
            Ok(())
        } else {
            tracing::info!(
                member = %principal.member_id(),
                role = %principal.role(),
                ?permission,
                "refused by role"
            );
            Err(CoreError::Forbidden)
        }
    }
}
