//! Behaviour against the Microsoft cloud emulator (`roster-graph-emulator`), in process and over
//! real HTTP. The emulator knows nothing of this crate's types, so every test checks the wire
//! contract from both ends: what the client asks, what the emulator answers, and how the client
//! reads it.
//!
//! The client and the emulator share one manual clock. The client's recording sleeper moves it
//! forward when the client waits, so throttling windows, secret activation and delta-link expiry
//! all see the same time as the client, and no test ever really waits.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use roster_graph::config::RetryPolicy;
use roster_graph::models::{DeltaItem, DirectoryObject, Organization, RemovedReason, User};
use roster_graph::permissions::{self, DataSource};
use roster_graph::reports::{ReportPeriod, ReportUser};
use roster_graph::testing::{FixedRandom, ManualClock, RecordingSleep};
use roster_graph::{
    BatchRequest, DeltaStart, Error, GraphClient, GraphConfig, GraphErrorKind, ListQuery, Page,
    Random, RolesClaim, Sleep, TenantCredentials, TenantSession, TokenErrorKind,
};
use roster_graph_emulator::{
    AppSpec, EmulatorHandle, Faults, GenerateSpec, GroupSpec, LogEntry, NewSecret, RunningEmulator,
    Scenario, Settings, TenantSpec, ThrottleConfig, UserSpec,
};
use secrecy::SecretString;

// ----- the emulated cloud ----------------------------------------------------------------

const START: &str = "2026-02-02T09:30:00Z";

/// The emulator reads the client's manual clock, so both sides live in the same time.
#[derive(Debug, Clone)]
struct SharedClock(ManualClock);

impl roster_graph_emulator::Clock for SharedClock {
    fn now(&self) -> Timestamp {
        roster_graph::Clock::now(&self.0)
    }
}

/// A running emulator, the shared clock and the sleeper handed to every client.
struct Cloud {
    emulator: RunningEmulator,
    clock: ManualClock,
    sleep: RecordingSleep,
}

/// A generated customer tenant.
fn customer(users: u32, entra_p1: bool) -> TenantSpec {
    TenantSpec {
        entra_p1: Some(entra_p1),
        generate: Some(GenerateSpec { users, seed: None }),
        ..TenantSpec::default()
    }
}

fn scenario(tenants: Vec<TenantSpec>) -> Scenario {
    Scenario {
        seed: 20_260_202,
        tenants,
        ..Scenario::default()
    }
}

impl Cloud {
    async fn start(scenario: Scenario) -> Self {
        let clock = ManualClock::new(START.parse::<Timestamp>().unwrap());
        let emulator = roster_graph_emulator::Emulator::builder()
            .scenario(scenario)
            .clock(SharedClock(clock.clone()))
            .start("127.0.0.1:0")
            .await
            .unwrap();
        let sleep = RecordingSleep::advancing(clock.clone());
        Self {
            emulator,
            clock,
            sleep,
        }
    }

    /// One generated tenant.
    async fn with_tenant(users: u32, entra_p1: bool) -> Self {
        Self::start(scenario(vec![customer(users, entra_p1)])).await
    }

    fn handle(&self) -> &EmulatorHandle {
        self.emulator.handle()
    }

    fn tenant(&self, index: usize) -> roster_graph_emulator::TenantCredentials {
        self.handle().credentials()[index].clone()
    }

    fn tenant_id(&self, index: usize) -> String {
        self.tenant(index).tenant_id.to_string()
    }

    fn client_id(&self, index: usize) -> String {
        self.tenant(index).apps[0].client_id.to_string()
    }

    /// Test configuration: the emulator's base for both login and Graph, the shared clock, the
    /// recording sleeper, mid-range jitter.
    fn config(&self) -> GraphConfig {
        self.config_with_sleeper(Arc::new(self.sleep.clone()))
    }

    fn config_with_sleeper(&self, sleeper: Arc<dyn Sleep>) -> GraphConfig {
        let base = self.emulator.base_url();
        let mut config = GraphConfig::with_bases(base, base).unwrap();
        config.clock = Arc::new(self.clock.clone());
        config.sleeper = sleeper;
        config.random = Arc::new(FixedRandom::fraction(0.5));
        config.timeout = Duration::from_secs(5);
        config.retry = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        };
        config
    }

    /// A session for tenant `index` (by GUID) with its first app and newest secret.
    fn session(&self, index: usize) -> TenantSession {
        self.session_with(self.config(), index)
    }

    fn session_with(&self, config: GraphConfig, index: usize) -> TenantSession {
        let tenant = self.tenant(index);
        let secret = tenant.client_secret().unwrap().to_owned();
        GraphClient::new(config).unwrap().tenant(credentials(
            &tenant.tenant_id.to_string(),
            &self.client_id(index),
            &secret,
        ))
    }

    /// A session with explicit credentials.
    fn session_as(&self, tenant: &str, client_id: &str, secret: &str) -> TenantSession {
        GraphClient::new(self.config())
            .unwrap()
            .tenant(credentials(tenant, client_id, secret))
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    fn set_faults(&self, index: usize, faults: Faults) {
        self.handle()
            .set_faults(&self.tenant_id(index), faults)
            .unwrap();
    }

    /// The emulator's log of Graph requests (token and download requests left out).
    fn graph_log(&self) -> Vec<LogEntry> {
        self.handle()
            .requests()
            .into_iter()
            .filter(|entry| entry.uri.starts_with("/v1.0/"))
            .collect()
    }
}

fn credentials(tenant: &str, client_id: &str, secret: &str) -> TenantCredentials {
    TenantCredentials {
        tenant: tenant.to_owned(),
        client_id: client_id.to_owned(),
        secret: SecretString::from(secret.to_owned()),
    }
}

/// A sleeper that records like [`RecordingSleep`] (advancing the shared clock) and, before each
/// wait, tells `action` how many waits there have been, this one included.
struct SleepThen {
    recorder: RecordingSleep,
    action: Box<dyn Fn(usize) + Send + Sync>,
}

impl Sleep for SleepThen {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        (self.action)(self.recorder.delays().len() + 1);
        self.recorder.sleep(duration)
    }
}

/// A random source that never repeats itself, so every request gets its own
/// `client-request-id`.
#[derive(Debug, Default)]
struct Counting(AtomicU64);

impl Random for Counting {
    fn next_u64(&self) -> u64 {
        self.0
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_mul(0xBF58_476D_1CE4_E5B9)
    }
}

async fn all_users(session: &TenantSession, query: &ListQuery) -> Vec<User> {
    session.users(query).try_collect().await.unwrap()
}

fn user_id(user: &User) -> String {
    user.id.clone().unwrap()
}

fn ids(users: &[User]) -> BTreeSet<String> {
    users.iter().map(user_id).collect()
}

fn token_failure(error: &Error) -> &roster_graph::TokenFailure {
    match error {
        Error::Token(failure) => failure,
        other => panic!("expected a token failure, got {other:?}"),
    }
}

fn graph_failure(error: &Error) -> &roster_graph::GraphFailure {
    match error {
        Error::Graph(failure) => failure,
        other => panic!("expected a Graph failure, got {other:?}"),
    }
}

// ----- tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn a_token_for_a_generated_tenant_carries_the_granted_application_permissions() {
    let cloud = Cloud::with_tenant(5, true).await;
    let session = cloud.session(0);

    let claims = session.token_claims().await.unwrap();
    assert_eq!(
        claims.tenant_id.as_deref(),
        Some(cloud.tenant_id(0).as_str())
    );
    assert_eq!(claims.app_id.as_deref(), Some(cloud.client_id(0).as_str()));
    assert_eq!(claims.identity_type.as_deref(), Some("app"));
    assert_eq!(
        claims.audience.as_deref(),
        Some("https://graph.microsoft.com")
    );
    assert!(claims.expires_at.unwrap() > roster_graph::Clock::now(&cloud.clock));

    let granted: BTreeSet<String> = cloud.tenant(0).apps[0].roles.iter().cloned().collect();
    let RolesClaim::Present(roles) = session.token_roles().await.unwrap() else {
        panic!("a consented app gets a roles claim");
    };
    assert_eq!(roles.into_iter().collect::<BTreeSet<_>>(), granted);
}

#[tokio::test]
async fn the_default_app_holds_every_permission_roster_asks_for() {
    let cloud = Cloud::with_tenant(3, true).await;
    let check = permissions::check(&cloud.session(0).token_roles().await.unwrap());

    assert!(!check.no_roles_claim);
    assert!(check.is_complete(), "missing: {:?}", check.missing_required);
    assert!(check.missing_optional.is_empty());
    assert!(check.blocked.is_empty());
    assert_eq!(check.available.len(), DataSource::ALL.len());
}

#[tokio::test]
async fn a_token_can_be_requested_with_any_verified_domain_of_the_tenant() {
    let cloud = Cloud::with_tenant(3, true).await;
    let tenant = cloud.tenant(0);
    let secret = tenant.client_secret().unwrap().to_owned();
    assert!(tenant.domains.len() >= 2, "a custom and an initial domain");

    for domain in &tenant.domains {
        let session = cloud.session_as(domain, &cloud.client_id(0), &secret);
        let claims = session.token_claims().await.unwrap();
        assert_eq!(
            claims.tenant_id.as_deref(),
            Some(cloud.tenant_id(0).as_str()),
            "{domain}"
        );
        assert!(
            session
                .token_roles()
                .await
                .unwrap()
                .contains("User.Read.All")
        );
    }
}

#[tokio::test]
async fn a_revoked_permission_is_missing_from_the_next_token_and_graph_refuses_its_data() {
    let cloud = Cloud::with_tenant(3, true).await;
    let session = cloud.session(0);
    assert!(session.secure_scores(1).await.is_ok());

    cloud
        .handle()
        .revoke_role(
            &cloud.tenant_id(0),
            cloud.tenant(0).apps[0].client_id,
            "SecurityEvents.Read.All",
        )
        .unwrap();
    let roles = session
        .refresh_token()
        .await
        .unwrap()
        .claims()
        .unwrap()
        .roles;
    let check = permissions::check(&roles);

    let missing: Vec<&str> = check.missing_required.iter().map(|p| p.name).collect();
    assert_eq!(missing, ["SecurityEvents.Read.All"]);
    assert_eq!(check.blocked, [DataSource::SecureScore]);
    assert!(check.available.contains(&DataSource::Users));

    let error = session.secure_scores(1).await.unwrap_err();
    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
    assert_eq!(error.status(), Some(403));
    assert!(
        session.organization().await.is_ok(),
        "other data still flows"
    );
}

#[tokio::test]
async fn a_short_lived_token_is_reused_until_half_its_lifetime_and_then_replaced() {
    let cloud = Cloud::with_tenant(2, true).await;
    cloud.set_faults(
        0,
        Faults {
            token_lifetime_seconds: Some(120),
            ..Faults::default()
        },
    );
    let session = cloud.session(0);
    let token_requests = || {
        cloud
            .handle()
            .requests()
            .iter()
            .filter(|e| e.uri.ends_with("/oauth2/v2.0/token"))
            .count()
    };

    session.organization().await.unwrap();
    cloud.advance(Duration::from_secs(59));
    session.organization().await.unwrap();
    assert_eq!(token_requests(), 1);

    cloud.advance(Duration::from_secs(2));
    session.organization().await.unwrap();
    assert_eq!(token_requests(), 2);
    assert!(
        cloud.graph_log().iter().all(|e| e.status == 200),
        "never a 401"
    );
}

#[tokio::test]
async fn a_token_the_service_considers_expired_is_replaced_after_one_401() {
    let cloud = Cloud::with_tenant(2, true).await;
    // The client's clock lags the service's by an hour.
    let lagging = ManualClock::new(START.parse::<Timestamp>().unwrap());
    let mut config = cloud.config_with_sleeper(Arc::new(RecordingSleep::new()));
    config.clock = Arc::new(lagging);
    let session = cloud.session_with(config, 0);
    session.organization().await.unwrap();

    cloud.advance(Duration::from_secs(3600));
    let organization = session.organization().await.unwrap();

    assert_eq!(organization.id, cloud.tenant_id(0));
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [200, 401, 200]);
    let token_requests = cloud
        .handle()
        .requests()
        .iter()
        .filter(|e| e.uri.ends_with("/oauth2/v2.0/token"))
        .count();
    assert_eq!(token_requests, 2);
}

#[tokio::test]
async fn a_403_on_a_cached_token_is_retried_once_when_consent_changed_since() {
    let cloud = Cloud::with_tenant(3, true).await;
    let client: uuid::Uuid = cloud.client_id(0).parse().unwrap();
    let tenant = cloud.tenant_id(0);
    cloud
        .handle()
        .revoke_role(&tenant, client, "User.Read.All")
        .unwrap();
    let session = cloud.session(0);
    let token_requests = || {
        cloud
            .handle()
            .requests()
            .iter()
            .filter(|e| e.uri.ends_with("/oauth2/v2.0/token"))
            .count()
    };
    // A token without User.Read.All is cached, and, a while later, the users are refused with it.
    session.organization().await.unwrap();
    cloud.advance(Duration::from_secs(61));
    let refused = session.users(&ListQuery::new()).next().await.unwrap();
    assert!(refused.is_err());
    assert_eq!(
        token_requests(),
        2,
        "a new token was asked for, with the same roles"
    );
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        [200, 403],
        "not sent again: the new token could not help"
    );

    // Consent is granted in Entra. Within the first minute of a token nothing is asked again: a
    // token that young is as current as Entra can say.
    cloud
        .handle()
        .grant_role(&tenant, client, "User.Read.All")
        .unwrap();
    assert!(
        session
            .users(&ListQuery::new())
            .next()
            .await
            .unwrap()
            .is_err()
    );
    assert_eq!(token_requests(), 2);
    // Later, the cached token still lacks the role, so the 403 it gets is answered by a new
    // token, and the request succeeds.
    cloud.advance(Duration::from_secs(61));
    let users: Vec<User> = session
        .users(&ListQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 3);
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [200, 403, 403, 403, 200]);
    assert_eq!(token_requests(), 3);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_with_aadsts7000215() {
    let cloud = Cloud::with_tenant(1, true).await;
    let session = cloud.session_as(&cloud.tenant_id(0), &cloud.client_id(0), "wrong~secret");

    let error = session.access_token().await.unwrap_err();
    let failure = token_failure(&error);
    assert_eq!(failure.kind, TokenErrorKind::InvalidSecretValue);
    assert_eq!(failure.code(), Some(7_000_215));
    assert_eq!(failure.error, "invalid_client");
    assert_eq!(failure.status, 401);
    assert!(
        failure.timestamp.is_some(),
        "the space-separated timestamp parses"
    );
    assert!(failure.trace_id.is_some());
    assert_eq!(failure.info.attempts, 1, "a refusal is not retried");
}

#[tokio::test]
async fn the_secret_id_pasted_as_the_secret_is_flagged_and_refused_with_aadsts7000215() {
    let cloud = Cloud::with_tenant(1, true).await;
    let key_id = cloud.tenant(0).apps[0].secrets[0].key_id.to_string();
    let session = cloud.session_as(&cloud.tenant_id(0), &cloud.client_id(0), &key_id);

    assert!(session.credentials().secret_looks_like_secret_id());
    let error = session.access_token().await.unwrap_err();
    assert_eq!(
        error.token_error(),
        Some(TokenErrorKind::InvalidSecretValue)
    );
}

#[tokio::test]
async fn an_expired_secret_is_refused_with_aadsts7000222() {
    let cloud = Cloud::with_tenant(1, true).await;
    let tenant = cloud.tenant(0);
    let app = &tenant.apps[0];
    cloud
        .handle()
        .expire_secret(&cloud.tenant_id(0), app.client_id, app.secrets[0].key_id)
        .unwrap();

    let error = cloud.session(0).access_token().await.unwrap_err();
    let failure = token_failure(&error);
    assert_eq!(failure.kind, TokenErrorKind::ExpiredSecret);
    assert_eq!(failure.code(), Some(7_000_222));
    assert_eq!(failure.status, 401);
}

#[tokio::test]
async fn an_unknown_tenant_is_refused_with_aadsts90002() {
    let cloud = Cloud::with_tenant(1, true).await;
    let secret = cloud.tenant(0).client_secret().unwrap().to_owned();

    for tenant in [
        "0b7a2f9e-3c41-4d8a-9e6f-5a1b2c3d4e5f",
        "nobody-here.example",
    ] {
        let session = cloud.session_as(tenant, &cloud.client_id(0), &secret);
        let error = session.access_token().await.unwrap_err();
        let failure = token_failure(&error);
        assert_eq!(failure.kind, TokenErrorKind::TenantNotFound, "{tenant}");
        assert_eq!(failure.code(), Some(90_002));
        assert_eq!(failure.status, 400);
    }
}

#[tokio::test]
async fn a_malformed_tenant_is_refused_with_aadsts900023() {
    let cloud = Cloud::with_tenant(1, true).await;
    let secret = cloud.tenant(0).client_secret().unwrap().to_owned();
    let session = cloud.session_as("contoso_tenant", &cloud.client_id(0), &secret);

    let error = session.access_token().await.unwrap_err();
    let failure = token_failure(&error);
    assert_eq!(failure.kind, TokenErrorKind::MalformedTenant);
    assert_eq!(failure.code(), Some(900_023));
    assert_eq!(failure.status, 400);
}

#[tokio::test]
async fn an_app_registered_in_another_tenant_is_refused_with_aadsts700016() {
    let cloud = Cloud::start(scenario(vec![customer(1, true), customer(1, true)])).await;
    let secret = cloud.tenant(0).client_secret().unwrap().to_owned();
    let session = cloud.session_as(&cloud.tenant_id(1), &cloud.client_id(0), &secret);

    let error = session.access_token().await.unwrap_err();
    let failure = token_failure(&error);
    assert_eq!(failure.kind, TokenErrorKind::AppNotInTenant);
    assert_eq!(failure.code(), Some(700_016));
    assert_eq!(failure.error, "unauthorized_client");
    assert_eq!(failure.status, 400);
}

#[tokio::test]
async fn a_new_secret_is_refused_until_its_activation_delay_has_passed() {
    let cloud = Cloud::with_tenant(1, true).await;
    cloud.handle().set_settings(Settings {
        secret_activation_delay_seconds: 120,
        ..cloud.handle().settings()
    });
    let client_id = cloud.tenant(0).apps[0].client_id;
    let added = cloud
        .handle()
        .add_secret(&cloud.tenant_id(0), client_id, &NewSecret::default())
        .unwrap();
    let fresh = cloud.session_as(&cloud.tenant_id(0), &cloud.client_id(0), &added.value);
    let old_secret = cloud.tenant(0).apps[0].secrets[0].value.clone();
    let old = cloud.session_as(&cloud.tenant_id(0), &cloud.client_id(0), &old_secret);

    let error = fresh.access_token().await.unwrap_err();
    assert_eq!(
        error.token_error(),
        Some(TokenErrorKind::InvalidSecretValue)
    );
    assert!(
        old.access_token().await.is_ok(),
        "the old secret still works"
    );

    cloud.advance(Duration::from_secs(119));
    let error = fresh.access_token().await.unwrap_err();
    assert_eq!(
        error.token_error(),
        Some(TokenErrorKind::InvalidSecretValue)
    );

    cloud.advance(Duration::from_secs(1));
    assert!(fresh.token_roles().await.unwrap().contains("User.Read.All"));
}

#[tokio::test]
async fn an_app_with_only_delegated_permissions_gets_a_token_without_roles_and_graph_refuses_it() {
    let mut tenant = customer(3, true);
    tenant.apps = vec![AppSpec::delegated_only()];
    let cloud = Cloud::start(scenario(vec![tenant])).await;
    let session = cloud.session(0);

    let roles = session.token_roles().await.unwrap();
    assert_eq!(roles, RolesClaim::Absent);
    let check = permissions::check(&roles);
    assert!(check.no_roles_claim);
    assert!(!check.is_complete());
    assert!(check.available.is_empty());

    let error = session.organization().await.unwrap_err();
    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
    assert_eq!(error.status(), Some(403));
    let error = session
        .users(&ListQuery::new())
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
}

#[tokio::test]
async fn withdrawn_admin_consent_leaves_the_next_token_without_roles() {
    let cloud = Cloud::with_tenant(3, true).await;
    let session = cloud.session(0);
    assert!(matches!(
        session.token_roles().await.unwrap(),
        RolesClaim::Present(_)
    ));

    cloud
        .handle()
        .set_consent(
            &cloud.tenant_id(0),
            cloud.tenant(0).apps[0].client_id,
            false,
        )
        .unwrap();
    let roles = session
        .refresh_token()
        .await
        .unwrap()
        .claims()
        .unwrap()
        .roles;

    assert_eq!(roles, RolesClaim::Absent);
    let error = session.organization().await.unwrap_err();
    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
}

#[tokio::test]
async fn a_throttled_token_endpoint_is_waited_out_and_then_issues_the_token() {
    let cloud = Cloud::with_tenant(1, true).await;
    cloud.set_faults(
        0,
        Faults {
            storm_requests: 2,
            storm_retry_after_seconds: Some(3.0),
            token_endpoint: true,
            ..Faults::default()
        },
    );

    let roles = cloud.session(0).token_roles().await.unwrap();

    assert!(roles.contains("User.Read.All"));
    assert_eq!(cloud.sleep.delays(), [Duration::from_secs(3); 2]);
}

#[tokio::test]
async fn a_token_endpoint_that_stays_throttled_is_reported_as_a_transient_token_failure() {
    let cloud = Cloud::with_tenant(1, true).await;
    cloud.set_faults(
        0,
        Faults {
            storm_requests: 10,
            storm_retry_after_seconds: Some(3.0),
            token_endpoint: true,
            ..Faults::default()
        },
    );

    let error = cloud.session(0).access_token().await.unwrap_err();

    let failure = token_failure(&error);
    assert_eq!(failure.kind, TokenErrorKind::Transient);
    assert_eq!(failure.status, 429);
    assert_eq!(failure.retry_after, Some(Duration::from_secs(3)));
    assert_eq!(failure.info.attempts, 4);
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_token_endpoint_outage_is_reported_as_a_transient_token_failure() {
    let cloud = Cloud::with_tenant(1, true).await;
    cloud.set_faults(
        0,
        Faults {
            error_rate: 1.0,
            token_endpoint: true,
            ..Faults::default()
        },
    );

    let error = cloud.session(0).access_token().await.unwrap_err();

    assert_eq!(error.token_error(), Some(TokenErrorKind::Transient));
    assert_eq!(error.status(), Some(503));
    assert!(error.is_transient());
}

// ----- directory -------------------------------------------------------------------------

#[tokio::test]
async fn the_organization_names_the_tenant_and_its_verified_domains() {
    let cloud = Cloud::with_tenant(3, true).await;
    let tenant = cloud.tenant(0);

    let organization = cloud.session(0).organization().await.unwrap();

    assert_eq!(organization.id, tenant.tenant_id.to_string());
    assert_eq!(
        organization.display_name.as_deref(),
        Some(tenant.display_name.as_str())
    );
    assert_eq!(
        organization.default_domain(),
        Some(tenant.domains[0].as_str())
    );
    let initial = organization.initial_domain().unwrap();
    assert!(initial.ends_with(".onmicrosoft.com"), "{initial}");
    let names: BTreeSet<&str> = organization
        .verified_domains
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, tenant.domains.iter().map(String::as_str).collect());
}

#[tokio::test]
async fn listing_2500_users_with_top_999_yields_every_user_exactly_once_over_three_pages() {
    let cloud = Cloud::with_tenant(2500, true).await;
    let session = cloud.session(0);

    let pages: Vec<Page<User>> = session
        .user_pages(&ListQuery::new().select(["id", "displayName"]).top(999))
        .try_collect()
        .await
        .unwrap();

    let sizes: Vec<usize> = pages.iter().map(|p| p.value.len()).collect();
    assert_eq!(sizes, [999, 999, 502]);
    let users: Vec<User> = pages.into_iter().flat_map(|p| p.value).collect();
    assert_eq!(ids(&users).len(), users.len(), "no user twice");
    assert_eq!(users.len(), cloud.tenant(0).users);

    let listing: Vec<LogEntry> = cloud
        .graph_log()
        .into_iter()
        .filter(|e| e.uri.starts_with("/v1.0/users"))
        .collect();
    assert_eq!(listing.len(), 3);
    assert!(listing.iter().all(|e| e.status == 200));
    assert!(listing[1..].iter().all(|e| e.uri.contains("$skiptoken=")));
}

#[tokio::test]
async fn unselected_properties_are_absent_and_selected_empty_ones_are_null() {
    let cloud = Cloud::with_tenant(300, true).await;
    let session = cloud.session(0);

    let defaults = all_users(&session, &ListQuery::new().top(999)).await;
    assert_eq!(defaults.len(), 300);
    assert!(defaults.iter().all(|u| u.account_enabled.is_absent()
        && u.department.is_absent()
        && u.user_type.is_absent()
        && u.proxy_addresses.is_absent()));
    assert!(defaults.iter().all(|u| u.display_name.value().is_some()));
    assert!(defaults.iter().all(|u| !u.business_phones.is_absent()));
    assert!(defaults.iter().any(|u| u.mobile_phone.is_null()));
    assert!(defaults.iter().any(|u| u.mobile_phone.value().is_some()));

    let selected = all_users(&session, &ListQuery::contact_fields().top(999)).await;
    assert_eq!(ids(&selected), ids(&defaults));
    assert!(selected.iter().all(|u| u.account_enabled.value().is_some()
        && u.user_type.value().is_some()
        && u.business_phones.value().is_some()
        && u.proxy_addresses.value().is_some()
        && !u.department.is_absent()));
    assert!(selected.iter().any(|u| u.department.is_null()));
    assert!(selected.iter().any(|u| u.department.value().is_some()));
    assert!(selected.iter().any(|u| u.mail.is_null()));
    assert!(selected.iter().all(|u| u.sign_in_activity.is_absent()));
}

#[tokio::test]
async fn count_with_consistency_level_comes_on_the_first_page_only() {
    let cloud = Cloud::with_tenant(1200, true).await;
    let session = cloud.session(0);

    let pages: Vec<Page<User>> = session
        .user_pages(&ListQuery::new().select(["id"]).top(500).count())
        .try_collect()
        .await
        .unwrap();

    let total: usize = pages.iter().map(|p| p.value.len()).sum();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].count, Some(u64::try_from(total).unwrap()));
    assert!(pages[1..].iter().all(|p| p.count.is_none()));
}

#[tokio::test]
async fn the_account_enabled_filter_returns_exactly_the_disabled_users() {
    let cloud = Cloud::with_tenant(600, true).await;
    let session = cloud.session(0);
    let everyone = all_users(
        &session,
        &ListQuery::new().select(["id", "accountEnabled"]).top(999),
    )
    .await;
    let disabled: BTreeSet<String> = everyone
        .iter()
        .filter(|u| u.account_enabled == roster_graph::Field::Value(false))
        .map(user_id)
        .collect();
    assert!(!disabled.is_empty());

    let filtered = all_users(
        &session,
        &ListQuery::new()
            .select(["id", "accountEnabled"])
            .filter("accountEnabled eq false")
            .top(100),
    )
    .await;

    assert_eq!(ids(&filtered), disabled);
    assert_eq!(filtered.len(), disabled.len());
}

#[tokio::test]
async fn the_user_type_filter_returns_exactly_the_guests() {
    let cloud = Cloud::with_tenant(600, true).await;
    let session = cloud.session(0);
    let everyone = all_users(&session, &ListQuery::contact_fields().top(999)).await;
    let guests: BTreeSet<String> = everyone
        .iter()
        .filter(|u| u.user_type.as_str() == Some("Guest"))
        .map(user_id)
        .collect();
    assert!(!guests.is_empty());

    let filtered = all_users(
        &session,
        &ListQuery::contact_fields()
            .filter("userType eq 'Guest'")
            .top(999),
    )
    .await;

    assert_eq!(ids(&filtered), guests);
    assert!(
        filtered.iter().all(User::is_guest),
        "guests by type and UPN"
    );
}

#[tokio::test]
async fn a_not_equals_filter_needs_count_and_consistency_level() {
    let cloud = Cloud::with_tenant(300, true).await;
    let session = cloud.session(0);
    let query = ListQuery::new()
        .select(["id", "userType"])
        .filter("userType ne 'Guest'")
        .top(100);

    let error = session.users(&query).next().await.unwrap().unwrap_err();
    assert_eq!(error.graph_error(), Some(GraphErrorKind::UnsupportedQuery));
    assert_eq!(error.status(), Some(400));

    // Several pages: the header has to come again with every nextLink.
    let members = all_users(&session, &query.clone().count()).await;
    assert!(members.len() > 200, "{}", members.len());
    assert!(
        members
            .iter()
            .all(|u| u.user_type.as_str() == Some("Member"))
    );
    let guests = all_users(
        &session,
        &ListQuery::new()
            .select(["id"])
            .filter("userType eq 'Guest'")
            .top(999),
    )
    .await;
    assert_eq!(members.len() + guests.len(), 300);
}

#[tokio::test]
async fn graph_refuses_a_page_size_of_1000_as_an_unsupported_query() {
    let cloud = Cloud::with_tenant(3, true).await;

    let error = cloud
        .session(0)
        .get_json::<serde_json::Value>("/users?$top=1000")
        .await
        .unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::UnsupportedQuery));
    assert!(
        ListQuery::new().top(1000).to_query_string().is_err(),
        "the client refuses it before sending"
    );
}

#[tokio::test]
async fn sign_in_activity_on_a_tenant_without_entra_p1_is_refused_as_not_premium() {
    let cloud = Cloud::with_tenant(20, false).await;
    assert!(!cloud.tenant(0).entra_p1);

    let error = cloud
        .session(0)
        .users(&ListQuery::contact_fields_with_sign_in())
        .next()
        .await
        .unwrap()
        .unwrap_err();

    let failure = graph_failure(&error);
    assert_eq!(failure.kind, GraphErrorKind::NotPremium);
    assert_eq!(failure.status, 403);
    assert!(!error.is_transient());
}

#[tokio::test]
async fn sign_in_activity_on_a_p1_tenant_comes_in_pages_of_at_most_500() {
    let cloud = Cloud::with_tenant(1100, true).await;
    assert!(cloud.tenant(0).entra_p1);
    let session = cloud.session(0);

    let pages: Vec<Page<User>> = session
        .user_pages(
            &ListQuery::contact_fields()
                .select(["signInActivity"])
                .top(999),
        )
        .try_collect()
        .await
        .unwrap();

    assert!(pages.iter().all(|p| p.value.len() <= 500));
    assert_eq!(
        pages[0].value.len(),
        500,
        "a larger $top is capped, not refused"
    );
    let users: Vec<User> = pages.into_iter().flat_map(|p| p.value).collect();
    assert_eq!(ids(&users).len(), 1100);
    assert!(users.iter().all(|u| !u.sign_in_activity.is_absent()));
    let activity: Vec<_> = users
        .iter()
        .filter_map(|u| u.sign_in_activity.value())
        .collect();
    assert!(activity.iter().any(|a| a.last_activity().is_some()));
    assert!(
        activity.iter().any(|a| a.last_sign_in_date_time.is_some()
            && a.last_non_interactive_sign_in_date_time.is_none()),
        "never-signed-in sentinels read as None"
    );
    let now = roster_graph::Clock::now(&cloud.clock);
    assert!(
        activity
            .iter()
            .all(|a| a.last_activity().is_none_or(|t| t <= now))
    );
}

#[tokio::test]
async fn registration_details_are_refused_as_not_premium_without_entra_p1() {
    let cloud = Cloud::with_tenant(20, false).await;

    let error = cloud
        .session(0)
        .registration_details()
        .next()
        .await
        .unwrap()
        .unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::NotPremium));
    assert_eq!(error.status(), Some(403));
}

#[tokio::test]
async fn registration_details_of_a_p1_tenant_cover_every_user_with_a_lower_case_user_type() {
    let cloud = Cloud::with_tenant(150, true).await;
    let session = cloud.session(0);
    let users = all_users(&session, &ListQuery::contact_fields().top(999)).await;

    let details: Vec<_> = session.registration_details().try_collect().await.unwrap();

    assert_eq!(
        details
            .iter()
            .map(|d| d.id.clone())
            .collect::<BTreeSet<_>>(),
        ids(&users)
    );
    for detail in &details {
        let user = users
            .iter()
            .find(|u| u.id.as_ref() == Some(&detail.id))
            .unwrap();
        assert_eq!(detail.is_guest(), user.is_guest(), "{}", detail.id);
        let kind = detail.user_type.as_deref().unwrap();
        assert_eq!(kind, kind.to_lowercase());
    }
    assert!(details.iter().any(|d| d.is_mfa_registered == Some(true)));
    assert!(details.iter().any(|d| d.is_mfa_registered == Some(false)));
}

#[tokio::test]
async fn registration_details_of_a_large_tenant_come_through_the_report_throttle() {
    // Pages of 999: six thousand users take seven requests, over the budget of five per ten seconds.
    let cloud = Cloud::with_tenant(6000, true).await;
    let session = cloud.session(0);

    let details: Vec<_> = session.registration_details().try_collect().await.unwrap();

    assert_eq!(
        details
            .iter()
            .map(|d| d.id.as_str())
            .collect::<HashSet<_>>()
            .len(),
        6000
    );
    let throttled = cloud.graph_log().iter().filter(|e| e.status == 429).count();
    assert!(
        throttled >= 1,
        "seven pages exceed five requests per ten seconds"
    );
    let delays = cloud.sleep.delays();
    assert_eq!(delays.len(), throttled, "one wait per 429");
    assert!(
        delays
            .iter()
            .all(|d| *d > Duration::ZERO && *d <= Duration::from_secs(10))
    );
}

#[tokio::test]
async fn group_members_come_as_users_and_groups_and_transitive_members_flatten_nesting() {
    let cloud = Cloud::with_tenant(12, true).await;
    let tenant = cloud.tenant_id(0);
    let session = cloud.session(0);
    let users = all_users(&session, &ListQuery::new().top(999)).await;
    let upn = |i: usize| users[i].user_principal_name.as_str().unwrap().to_owned();
    let device = session
        .managed_devices()
        .try_next()
        .await
        .unwrap()
        .unwrap()
        .azure_ad_device_id
        .unwrap();
    let inner = cloud
        .handle()
        .add_group(
            &tenant,
            &GroupSpec {
                display_name: "Night Shift".to_owned(),
                members: vec![upn(1), upn(2), device.clone()],
                ..GroupSpec::default()
            },
        )
        .unwrap();
    let outer = cloud
        .handle()
        .add_group(
            &tenant,
            &GroupSpec {
                display_name: "Everyone On Call".to_owned(),
                microsoft_365: true,
                members: vec![upn(3), inner.to_string()],
                ..GroupSpec::default()
            },
        )
        .unwrap();

    let group = session.group(&outer.to_string()).await.unwrap();
    assert_eq!(group.id.as_deref(), Some(outer.to_string().as_str()));
    assert_eq!(group.display_name.as_deref(), Some("Everyone On Call"));
    assert_eq!(group.group_types, ["Unified"]);

    let direct: Vec<DirectoryObject> = session
        .group_members(&outer.to_string(), &ListQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(direct.len(), 2);
    assert!(direct.iter().any(|m| matches!(m, DirectoryObject::User(u)
        if u.user_principal_name.as_str() == Some(upn(3).as_str()))));
    assert!(direct.iter().any(|m| matches!(m, DirectoryObject::Group(g)
        if g.id.as_deref() == Some(inner.to_string().as_str()))));

    let nested: Vec<DirectoryObject> = session
        .group_transitive_members(&outer.to_string(), &ListQuery::new())
        .try_collect()
        .await
        .unwrap();
    let nested_users: BTreeSet<String> = nested
        .iter()
        .filter_map(|m| match m {
            DirectoryObject::User(u) => u.id.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(nested.len(), 5);
    assert_eq!(
        nested_users,
        [1, 2, 3].into_iter().map(|i| user_id(&users[i])).collect()
    );
    let limited = nested
        .iter()
        .find_map(|m| match m {
            DirectoryObject::Device(d) => Some(d),
            _ => None,
        })
        .unwrap();
    assert_eq!(limited.id.as_deref(), Some(device.as_str()));
    assert_eq!(
        limited.display_name, None,
        "a type the app may not read is limited"
    );

    let error = session
        .group("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        .await
        .unwrap_err();
    assert_eq!(error.graph_error(), Some(GraphErrorKind::ResourceNotFound));
}

// ----- tenant facts ----------------------------------------------------------------------

#[tokio::test]
async fn subscribed_skus_count_the_seats_assigned_to_users() {
    let cloud = Cloud::with_tenant(400, true).await;
    let session = cloud.session(0);
    let users = all_users(&session, &ListQuery::contact_fields().top(999)).await;

    let skus = session.subscribed_skus().await.unwrap();

    assert!(!skus.is_empty());
    for sku in &skus {
        assert_eq!(sku.id, format!("{}_{}", cloud.tenant_id(0), sku.sku_id));
        let assigned = users
            .iter()
            .filter(|u| u.sku_ids().contains(&sku.sku_id.as_str()))
            .count();
        assert_eq!(
            sku.consumed_units,
            i64::try_from(assigned).unwrap(),
            "{:?}",
            sku.sku_part_number
        );
    }
    assert_eq!(
        skus.iter().any(|s| s.includes_entra_premium()),
        cloud.tenant(0).entra_p1
    );
}

#[tokio::test]
async fn the_skus_of_every_kind_of_tenant_match_the_clients_catalogue() {
    let cloud = Cloud::start(scenario(vec![
        customer(40, true),
        customer(40, false),
        customer(400, true),
    ]))
    .await;
    let mut known = 0;

    for index in 0..3 {
        for sku in cloud.session(index).subscribed_skus().await.unwrap() {
            let part = sku.sku_part_number.clone().unwrap();
            if let Some(info) = roster_graph::skus::by_sku_id(&sku.sku_id) {
                assert_eq!(info.part_number, part, "{}", sku.sku_id);
                known += 1;
            }
            if let Some(info) = roster_graph::skus::by_part_number(&part) {
                assert!(info.sku_id.eq_ignore_ascii_case(&sku.sku_id), "{part}");
            }
        }
    }
    assert!(
        known >= 5,
        "the main business and enterprise SKUs are known: {known}"
    );
}

#[tokio::test]
async fn a_tenant_without_p1_has_no_sku_with_the_entra_premium_plan() {
    let cloud = Cloud::with_tenant(40, false).await;

    let skus = cloud.session(0).subscribed_skus().await.unwrap();

    assert!(!skus.is_empty());
    assert!(!skus.iter().any(|s| s.includes_entra_premium()));
}

#[tokio::test]
async fn secure_scores_come_newest_first_with_a_dated_id() {
    let cloud = Cloud::with_tenant(30, true).await;
    let tenant_id = cloud.tenant_id(0);

    let scores = cloud.session(0).secure_scores(7).await.unwrap();

    assert_eq!(scores.len(), 7);
    let created: Vec<Timestamp> = scores
        .iter()
        .map(|s| s.created_date_time.unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] > w[1]), "{created:?}");
    let now = roster_graph::Clock::now(&cloud.clock);
    assert!(created[0] <= now);
    assert!(
        now.duration_since(created[0]) < jiff::SignedDuration::from_hours(24),
        "the first entry is today's score"
    );
    for score in &scores {
        let day = score.created_date_time.unwrap().strftime("%Y-%m-%d");
        assert_eq!(score.id, format!("{tenant_id}_{day}"));
        assert_eq!(score.azure_tenant_id.as_deref(), Some(tenant_id.as_str()));
        let percentage = score.percentage().unwrap();
        assert!((0.0..=100.0).contains(&percentage), "{percentage}");
    }
}

#[tokio::test]
async fn report_settings_follow_the_concealed_names_switch() {
    let cloud = Cloud::with_tenant(3, true).await;
    let session = cloud.session(0);

    for concealed in [true, false, true] {
        cloud
            .handle()
            .set_concealed_names(&cloud.tenant_id(0), concealed)
            .unwrap();
        let settings = session.report_settings().await.unwrap();
        assert_eq!(settings.display_concealed_names, concealed);
    }
}

#[tokio::test]
async fn managed_devices_belong_to_users_of_the_tenant() {
    let cloud = Cloud::with_tenant(120, true).await;
    let session = cloud.session(0);
    let users = ids(&all_users(&session, &ListQuery::new().select(["id"]).top(999)).await);

    let devices: Vec<_> = session.managed_devices().try_collect().await.unwrap();

    assert!(!devices.is_empty());
    assert_eq!(
        devices
            .iter()
            .map(|d| d.id.as_str())
            .collect::<HashSet<_>>()
            .len(),
        devices.len()
    );
    for device in &devices {
        assert!(
            users.contains(device.user_id.as_ref().unwrap()),
            "{device:?}"
        );
        assert!(device.last_sync_date_time.is_some());
        assert!(device.compliance_state.is_some());
    }
}

#[tokio::test]
async fn a_partner_tenant_lists_its_customers_for_gdap() {
    let partner = TenantSpec {
        partner: true,
        apps: vec![AppSpec {
            application_permissions: vec![permissions::PARTNER_PERMISSION.to_owned()],
            ..AppSpec::default()
        }],
        ..customer(2, true)
    };
    let cloud = Cloud::start(scenario(vec![
        customer(2, true),
        customer(2, false),
        partner,
    ]))
    .await;

    let customers: Vec<_> = cloud
        .session(2)
        .delegated_admin_customers()
        .try_collect()
        .await
        .unwrap();

    let expected: BTreeSet<(String, String)> = [0, 1]
        .into_iter()
        .map(|i| (cloud.tenant_id(i), cloud.tenant(i).display_name))
        .collect();
    let listed: BTreeSet<(String, String)> = customers
        .iter()
        .map(|c| (c.tenant_id.clone(), c.display_name.clone().unwrap()))
        .collect();
    assert_eq!(listed, expected);
    for customer in &customers {
        assert_eq!(customer.id, customer.tenant_id);
        assert!(customer.etag.as_deref().unwrap().starts_with("W/\""));
    }
}

#[tokio::test]
async fn a_customer_app_without_the_partner_permission_cannot_list_gdap_customers() {
    let cloud = Cloud::with_tenant(2, true).await;

    let error = cloud
        .session(0)
        .delegated_admin_customers()
        .next()
        .await
        .unwrap()
        .unwrap_err();

    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
}

#[tokio::test]
async fn a_batch_answers_each_request_by_id_and_fails_dependants_of_a_failed_request() {
    let cloud = Cloud::with_tenant(12, true).await;
    let session = cloud.session(0);
    let missing = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    let response = session
        .batch(&[
            BatchRequest::get("org", "/organization"),
            BatchRequest::get("users", "users?$select=id,displayName&$top=5"),
            BatchRequest::get("missing", format!("/users/{missing}")),
            BatchRequest::get("after-missing", "/subscribedSkus").depends_on("missing"),
            BatchRequest::get("count", "/users?$count=true&$top=1").eventual(),
        ])
        .await
        .unwrap();

    assert_eq!(response.responses.len(), 5);
    let organization: Page<Organization> = response.json("org").unwrap();
    assert_eq!(organization.value[0].id, cloud.tenant_id(0));
    let users: Page<User> = response.json("users").unwrap();
    assert_eq!(users.value.len(), 5);
    assert!(users.next_link.is_some());
    let counted: Page<User> = response.json("COUNT").unwrap();
    assert_eq!(counted.count, Some(12), "ids match case-insensitively");

    let error = response.json::<serde_json::Value>("missing").unwrap_err();
    assert_eq!(error.graph_error(), Some(GraphErrorKind::ResourceNotFound));
    assert_eq!(error.status(), Some(404));
    assert!(error.request_id().is_some());
    assert_eq!(response.get("after-missing").unwrap().status, 424);
    assert!(response.json::<serde_json::Value>("nothing").is_err());
}

#[tokio::test]
async fn a_throttled_item_inside_a_successful_batch_carries_its_own_retry_after() {
    let mut scenario = scenario(vec![customer(10, true)]);
    scenario.settings.throttling = ThrottleConfig {
        ru_budget: Some(4.0),
        ..ThrottleConfig::default()
    };
    let cloud = Cloud::start(scenario).await;

    let requests: Vec<BatchRequest> = (0..6)
        .map(|i| BatchRequest::get(format!("page{i}"), "/users?$top=50"))
        .collect();
    let response = cloud.session(0).batch(&requests).await.unwrap();

    assert!(response.responses.iter().any(|item| item.status == 200));
    let mut waits = Vec::new();
    for request in &requests {
        if response.get(&request.id).unwrap().status != 429 {
            continue;
        }
        let error = response.json::<Page<User>>(&request.id).unwrap_err();
        assert_eq!(error.graph_error(), Some(GraphErrorKind::TooManyRequests));
        waits.push(error.retry_after().unwrap());
    }
    assert!(waits.len() >= 2, "six items of two units exceed four units");
    assert!(waits[0] > Duration::ZERO);
    assert!(
        waits.windows(2).all(|w| w[0] <= w[1]) && waits[0] < waits[waits.len() - 1],
        "usage keeps counting while throttled: {waits:?}"
    );
}

// ----- usage reports ---------------------------------------------------------------------

#[tokio::test]
async fn the_active_user_report_is_downloaded_through_the_redirect_and_names_real_users() {
    let cloud = Cloud::with_tenant(80, true).await;
    cloud
        .handle()
        .set_concealed_names(&cloud.tenant_id(0), false)
        .unwrap();
    let session = cloud.session(0);
    let upns: HashSet<String> = all_users(&session, &ListQuery::contact_fields().top(999))
        .await
        .into_iter()
        .filter_map(|u| u.user_principal_name.into_option())
        .collect();

    let report = session
        .office365_active_user_detail(ReportPeriod::D30)
        .await
        .unwrap();

    assert!(!report.names_concealed);
    assert!(!report.rows.is_empty());
    assert!(report.columns.iter().any(|c| c == "Assigned Products"));
    for row in &report.rows {
        let upn = row.user.user_principal_name().unwrap();
        assert!(upns.contains(upn), "{upn}");
        assert_eq!(row.is_deleted, Some(false));
    }
    assert!(report.rows.iter().any(|r| !r.assigned_products.is_empty()));
    let log = cloud.handle().requests();
    let redirect = log
        .iter()
        .position(|e| e.uri.contains("getOffice365ActiveUserDetail"))
        .unwrap();
    assert_eq!(log[redirect].status, 302);
    assert!(log[redirect + 1].uri.starts_with("/data/download/"));
    assert_eq!(log[redirect + 1].status, 200);
}

#[tokio::test]
async fn the_mailbox_report_gives_the_period_in_days_for_users_with_mail() {
    let cloud = Cloud::with_tenant(80, true).await;
    cloud
        .handle()
        .set_concealed_names(&cloud.tenant_id(0), false)
        .unwrap();
    let session = cloud.session(0);
    let with_mail: HashSet<String> = all_users(&session, &ListQuery::contact_fields().top(999))
        .await
        .into_iter()
        .filter(|u| u.mail.value().is_some())
        .filter_map(|u| u.user_principal_name.into_option())
        .collect();

    let report = session
        .mailbox_usage_detail(ReportPeriod::D7)
        .await
        .unwrap();

    assert!(!report.rows.is_empty());
    for row in &report.rows {
        assert!(with_mail.contains(row.user.user_principal_name().unwrap()));
        assert_eq!(row.report_period_days, Some(7));
        assert!(row.storage_used_bytes.is_some());
    }
}

#[tokio::test]
async fn concealed_names_come_back_as_pseudonyms_in_both_reports() {
    let cloud = Cloud::with_tenant(80, true).await;
    let tenant = cloud.tenant_id(0);
    let session = cloud.session(0);
    cloud.handle().set_concealed_names(&tenant, false).unwrap();
    let named_active = session
        .office365_active_user_detail(ReportPeriod::D7)
        .await
        .unwrap();
    let named_mailbox = session
        .mailbox_usage_detail(ReportPeriod::D7)
        .await
        .unwrap();

    cloud.handle().set_concealed_names(&tenant, true).unwrap();
    let active = session
        .office365_active_user_detail(ReportPeriod::D7)
        .await
        .unwrap();
    let mailbox = session
        .mailbox_usage_detail(ReportPeriod::D7)
        .await
        .unwrap();

    assert!(active.names_concealed);
    assert!(mailbox.names_concealed);
    assert_eq!(active.rows.len(), named_active.rows.len());
    assert_eq!(mailbox.rows.len(), named_mailbox.rows.len());
    let pseudonyms: HashSet<&ReportUser> = active.rows.iter().map(|r| &r.user).collect();
    assert_eq!(
        pseudonyms.len(),
        active.rows.len(),
        "one pseudonym per user"
    );
    assert!(
        active
            .rows
            .iter()
            .all(|r| matches!(&r.user, ReportUser::Concealed(name) if !name.contains('@')))
    );
    assert!(
        session
            .report_settings()
            .await
            .unwrap()
            .display_concealed_names
    );
}

// ----- delta -----------------------------------------------------------------------------

fn delta_query() -> ListQuery {
    ListQuery::new().select(["displayName", "jobTitle", "mail"])
}

#[tokio::test]
async fn a_second_delta_round_shows_an_update_and_both_kinds_of_delete() {
    let cloud = Cloud::with_tenant(250, true).await;
    let tenant = cloud.tenant_id(0);
    let session = cloud.session(0);

    let first = session
        .users_delta_round(&DeltaStart::Full(delta_query()), false)
        .await
        .unwrap();
    let everyone: Vec<String> = first
        .items
        .iter()
        .map(|i| i.id().unwrap().to_owned())
        .collect();
    assert_eq!(everyone.iter().collect::<HashSet<_>>().len(), 250);
    assert!(
        first
            .items
            .iter()
            .all(|i| matches!(i, DeltaItem::Upsert(_)))
    );

    let (changed, soft, hard) = (&everyone[10], &everyone[20], &everyone[30]);
    cloud
        .handle()
        .update_user(
            &tenant,
            changed,
            &serde_json::json!({ "job_title": "Head of Listening" }),
        )
        .unwrap();
    cloud.handle().remove_user(&tenant, soft, false).unwrap();
    cloud.handle().remove_user(&tenant, hard, true).unwrap();

    let second = session
        .users_delta_round(&DeltaStart::Link(first.delta_link.clone()), false)
        .await
        .unwrap();

    assert_eq!(second.items.len(), 3, "{:?}", second.items);
    let updated = second
        .items
        .iter()
        .find_map(|i| match i {
            DeltaItem::Upsert(user) if user.id.as_ref() == Some(changed) => Some(user),
            _ => None,
        })
        .unwrap();
    assert_eq!(updated.job_title.as_str(), Some("Head of Listening"));
    assert!(
        updated.display_name.value().is_some(),
        "unchanged properties still come"
    );
    let removed = |id: &str| {
        second.items.iter().find_map(|i| match i {
            DeltaItem::Removed {
                id: removed,
                reason,
            } if removed == id => Some(reason.clone()),
            _ => None,
        })
    };
    assert_eq!(removed(soft), Some(RemovedReason::Changed));
    assert_eq!(removed(hard), Some(RemovedReason::Deleted));

    let third = session
        .users_delta_round(&DeltaStart::Link(second.delta_link), false)
        .await
        .unwrap();
    assert!(third.items.is_empty(), "{:?}", third.items);
}

#[tokio::test]
async fn a_minimal_delta_round_carries_only_the_changed_properties() {
    let cloud = Cloud::with_tenant(60, true).await;
    let tenant = cloud.tenant_id(0);
    let session = cloud.session(0);
    let query = ListQuery::new().select(["displayName", "jobTitle", "mobilePhone", "mail"]);
    let first = session
        .users_delta_round(&DeltaStart::Full(query), true)
        .await
        .unwrap();
    let with_phone = first
        .items
        .iter()
        .find_map(|item| match item {
            DeltaItem::Upsert(user) if user.mobile_phone.value().is_some() => user.id.clone(),
            _ => None,
        })
        .unwrap();

    cloud
        .handle()
        .update_user(
            &tenant,
            &with_phone,
            &serde_json::json!({ "job_title": "Night Auditor", "mobile_phone": null }),
        )
        .unwrap();
    let added = cloud
        .handle()
        .add_user(
            &tenant,
            &UserSpec {
                display_name: "Ada Lovelace".to_owned(),
                ..UserSpec::default()
            },
        )
        .unwrap()
        .to_string();
    let second = session
        .users_delta_round(&DeltaStart::Link(first.delta_link), true)
        .await
        .unwrap();

    assert_eq!(second.items.len(), 2, "{:?}", second.items);
    let user = |id: &str| {
        second
            .items
            .iter()
            .find_map(|item| match item {
                DeltaItem::Upsert(user) if user.id.as_deref() == Some(id) => Some(user.clone()),
                _ => None,
            })
            .unwrap()
    };
    let changed = user(&with_phone);
    assert_eq!(changed.job_title.as_str(), Some("Night Auditor"));
    assert!(changed.mobile_phone.is_null(), "a cleared property is null");
    assert!(
        changed.display_name.is_absent(),
        "an unchanged property is absent"
    );
    assert!(changed.mail.is_absent());
    let created = user(&added);
    assert_eq!(created.display_name.as_str(), Some("Ada Lovelace"));
    assert!(created.mail.is_null(), "a new user comes whole");
}

#[tokio::test]
async fn a_delta_round_filtered_by_id_tracks_only_those_users() {
    let cloud = Cloud::with_tenant(40, true).await;
    let tenant = cloud.tenant_id(0);
    let session = cloud.session(0);
    let everyone = ids(&all_users(&session, &ListQuery::new().top(999)).await);
    let chosen: Vec<&String> = everyone.iter().take(2).collect();
    let other = everyone.iter().nth(5).unwrap();
    let filter = format!("id eq '{}' or id eq '{}'", chosen[0], chosen[1]);

    let first = session
        .users_delta_round(
            &DeltaStart::Full(ListQuery::new().select(["displayName"]).filter(filter)),
            false,
        )
        .await
        .unwrap();
    let tracked: BTreeSet<&str> = first.items.iter().filter_map(DeltaItem::id).collect();
    assert_eq!(tracked, chosen.iter().map(|id| id.as_str()).collect());

    for id in [chosen[0], other] {
        cloud
            .handle()
            .update_user(&tenant, id, &serde_json::json!({ "department": "Archive" }))
            .unwrap();
    }
    let second = session
        .users_delta_round(&DeltaStart::Link(first.delta_link), false)
        .await
        .unwrap();

    let changed: Vec<&str> = second.items.iter().filter_map(DeltaItem::id).collect();
    assert_eq!(changed, [chosen[0].as_str()]);
}

#[tokio::test]
async fn a_delta_round_from_latest_skips_existing_users_and_sees_new_ones() {
    let cloud = Cloud::with_tenant(40, true).await;
    let session = cloud.session(0);

    let latest = session
        .users_delta_round(&DeltaStart::Latest(delta_query()), false)
        .await
        .unwrap();
    assert!(latest.items.is_empty());

    let added = cloud
        .handle()
        .add_user(
            &cloud.tenant_id(0),
            &UserSpec {
                display_name: "Grace Hopper".to_owned(),
                mail: Some("grace.hopper@example.org".to_owned()),
                ..UserSpec::default()
            },
        )
        .unwrap();
    let next = session
        .users_delta_round(&DeltaStart::Link(latest.delta_link), false)
        .await
        .unwrap();

    assert_eq!(next.items.len(), 1);
    let DeltaItem::Upsert(user) = &next.items[0] else {
        panic!("a created user is not a removal");
    };
    assert_eq!(user.id.as_deref(), Some(added.to_string().as_str()));
    assert_eq!(user.display_name.as_str(), Some("Grace Hopper"));
    assert_eq!(user.mail.as_str(), Some("grace.hopper@example.org"));
}

#[tokio::test]
async fn a_delta_link_older_than_seven_days_fails_with_sync_state_not_found() {
    let cloud = Cloud::with_tenant(30, true).await;
    let session = cloud.session(0);
    let round = session
        .users_delta_round(&DeltaStart::Full(delta_query()), false)
        .await
        .unwrap();

    cloud.advance(Duration::from_secs(6 * 86_400));
    let still_fresh = session
        .users_delta_round(&DeltaStart::Link(round.delta_link.clone()), false)
        .await
        .unwrap();
    assert!(still_fresh.items.is_empty());

    cloud.advance(Duration::from_secs(2 * 86_400));
    let error = session
        .users_delta_round(&DeltaStart::Link(round.delta_link), false)
        .await
        .unwrap_err();
    assert_eq!(error.graph_error(), Some(GraphErrorKind::SyncStateNotFound));
    assert_eq!(error.status(), Some(400));

    let again = session
        .users_delta_round(&DeltaStart::Full(delta_query()), false)
        .await
        .unwrap();
    assert_eq!(again.items.len(), 30, "a full round starts over");
}

#[tokio::test]
async fn delta_links_expired_by_the_service_fail_with_sync_state_not_found() {
    let cloud = Cloud::with_tenant(30, true).await;
    let session = cloud.session(0);
    let round = session
        .users_delta_round(&DeltaStart::Full(delta_query()), false)
        .await
        .unwrap();

    cloud
        .handle()
        .expire_delta_tokens(&cloud.tenant_id(0))
        .unwrap();
    let error = session
        .users_delta_round(&DeltaStart::Link(round.delta_link), false)
        .await
        .unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::SyncStateNotFound));
    assert!(!error.is_transient());
}

// ----- faults ----------------------------------------------------------------------------

#[tokio::test]
async fn a_page_that_keeps_failing_ends_the_listing_after_the_pages_before_it() {
    let cloud = Cloud::with_tenant(300, true).await;
    cloud.set_faults(
        0,
        Faults {
            fail_at_page: Some(2),
            ..Faults::default()
        },
    );

    let outcomes: Vec<Result<User, Error>> = cloud
        .session(0)
        .users(&ListQuery::new().select(["id"]).top(100))
        .collect()
        .await;

    assert_eq!(outcomes.len(), 101);
    assert!(outcomes[..100].iter().all(Result::is_ok));
    let error = outcomes[100].as_ref().unwrap_err();
    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::ServiceUnavailable)
    );
    assert_eq!(error.info().unwrap().attempts, 4);
    assert!(error.is_transient());
    assert_eq!(
        cloud.sleep.delays(),
        [Duration::from_secs(1); 3],
        "Retry-After: 1"
    );
}

#[tokio::test]
async fn a_page_outage_that_ends_while_the_client_waits_is_retried_to_completion() {
    let cloud = Cloud::with_tenant(300, true).await;
    cloud.set_faults(
        0,
        Faults {
            fail_at_page: Some(2),
            ..Faults::default()
        },
    );
    let recorder = cloud.sleep.clone();
    let handle = cloud.handle().clone();
    let tenant = cloud.tenant_id(0);
    let sleeper = SleepThen {
        recorder: recorder.clone(),
        action: Box::new(move |waits| {
            if waits == 2 {
                handle.set_faults(&tenant, Faults::default()).unwrap();
            }
        }),
    };
    let session = cloud.session_with(cloud.config_with_sleeper(Arc::new(sleeper)), 0);

    let users = all_users(&session, &ListQuery::new().select(["id"]).top(100)).await;

    assert_eq!(ids(&users).len(), 300);
    assert_eq!(users.len(), 300);
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [200, 503, 503, 200, 200]);
    assert_eq!(recorder.delays().len(), 2);
}

#[tokio::test]
async fn random_service_unavailable_answers_are_retried_to_a_complete_listing() {
    let cloud = Cloud::with_tenant(200, true).await;
    cloud.set_faults(
        0,
        Faults {
            error_rate: 0.3,
            ..Faults::default()
        },
    );
    let mut config = cloud.config();
    config.retry.max_attempts = 12;
    let session = cloud.session_with(config, 0);

    let users = all_users(&session, &ListQuery::new().select(["id"]).top(10)).await;

    assert_eq!(ids(&users).len(), 200);
    assert_eq!(users.len(), 200);
    let failures = cloud.graph_log().iter().filter(|e| e.status == 503).count();
    assert!(failures > 0, "the fault fired");
    assert_eq!(cloud.sleep.delays().len(), failures);
}

#[tokio::test]
async fn a_429_storm_is_waited_out_with_the_servers_retry_after() {
    let cloud = Cloud::with_tenant(3, true).await;
    cloud.set_faults(
        0,
        Faults {
            storm_requests: 3,
            storm_retry_after_seconds: Some(2.5),
            ..Faults::default()
        },
    );

    let organization = cloud.session(0).organization().await.unwrap();

    assert_eq!(organization.id, cloud.tenant_id(0));
    assert_eq!(cloud.sleep.delays(), [Duration::from_millis(2500); 3]);
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [429, 429, 429, 200]);
}

#[tokio::test]
async fn a_storm_longer_than_the_retry_budget_ends_with_too_many_requests() {
    let cloud = Cloud::with_tenant(3, true).await;
    cloud.set_faults(
        0,
        Faults {
            storm_requests: 10,
            storm_retry_after_seconds: Some(1.75),
            ..Faults::default()
        },
    );

    let error = cloud.session(0).organization().await.unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::TooManyRequests));
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_millis(1750)));
    assert_eq!(error.info().unwrap().attempts, 4);
    assert!(error.is_transient());
    assert_eq!(cloud.sleep.delays(), [Duration::from_millis(1750); 3]);
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_limit_is_returned_instead_of_waited_for() {
    let cloud = Cloud::with_tenant(3, true).await;
    cloud.set_faults(
        0,
        Faults {
            storm_requests: 1,
            storm_retry_after_seconds: Some(300.0),
            ..Faults::default()
        },
    );

    let error = cloud.session(0).organization().await.unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::TooManyRequests));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(300)));
    assert_eq!(error.info().unwrap().attempts, 1);
    assert!(cloud.sleep.delays().is_empty());
}

#[tokio::test]
async fn graph_throttling_is_honoured_so_no_retry_comes_back_too_early() {
    let mut scenario = scenario(vec![customer(60, true)]);
    scenario.settings.throttling = ThrottleConfig {
        ru_budget: Some(3.0),
        ..ThrottleConfig::default()
    };
    let cloud = Cloud::start(scenario).await;

    let users = all_users(&cloud.session(0), &ListQuery::new().select(["id"]).top(10)).await;

    assert_eq!(ids(&users).len(), 60);
    let log = cloud.graph_log();
    let throttled = log.iter().filter(|e| e.status == 429).count();
    assert!(
        throttled >= 1,
        "six requests exceed three units per ten seconds"
    );
    assert!(
        log.windows(2)
            .all(|w| w[0].status != 429 || w[1].status == 200),
        "every wait was long enough: {:?}",
        log.iter().map(|e| e.status).collect::<Vec<_>>()
    );
    let delays = cloud.sleep.delays();
    assert_eq!(delays.len(), throttled);
    assert!(
        delays
            .iter()
            .all(|d| *d > Duration::ZERO && *d <= Duration::from_secs(10))
    );
}

#[tokio::test]
async fn a_truncated_body_is_reported_as_truncated_json() {
    let cloud = Cloud::with_tenant(20, true).await;
    cloud.set_faults(
        0,
        Faults {
            truncate_body: true,
            ..Faults::default()
        },
    );
    let session = cloud.session(0);

    let error = session.organization().await.unwrap_err();
    assert!(matches!(error, Error::TruncatedJson { .. }), "{error:?}");
    assert_eq!(error.status(), Some(200));
    assert!(error.request_id().is_some());

    let error = session
        .users(&ListQuery::contact_fields())
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(error, Error::TruncatedJson { .. }), "{error:?}");
}

/// The backoff of the test policy (one second, doubling) with the fixed mid-range jitter: three
/// quarters of the full delay.
const RESET_BACKOFF: [Duration; 3] = [
    Duration::from_millis(750),
    Duration::from_millis(1500),
    Duration::from_millis(3000),
];

#[tokio::test]
async fn a_connection_reset_on_every_attempt_ends_in_a_transport_failure_after_max_attempts() {
    let cloud = Cloud::with_tenant(3, true).await;
    cloud.set_faults(
        0,
        Faults {
            reset_connection: true,
            ..Faults::default()
        },
    );

    let error = cloud.session(0).organization().await.unwrap_err();

    let Error::Transport { info, .. } = &error else {
        panic!("expected a transport failure, got {error:?}");
    };
    assert_eq!(info.attempts, 4);
    assert_eq!(error.status(), None);
    assert_eq!(error.request_id(), None);
    assert!(error.is_transient());
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [0, 0, 0, 0], "four attempts, none answered");
    assert_eq!(cloud.sleep.delays(), RESET_BACKOFF);
}

#[tokio::test]
async fn a_connection_reset_that_ends_while_the_client_waits_is_retried_to_success() {
    let cloud = Cloud::with_tenant(3, true).await;
    cloud.set_faults(
        0,
        Faults {
            reset_connection: true,
            ..Faults::default()
        },
    );
    let recorder = cloud.sleep.clone();
    let handle = cloud.handle().clone();
    let tenant = cloud.tenant_id(0);
    let sleeper = SleepThen {
        recorder: recorder.clone(),
        action: Box::new(move |waits| {
            if waits == 2 {
                handle.set_faults(&tenant, Faults::default()).unwrap();
            }
        }),
    };
    let session = cloud.session_with(cloud.config_with_sleeper(Arc::new(sleeper)), 0);

    let organization = session.organization().await.unwrap();

    assert_eq!(organization.id, cloud.tenant_id(0));
    let statuses: Vec<u16> = cloud.graph_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [0, 0, 200]);
    assert_eq!(recorder.delays(), RESET_BACKOFF[..2]);
}

#[tokio::test]
async fn a_request_hanging_past_the_timeout_fails_with_timeout() {
    let cloud = Cloud::with_tenant(3, true).await;
    cloud.set_faults(
        0,
        Faults {
            hang_ms: Some(30_000),
            ..Faults::default()
        },
    );
    let mut config = cloud.config();
    config.timeout = Duration::from_millis(200);
    config.retry.max_attempts = 2;
    let session = cloud.session_with(config, 0);

    let error = session.organization().await.unwrap_err();

    let Error::Timeout { info, timeout } = &error else {
        panic!("expected a timeout, got {error:?}");
    };
    assert_eq!(*timeout, Duration::from_millis(200));
    assert_eq!(info.attempts, 2);
    assert!(error.is_transient());
    assert_eq!(
        cloud.sleep.delays().len(),
        1,
        "one backoff between the attempts"
    );
}

#[tokio::test]
async fn graph_errors_carry_the_request_ids_the_service_logged() {
    let cloud = Cloud::with_tenant(3, true).await;
    let mut config = cloud.config();
    config.random = Arc::new(Counting::default());
    let session = cloud.session_with(config, 0);
    session.organization().await.unwrap();

    let error = session
        .get_json::<serde_json::Value>("/users/3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        .await
        .unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::ResourceNotFound));
    let log = cloud.graph_log();
    let logged = log.last().unwrap();
    assert_eq!(logged.status, 404);
    assert_ne!(log[0].client_request_id, logged.client_request_id);
    assert_eq!(error.request_id(), Some(logged.request_id.as_str()));
    assert_eq!(
        error.client_request_id(),
        Some(logged.client_request_id.as_str())
    );
    assert_ne!(logged.request_id, logged.client_request_id);
}

#[tokio::test]
async fn token_errors_carry_the_request_id_the_service_logged() {
    let cloud = Cloud::with_tenant(1, true).await;
    let mut config = cloud.config();
    config.random = Arc::new(Counting::default());
    let client = GraphClient::new(config).unwrap();
    let secret = cloud.tenant(0).client_secret().unwrap().to_owned();
    let good = credentials(&cloud.tenant_id(0), &cloud.client_id(0), &secret);
    client.tenant(good).access_token().await.unwrap();
    let wrong = credentials(&cloud.tenant_id(0), &cloud.client_id(0), "wrong~secret");

    let error = client.tenant(wrong).access_token().await.unwrap_err();

    let log = cloud.handle().requests();
    assert_eq!(log.len(), 2);
    assert_ne!(log[0].client_request_id, log[1].client_request_id);
    let logged = &log[1];
    assert_eq!(logged.status, 401);
    assert!(logged.uri.ends_with("/oauth2/v2.0/token"));
    assert_eq!(error.request_id(), Some(logged.request_id.as_str()));
    assert_eq!(
        error.client_request_id(),
        Some(logged.client_request_id.as_str())
    );
}

#[tokio::test]
async fn reports_read_as_they_download_match_reports_read_whole() {
    let cloud = Cloud::with_tenant(300, true).await;
    let tenant = cloud.tenant_id(0);
    let session = cloud.session(0);
    cloud.handle().set_concealed_names(&tenant, false).unwrap();
    let whole = session
        .office365_active_user_detail(ReportPeriod::D30)
        .await
        .unwrap();
    let mut rows = Vec::new();
    let summary = session
        .office365_active_user_rows(ReportPeriod::D30, &mut |r| rows.push(r))
        .await
        .unwrap();
    assert_eq!(rows, whole.rows);
    assert_eq!(summary.rows, whole.rows.len());
    assert_eq!(summary.columns, whole.columns);
    assert!(!summary.names_concealed);

    cloud.handle().set_concealed_names(&tenant, true).unwrap();
    let mut boxes = 0;
    let summary = session
        .mailbox_usage_rows(ReportPeriod::D7, &mut |_| boxes += 1)
        .await
        .unwrap();
    assert!(summary.names_concealed);
    assert_eq!(summary.rows, boxes);
    assert!(boxes > 0);
    // One download per report read, from the pre-authenticated link.
    let downloads: Vec<_> = cloud
        .handle()
        .requests()
        .into_iter()
        .filter(|e| e.uri.starts_with("/data/download/"))
        .collect();
    assert_eq!(downloads.len(), 3);
}
