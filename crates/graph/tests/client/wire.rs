//! Behaviour over real HTTP against a tiny in-process axum server that plays Microsoft's part:
//! tokens and their cache, paging, retries, timeouts, report redirects, batching and error
//! classification from real responses. Tests against the Microsoft emulator
//! (`crates/graph-emulator`) will complement these; this server only scripts the replies each
//! test needs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures::{StreamExt, TryStreamExt};
use roster_graph::batch::BatchRequest;
use roster_graph::models::{DeltaItem, DirectoryObject, Organization};
use roster_graph::reports::ReportPeriod;
use roster_graph::{
    DeltaStart, Error, GraphClient, GraphConfig, GraphErrorKind, ListQuery, Page, RolesClaim,
    TenantCredentials, TenantSession, TokenErrorKind, permissions,
};
use secrecy::SecretString;

use crate::fixture;
use crate::support::{Doubles, config, jwt, payload_with_roles};

// ----- the fake server -------------------------------------------------------------------

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: String,
}

impl Seen {
    fn path_and_query(&self) -> String {
        match &self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn is_token(&self) -> bool {
        self.path.ends_with("/oauth2/v2.0/token")
    }
}

enum Reply {
    Now(Response),
    Hang,
}

type Script = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;
type Log = Arc<Mutex<Vec<Seen>>>;

struct FakeServer {
    base: String,
    log: Log,
}

impl FakeServer {
    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn graph_requests(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| !s.is_token()).collect()
    }

    fn token_requests(&self) -> usize {
        self.seen().iter().filter(|s| s.is_token()).count()
    }
}

async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> FakeServer {
    let log: Log = Arc::default();
    let script: Script = Arc::new(script);
    let app = Router::new()
        .fallback(handle)
        .with_state((Arc::clone(&log), script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    FakeServer {
        base: format!("http://{address}"),
        log,
    }
}

async fn handle(State((log, script)): State<(Log, Script)>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    log.lock().unwrap().push(seen.clone());
    match script(&seen) {
        Reply::Now(response) => response,
        Reply::Hang => std::future::pending::<Response>().await,
    }
}

fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<String>) -> Reply {
    let mut builder = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    Reply::Now(builder.body(Body::from(body.into())).unwrap())
}

fn json(status: u16, body: impl Into<String>) -> Reply {
    reply(status, &[("content-type", "application/json")], body)
}

fn json_with(status: u16, headers: &[(&str, &str)], body: impl Into<String>) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    reply(status, &all, body)
}

fn token_json(access_token: &str, expires_in: &str) -> String {
    format!(
        r#"{{"token_type":"Bearer","expires_in":{expires_in},"ext_expires_in":3599,"access_token":"{access_token}"}}"#
    )
}

fn a_jwt() -> String {
    jwt(
        fixture!("access-token-header-graph.json"),
        &payload_with_roles(&["User.Read.All", "Organization.Read.All"]),
    )
}

/// Answers token requests with a valid token and everything else with `graph`.
fn with_token(graph: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> impl Fn(&Seen) -> Reply {
    let token = a_jwt();
    move |seen: &Seen| {
        if seen.is_token() {
            json(200, token_json(&token, "3599"))
        } else {
            graph(seen)
        }
    }
}

fn credentials(tenant: &str, client_id: &str, secret: &str) -> TenantCredentials {
    TenantCredentials {
        tenant: tenant.to_owned(),
        client_id: client_id.to_owned(),
        secret: SecretString::from(secret.to_owned()),
    }
}

const CLIENT_ID: &str = "5b1f0e2a-7c3d-4e8f-9a0b-1c2d3e4f5a6b";

fn session_with(config: GraphConfig) -> TenantSession {
    GraphClient::new(config).unwrap().tenant(credentials(
        "harborlane.example",
        CLIENT_ID,
        "a+b/c=d",
    ))
}

fn session(server: &FakeServer) -> (TenantSession, Doubles) {
    let (config, doubles) = config(&server.base);
    (session_with(config), doubles)
}

/// Points a fixture's absolute Graph links at the fake server at `base`.
fn rebased(body: &str, base: &str) -> String {
    body.replace("https://graph.microsoft.com", &format!("{base}/graph"))
}

fn form_field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

// ----- tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn a_token_is_requested_with_a_form_post_to_the_tenant_path() {
    let server = start(with_token(|_| {
        json(200, fixture!("organization-list.json"))
    }))
    .await;
    let (session, _) = session(&server);

    let org = session.organization().await.unwrap();
    assert_eq!(org.display_name.as_deref(), Some("Harbor Lane Dental"));

    let seen = server.seen();
    let token = &seen[0];
    assert_eq!(token.method, "POST");
    assert_eq!(token.path, "/login/harborlane.example/oauth2/v2.0/token");
    assert_eq!(
        token.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(token.header("authorization"), None);
    assert_eq!(
        form_field(&token.body, "grant_type"),
        Some("client_credentials")
    );
    assert_eq!(form_field(&token.body, "client_id"), Some(CLIENT_ID));
    assert_eq!(
        form_field(&token.body, "client_secret"),
        Some("a%2Bb%2Fc%3Dd")
    );
    assert_eq!(
        form_field(&token.body, "scope"),
        Some("https%3A%2F%2Fgraph.microsoft.com%2F.default")
    );
    assert_eq!(token.query, None, "nothing goes in the query string");

    let graph = &seen[1];
    assert_eq!(graph.path, "/graph/v1.0/organization");
    assert_eq!(
        graph.header("authorization"),
        Some(format!("Bearer {}", a_jwt()).as_str())
    );
    assert_eq!(graph.header("accept"), Some("application/json"));
    assert!(graph.header("client-request-id").is_some());
}

#[tokio::test]
async fn a_wrong_secret_is_classified_as_invalid_secret_value() {
    let server = start(|seen: &Seen| {
        assert!(seen.is_token(), "no Graph call without a token");
        json_with(
            401,
            &[("x-ms-request-id", "0e6a3b2c-9d8f-4a1b-8c7d-6e5f4a3b2c10")],
            fixture!("token-error-7000215-invalid-secret.json"),
        )
    })
    .await;
    let (session, doubles) = session(&server);

    let error = session.organization().await.unwrap_err();

    assert_eq!(
        error.token_error(),
        Some(TokenErrorKind::InvalidSecretValue)
    );
    assert_eq!(error.status(), Some(401));
    assert_eq!(
        error.request_id(),
        Some("0e6a3b2c-9d8f-4a1b-8c7d-6e5f4a3b2c10")
    );
    let Error::Token(failure) = &error else {
        panic!("expected a token error: {error:?}");
    };
    assert_eq!(failure.code(), Some(7_000_215));
    assert_eq!(failure.info.attempts, 1, "a refusal is not retried");
    assert_eq!(
        failure.timestamp,
        Some("2024-03-11T14:15:16Z".parse().unwrap())
    );
    assert!(error.to_string().contains("AADSTS7000215"), "{error}");
    assert!(!error.is_transient());
    assert_eq!(server.token_requests(), 1);
    assert!(doubles.sleep.delays().is_empty());
}

#[tokio::test]
async fn every_documented_token_refusal_is_classified_from_a_real_response() {
    let cases: [(u16, &'static str, TokenErrorKind); 6] = [
        (
            401,
            fixture!("token-error-7000222-expired-secret-2020.json"),
            TokenErrorKind::ExpiredSecret,
        ),
        (
            400,
            fixture!("token-error-90002-tenant-not-found.json"),
            TokenErrorKind::TenantNotFound,
        ),
        (
            400,
            fixture!("token-error-900023-invalid-tenant-identifier.json"),
            TokenErrorKind::MalformedTenant,
        ),
        (
            400,
            fixture!("token-error-700016-app-not-in-tenant.json"),
            TokenErrorKind::AppNotInTenant,
        ),
        (
            400,
            fixture!("token-error-900144-missing-grant-type.json"),
            TokenErrorKind::MissingParameter,
        ),
        (
            400,
            fixture!("token-error-reference-sample.json"),
            TokenErrorKind::InvalidScope,
        ),
    ];
    for (status, body, expected) in cases {
        let server = start(move |_: &Seen| json(status, body)).await;
        let (session, _) = session(&server);
        let error = session.access_token().await.unwrap_err();
        assert_eq!(error.token_error(), Some(expected), "{body}");
        assert_eq!(error.status(), Some(status));
        let Error::Token(failure) = &error else {
            panic!("expected a token error");
        };
        assert!(failure.trace_id.is_some(), "the trace id is kept");
        assert!(
            error.request_id().is_none() && error.client_request_id().is_some(),
            "without x-ms-request-id the client's id still identifies the call"
        );
    }
}

#[tokio::test]
async fn a_throttled_token_request_is_retried_after_the_requested_delay() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let token = a_jwt();
    let server = start(move |_: &Seen| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            json_with(
                429,
                &[("retry-after", "1")],
                r#"{"error":"temporarily_unavailable"}"#,
            )
        } else {
            json(200, token_json(&token, "3599"))
        }
    })
    .await;
    let (session, doubles) = session(&server);

    session.access_token().await.unwrap();

    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(doubles.sleep.delays(), [Duration::from_secs(1)]);
}

#[tokio::test]
async fn a_lifetime_sent_as_a_string_is_accepted_from_the_token_endpoint() {
    let token = a_jwt();
    let server = start(move |_: &Seen| json(200, token_json(&token, "\"3599\""))).await;
    let (session, doubles) = session(&server);

    session.access_token().await.unwrap();
    doubles.clock.advance(Duration::from_secs(50 * 60));
    session.access_token().await.unwrap();

    assert_eq!(
        server.token_requests(),
        1,
        "the string lifetime was understood"
    );
}

#[tokio::test]
async fn tokens_are_cached_per_tenant_and_client_until_shortly_before_expiry() {
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let server = start(move |_: &Seen| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        json(200, token_json(&format!("token-{n}"), "3600"))
    })
    .await;
    let (config, doubles) = config(&server.base);
    let client = GraphClient::new(config).unwrap();
    let main = client.tenant(credentials("harborlane.example", CLIENT_ID, "one"));

    let first = main.access_token().await.unwrap();
    let again = main.access_token().await.unwrap();
    assert_eq!(server.token_requests(), 1);
    assert_eq!(format!("{first:?}"), "AccessToken([REDACTED])");
    use secrecy::ExposeSecret as _;
    assert_eq!(again.secret().expose_secret(), "token-0");

    // 54 minutes in: more than 5 minutes left, still cached.
    doubles.clock.advance(Duration::from_secs(54 * 60));
    main.access_token().await.unwrap();
    assert_eq!(server.token_requests(), 1);

    // 56 minutes in: inside the refresh margin, replaced.
    doubles.clock.advance(Duration::from_secs(2 * 60));
    let renewed = main.access_token().await.unwrap();
    assert_eq!(renewed.secret().expose_secret(), "token-1");
    assert_eq!(server.token_requests(), 2);

    // Another session for the same pair shares the cache (tenant compared case-insensitively).
    let same = client.tenant(credentials("HarborLane.example", CLIENT_ID, "one"));
    same.access_token().await.unwrap();
    assert_eq!(server.token_requests(), 2);

    // Another tenant, or another app in the same tenant, has its own token.
    client
        .tenant(credentials("quarryhill.example", CLIENT_ID, "one"))
        .access_token()
        .await
        .unwrap();
    client
        .tenant(credentials(
            "harborlane.example",
            "0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b",
            "one",
        ))
        .access_token()
        .await
        .unwrap();
    assert_eq!(server.token_requests(), 4);
}

#[tokio::test]
async fn a_rotated_secret_never_reuses_the_token_of_the_old_one() {
    let server = start(move |seen: &Seen| {
        let secret = form_field(&seen.body, "client_secret").unwrap_or_default();
        json(200, token_json(&format!("token-for-{secret}"), "3599"))
    })
    .await;
    let (config, _) = config(&server.base);
    let client = GraphClient::new(config).unwrap();
    let old = client.tenant(credentials("harborlane.example", CLIENT_ID, "old"));
    let new = client.tenant(credentials("harborlane.example", CLIENT_ID, "new"));

    old.access_token().await.unwrap();
    use secrecy::ExposeSecret as _;
    let token = new.access_token().await.unwrap();

    assert_eq!(token.secret().expose_secret(), "token-for-new");
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn refresh_token_fetches_a_new_token_even_when_one_is_cached() {
    let token = a_jwt();
    let server = start(move |_: &Seen| json(200, token_json(&token, "3599"))).await;
    let (session, _) = session(&server);

    session.access_token().await.unwrap();
    session.refresh_token().await.unwrap();

    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn a_401_on_a_cached_token_is_retried_once_with_a_new_token() {
    let issued = Arc::new(AtomicUsize::new(0));
    let graph_calls = Arc::new(AtomicUsize::new(0));
    let (issued_in, graph_in) = (Arc::clone(&issued), Arc::clone(&graph_calls));
    let server = start(move |seen: &Seen| {
        if seen.is_token() {
            let n = issued_in.fetch_add(1, Ordering::SeqCst);
            return json(200, token_json(&format!("token-{n}"), "3599"));
        }
        let call = graph_in.fetch_add(1, Ordering::SeqCst);
        // The second Graph call still carries token-0, which the server has revoked.
        if call == 1 && seen.header("authorization") == Some("Bearer token-0") {
            json(401, fixture!("graph-error-401-access-token-empty.json"))
        } else {
            json(200, fixture!("organization-list.json"))
        }
    })
    .await;
    let (session, _) = session(&server);

    session.organization().await.unwrap();
    session.organization().await.unwrap();

    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let graph = server.graph_requests();
    assert_eq!(graph.len(), 3);
    assert_eq!(graph[2].header("authorization"), Some("Bearer token-1"));
}

#[tokio::test]
async fn a_401_on_a_fresh_token_is_reported_not_retried() {
    let server = start(with_token(|_| {
        json(401, fixture!("graph-error-401-invalid-audience.json"))
    }))
    .await;
    let (session, _) = session(&server);

    let error = session.organization().await.unwrap_err();

    assert_eq!(
        error.graph_error(),
        Some(GraphErrorKind::InvalidAuthenticationToken)
    );
    assert_eq!(server.token_requests(), 1);
    assert_eq!(server.graph_requests().len(), 1);
}

#[tokio::test]
async fn token_roles_tell_a_token_without_roles_from_one_with_roles() {
    let bare = jwt(
        fixture!("access-token-header-graph.json"),
        fixture!("access-token-claims-app-only-no-roles.json"),
    );
    let server = start(move |_: &Seen| json(200, token_json(&bare, "3599"))).await;
    let (session, _) = session(&server);

    let roles = session.token_roles().await.unwrap();
    assert_eq!(roles, RolesClaim::Absent);
    assert!(permissions::check(&roles).no_roles_claim);

    let granted = start(with_token(|_| json(200, "{}"))).await;
    let (session, _) = self::session(&granted);
    let roles = session.token_roles().await.unwrap();
    assert!(roles.contains("User.Read.All"));
    assert!(!roles.contains("AuditLog.Read.All"));
}

// ----- paging ----------------------------------------------------------------------------

#[tokio::test]
async fn paging_follows_next_links_exactly_and_resends_consistency_level() {
    let server_base = Arc::new(Mutex::new(String::new()));
    let base_in = Arc::clone(&server_base);
    let server = start(with_token(move |seen| {
        let base = base_in.lock().unwrap().clone();
        match seen.query.as_deref() {
            Some(q) if q.contains("skiptoken=first%2Bpage%3D") => json(
                200,
                format!(
                    r#"{{"value":[],"@odata.nextLink":"{base}/graph/v1.0/users?$skiptoken=second%2Fpage%27x"}}"#
                ),
            ),
            Some(q) if q.contains("skiptoken=second") => json(
                200,
                r#"{"value":[{"id":"u2","displayName":"Two"},{"id":"u3","displayName":"Three"}]}"#,
            ),
            _ => json(
                200,
                format!(
                    r#"{{"@odata.count":3,"value":[{{"id":"u1","displayName":"One"}}],"@odata.nextLink":"{base}/graph/v1.0/users?$skiptoken=first%2Bpage%3D&$count=true"}}"#
                ),
            ),
        }
    }))
    .await;
    *server_base.lock().unwrap() = server.base.clone();
    let (session, _) = session(&server);
    let query = ListQuery::new()
        .select(["id", "displayName"])
        .filter("endswith(mail,'@harborlane.example')")
        .count()
        .top(1);

    let pages: Vec<Page<roster_graph::models::User>> =
        session.user_pages(&query).try_collect().await.unwrap();
    let users: Vec<_> = session.users(&query).try_collect().await.unwrap();

    assert_eq!(
        pages.len(),
        3,
        "an empty page with a nextLink does not end the listing"
    );
    assert_eq!(pages[0].count, Some(3));
    assert!(pages[1].value.is_empty());
    let ids: Vec<_> = users.iter().map(|u| u.id.clone().unwrap()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);

    let graph = server.graph_requests();
    assert_eq!(graph.len(), 6);
    for request in &graph {
        assert_eq!(
            request.header("consistencylevel"),
            Some("eventual"),
            "{request:?}"
        );
    }
    assert_eq!(
        graph[0].path_and_query(),
        "/graph/v1.0/users?$select=id,displayName&$filter=endswith(mail,%27%40harborlane.example%27)&$top=1&$count=true"
    );
    assert_eq!(
        graph[1].path_and_query(),
        "/graph/v1.0/users?$skiptoken=first%2Bpage%3D&$count=true"
    );
    assert_eq!(
        graph[2].path_and_query(),
        "/graph/v1.0/users?$skiptoken=second%2Fpage%27x"
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let server = start(with_token(|_| {
        json(
            200,
            r#"{"value":[{"id":"u1"}],"@odata.nextLink":"https://collector.invalid/v1.0/users?$skiptoken=x"}"#,
        )
    }))
    .await;
    let (session, _) = session(&server);

    let results: Vec<_> = session.users(&ListQuery::new()).collect().await;

    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let Err(Error::Protocol { what, .. }) = &results[1] else {
        panic!("expected a protocol error: {:?}", results[1]);
    };
    assert!(what.contains("leaves the Graph host"), "{what}");
    assert_eq!(server.graph_requests().len(), 1);
}

#[tokio::test]
async fn a_top_outside_graphs_range_is_refused_before_sending() {
    let server = start(with_token(|_| json(200, r#"{"value":[]}"#))).await;
    let (session, _) = session(&server);

    let results: Vec<_> = session.users(&ListQuery::new().top(1000)).collect().await;

    assert!(matches!(results.as_slice(), [Err(Error::InvalidInput(_))]));
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn group_members_decode_mixed_types_and_the_group_id_is_encoded() {
    let server = start(with_token(|_| {
        json(200, fixture!("group-members-limitedinfo-mixed.json"))
    }))
    .await;
    let (session, _) = session(&server);

    let members: Vec<DirectoryObject> = session
        .group_members("odd#id/1", &ListQuery::new())
        .try_collect()
        .await
        .unwrap();

    assert_eq!(members.len(), 5);
    assert!(matches!(members[1], DirectoryObject::Group(_)));
    assert_eq!(
        server.graph_requests()[0].path,
        "/graph/v1.0/groups/odd%23id%2F1/members"
    );
}

#[tokio::test]
async fn secure_scores_stop_after_the_requested_number() {
    let server = start(with_token(|_| {
        json(
            200,
            r#"{"value":[{"id":"t_2024-05-07","currentScore":10.0,"maxScore":20.0},{"id":"t_2024-05-06","currentScore":9.0,"maxScore":20.0}],"@odata.nextLink":"http://unused.invalid/"}"#,
        )
    }))
    .await;
    let (session, _) = session(&server);

    let scores = session.secure_scores(1).await.unwrap();

    assert_eq!(scores.len(), 1);
    assert_eq!(scores[0].percentage(), Some(50.0));
    let graph = server.graph_requests();
    assert_eq!(graph.len(), 1, "no second page fetched");
    assert_eq!(
        graph[0].path_and_query(),
        "/graph/v1.0/security/secureScores?$top=1"
    );
}

// ----- delta -----------------------------------------------------------------------------

#[tokio::test]
async fn a_delta_round_follows_links_and_returns_the_delta_link() {
    let base = Arc::new(Mutex::new(String::new()));
    let base_in = Arc::clone(&base);
    let server = start(with_token(move |seen| {
        let base = base_in.lock().unwrap().clone();
        let query = seen.query.clone().unwrap_or_default();
        let body = if query.contains("skiptoken=Rt5y") {
            fixture!("users-delta-round1-nextlink.json")
        } else if query.contains("skiptoken=Yu7i") {
            fixture!("users-delta-round1-final.json")
        } else if query.contains("deltatoken=") {
            fixture!("users-delta-round2-changes.json")
        } else {
            fixture!("users-delta-round1-initial.json")
        };
        json(200, rebased(body, &base))
    }))
    .await;
    *base.lock().unwrap() = server.base.clone();
    let (session, _) = session(&server);
    let query = ListQuery::new().select(["displayName", "givenName", "surname"]);

    let round = session
        .users_delta_round(&DeltaStart::Full(query), true)
        .await
        .unwrap();

    assert_eq!(round.items.len(), 8);
    assert!(round.delta_link.contains("$deltatoken=Zx9c"));
    assert!(matches!(round.items[2], DeltaItem::Removed { .. }));
    let graph = server.graph_requests();
    assert_eq!(graph.len(), 3);
    assert_eq!(
        graph[0].path_and_query(),
        "/graph/v1.0/users/delta?$select=displayName,givenName,surname"
    );
    for request in &graph {
        assert_eq!(request.header("prefer"), Some("return=minimal"));
    }

    let next = session
        .users_delta_round(&DeltaStart::Link(round.delta_link.clone()), false)
        .await
        .unwrap();
    assert_eq!(next.items.len(), 2);
    let last = server.graph_requests().pop().unwrap();
    assert_eq!(
        format!("{}{}", server.base, last.path_and_query()),
        round.delta_link,
        "the stored link is called as given"
    );
    assert_eq!(last.header("prefer"), None);
}

#[tokio::test]
async fn an_expired_delta_link_is_classified_as_sync_state_not_found() {
    let server = start(with_token(|_| {
        json(400, fixture!("error-syncstatenotfound.json"))
    }))
    .await;
    let (session, _) = session(&server);
    let stale = format!("{}/graph/v1.0/users/delta?$deltatoken=stale", server.base);

    let error = session
        .users_delta_round(&DeltaStart::Link(stale), false)
        .await
        .unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::SyncStateNotFound));
    assert_eq!(
        error.request_id(),
        Some("6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"),
        "taken from innerError when the header is missing"
    );
}

#[tokio::test]
async fn a_delta_round_without_a_delta_link_is_a_protocol_error() {
    let server = start(with_token(|_| json(200, r#"{"value":[{"id":"u1"}]}"#))).await;
    let (session, _) = session(&server);

    let error = session
        .users_delta_round(&DeltaStart::Latest(ListQuery::new()), false)
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert_eq!(
        server.graph_requests()[0].path_and_query(),
        "/graph/v1.0/users/delta?$deltatoken=latest"
    );
}

// ----- retries, timeouts, transport --------------------------------------------------------

#[tokio::test]
async fn throttling_is_retried_after_the_retry_after_delay() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let server = start(with_token(move |_| {
        match counter.fetch_add(1, Ordering::SeqCst) {
            0 => json_with(
                429,
                &[("retry-after", "2.128")],
                fixture!("error-throttled-429.json"),
            ),
            1 => json_with(
                429,
                &[("retry-after", "10")],
                fixture!("error-throttled-429.json"),
            ),
            _ => json(200, fixture!("organization-list.json")),
        }
    }))
    .await;
    let (session, doubles) = session(&server);

    let org: Organization = session.organization().await.unwrap();

    assert_eq!(org.id, "2c7e1f0a-5b3d-4e9a-8f21-6d4c0b9a7e35");
    assert_eq!(
        doubles.sleep.delays(),
        [Duration::from_millis(2128), Duration::from_secs(10)]
    );
    assert_eq!(server.graph_requests().len(), 3);
}

#[tokio::test]
async fn the_background_profile_waits_out_a_throttle_the_interactive_one_reports() {
    for (profile, waits) in [
        (roster_graph::Profile::Interactive, false),
        (roster_graph::Profile::Background, true),
    ] {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let server = start(with_token(move |_| {
            match counter.fetch_add(1, Ordering::SeqCst) {
                0 => json_with(
                    429,
                    &[("retry-after", "300")],
                    fixture!("error-throttled-429.json"),
                ),
                _ => json(200, fixture!("organization-list.json")),
            }
        }))
        .await;
        let (config, doubles) = config(&server.base);
        let config = config.profile(profile);
        assert!(
            config.timeout >= Duration::from_secs(20),
            "{profile:?}: {:?}",
            config.timeout
        );
        let session = session_with(config);
        let result = session.organization().await;
        if waits {
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(doubles.sleep.delays(), [Duration::from_secs(300)]);
            assert_eq!(server.graph_requests().len(), 2);
        } else {
            let error = result.unwrap_err();
            assert_eq!(error.retry_after(), Some(Duration::from_secs(300)));
            assert!(doubles.sleep.delays().is_empty());
            assert_eq!(server.graph_requests().len(), 1);
        }
    }
}

#[tokio::test]
async fn an_http_date_retry_after_is_measured_with_the_injected_clock() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let server = start(with_token(move |_| {
        match counter.fetch_add(1, Ordering::SeqCst) {
            0 => json_with(503, &[("retry-after", "Wed, 01 May 2024 08:00:30 GMT")], ""),
            _ => json(200, fixture!("organization-list.json")),
        }
    }))
    .await;
    let (session, doubles) = session(&server);

    session.organization().await.unwrap();

    assert_eq!(doubles.sleep.delays(), [Duration::from_secs(30)]);
}

#[tokio::test]
async fn transient_failures_back_off_exponentially_within_the_cap() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let server = start(with_token(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) < 3 {
            reply(503, &[], "")
        } else {
            json(200, fixture!("organization-list.json"))
        }
    }))
    .await;
    let (session, doubles) = session(&server);

    session.organization().await.unwrap();

    // Base 1 s doubling (1, 2, 4 s), half fixed plus half times the jitter fraction 0.5.
    assert_eq!(
        doubles.sleep.delays(),
        [
            Duration::from_millis(750),
            Duration::from_millis(1500),
            Duration::from_millis(3000)
        ]
    );
}

#[test]
fn backoff_never_exceeds_the_maximum_delay() {
    let policy = roster_graph::RetryPolicy {
        max_attempts: 30,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(4),
        max_retry_after: Duration::from_secs(60),
    };
    let mut previous = Duration::ZERO;
    for retry in 1..=40 {
        for fraction in [0.0, 0.5, 0.999_999, 1.0] {
            let delay = policy.backoff(retry, fraction);
            assert!(delay <= policy.max_delay, "retry {retry}: {delay:?}");
            assert!(delay >= policy.base_delay / 2, "retry {retry}: {delay:?}");
        }
        let middle = policy.backoff(retry, 0.5);
        assert!(middle >= previous, "delays never shrink");
        previous = middle;
    }
    assert_eq!(policy.backoff(40, 1.0), Duration::from_secs(4));
}

#[tokio::test]
async fn retries_stop_after_the_last_attempt_and_keep_the_request_id() {
    let server = start(with_token(|_| {
        reply(
            504,
            &[("request-id", "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f")],
            "",
        )
    }))
    .await;
    let (session, doubles) = session(&server);

    let error = session.organization().await.unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::GatewayTimeout));
    assert_eq!(
        error.request_id(),
        Some("9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f")
    );
    assert_eq!(error.info().unwrap().attempts, 4);
    assert!(error.is_transient());
    assert_eq!(server.graph_requests().len(), 4);
    assert_eq!(doubles.sleep.delays().len(), 3);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_goes_back_to_the_caller() {
    let server = start(with_token(|_| {
        json_with(
            429,
            &[("retry-after", "3600")],
            fixture!("error-throttled-429.json"),
        )
    }))
    .await;
    let (session, doubles) = session(&server);

    let error = session.organization().await.unwrap_err();

    assert_eq!(error.graph_error(), Some(GraphErrorKind::TooManyRequests));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(error.info().unwrap().attempts, 1);
    assert!(doubles.sleep.delays().is_empty());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = start(with_token(|_| Reply::Hang)).await;
    let (mut config, doubles) = config(&server.base);
    config.timeout = Duration::from_millis(300);
    config.retry.max_attempts = 2;
    let session = session_with(config);

    let error = session.organization().await.unwrap_err();

    let Error::Timeout { info, timeout } = &error else {
        panic!("expected a timeout: {error:?}");
    };
    assert_eq!(*timeout, Duration::from_millis(300));
    assert_eq!(info.attempts, 2);
    assert_eq!(info.status, None);
    assert!(error.is_transient());
    assert_eq!(doubles.sleep.delays().len(), 1);
}

#[tokio::test]
async fn an_unreachable_host_is_reported_after_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (config, doubles) = config(&format!("http://127.0.0.1:{port}"));
    let session = session_with(config);

    let error = session.organization().await.unwrap_err();

    let Error::Unreachable { info, .. } = &error else {
        panic!("expected unreachable: {error:?}");
    };
    assert_eq!(info.attempts, 4);
    assert!(info.url.ends_with("/oauth2/v2.0/token"));
    assert!(!info.client_request_id.is_empty());
    assert_eq!(doubles.sleep.delays().len(), 3);
}

#[tokio::test]
async fn an_html_error_page_is_reported_as_not_json() {
    let server = start(with_token(|_| {
        reply(
            502,
            &[("content-type", "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
    }))
    .await;
    let (session, _) = session(&server);

    let error = session.organization().await.unwrap_err();

    let Error::NotJson {
        content_type,
        snippet,
        info,
    } = &error
    else {
        panic!("expected not-JSON: {error:?}");
    };
    assert_eq!(content_type.as_deref(), Some("text/html"));
    assert!(snippet.contains("502 Bad Gateway"));
    assert_eq!(info.status, Some(502));
    assert_eq!(server.graph_requests().len(), 1, "502 is not retried");
}

#[tokio::test]
async fn an_html_page_with_a_success_status_is_not_json_either() {
    let server = start(with_token(|_| {
        reply(
            200,
            &[("content-type", "text/html")],
            "<!DOCTYPE html><p>sign in</p>",
        )
    }))
    .await;
    let (session, _) = session(&server);

    let error = session.report_settings().await.unwrap_err();

    assert!(matches!(error, Error::NotJson { .. }), "{error:?}");
}

#[tokio::test]
async fn truncated_and_misshapen_json_are_told_apart() {
    let server = start(with_token(|seen| {
        if seen.path.ends_with("/subscribedSkus") {
            json(
                200,
                r#"{"value":[{"skuId":"cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46","consumedUnits":"#,
            )
        } else {
            json(200, r#"{"value":[{"skuId":"x","consumedUnits":"many"}]}"#)
        }
    }))
    .await;
    let (session, _) = session(&server);

    let truncated = session.subscribed_skus().await.unwrap_err();
    assert!(
        matches!(truncated, Error::TruncatedJson { .. }),
        "{truncated:?}"
    );

    let misshapen = session
        .get_json::<Page<roster_graph::models::SubscribedSku>>("/other")
        .await
        .unwrap_err();
    let Error::Decode { path, .. } = &misshapen else {
        panic!("expected a decode error: {misshapen:?}");
    };
    assert_eq!(path, "value[0].consumedUnits");
}

#[tokio::test]
async fn graph_errors_from_real_responses_keep_their_class_and_request_id() {
    let server = start(with_token(|seen| {
        let id = [("request-id", "0f1e2d3c-4b5a-4968-8776-655443322110")];
        match seen.path.as_str() {
            p if p.ends_with("/userRegistrationDetails") => {
                json_with(403, &id, fixture!("error-nonpremium-403.json"))
            }
            p if p.contains("/groups/") => json_with(
                404,
                &id,
                fixture!("graph-error-404-request-resourcenotfound.json"),
            ),
            p if p.ends_with("/managedDevices") => json_with(
                403,
                &id,
                fixture!("error-authorization-requestdenied-no-admin-consent.json"),
            ),
            _ => json_with(400, &id, fixture!("error-invalid-page-size.json")),
        }
    }))
    .await;
    let (session, _) = session(&server);

    let not_premium = session
        .registration_details()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let missing = session
        .group("4c1d2e3f-5a6b-4c7d-8e8f-9a0b1c2d3e4f")
        .await
        .unwrap_err();
    let denied = session
        .managed_devices()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let bad_query = session
        .delegated_admin_customers()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();

    assert_eq!(not_premium.graph_error(), Some(GraphErrorKind::NotPremium));
    assert_eq!(
        missing.graph_error(),
        Some(GraphErrorKind::ResourceNotFound)
    );
    assert_eq!(
        denied.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
    assert_eq!(
        bad_query.graph_error(),
        Some(GraphErrorKind::UnsupportedQuery)
    );
    for error in [&not_premium, &missing, &denied, &bad_query] {
        assert_eq!(
            error.request_id(),
            Some("0f1e2d3c-4b5a-4968-8776-655443322110"),
            "the header wins over innerError"
        );
        assert!(!error.is_transient());
    }
    let Error::Graph(failure) = &not_premium else {
        panic!("expected a Graph error");
    };
    assert_eq!(failure.status, 403);
    assert_eq!(failure.date, Some("2024-04-05T06:07:08Z".parse().unwrap()));
}

#[tokio::test]
async fn every_request_carries_its_own_client_request_id_and_errors_repeat_it() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let server = start(with_token(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            json(200, fixture!("organization-list.json"))
        } else {
            json(
                403,
                fixture!("error-authorization-requestdenied-no-admin-consent.json"),
            )
        }
    }))
    .await;
    let (config, _) = config(&server.base);
    let mut config = config;
    config.random = Arc::new(roster_graph::testing::FixedRandom(0x0123_4567_89ab_cdef));
    let session = session_with(config);

    session.organization().await.unwrap();
    let error = session.organization().await.unwrap_err();

    let graph = server.graph_requests();
    let first = graph[0].header("client-request-id").unwrap();
    let second = graph[1].header("client-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(first).is_ok(), "{first}");
    assert_eq!(error.client_request_id(), Some(second));
    assert_eq!(
        error.request_id(),
        Some("<guid>"),
        "without a header, innerError's value is kept as sent"
    );
}

// ----- reports ---------------------------------------------------------------------------

#[tokio::test]
async fn the_report_redirect_is_followed_without_the_bearer_token() {
    let base = Arc::new(Mutex::new(String::new()));
    let base_in = Arc::clone(&base);
    let server = start(with_token(move |seen| {
        let base = base_in.lock().unwrap().clone();
        if seen.path.starts_with("/download/") {
            let csv = if seen.path.ends_with("/activity") {
                fixture!("reports-office365activeuserdetail-rows-bom.csv")
            } else {
                fixture!("reports-mailboxusagedetail-17col-concealed-bom.csv")
            };
            reply(200, &[("content-type", "application/octet-stream")], csv)
        } else if seen.path.contains("getOffice365ActiveUserDetail") {
            reply(
                302,
                &[
                    ("content-type", "text/plain"),
                    ("location", &format!("{base}/download/activity?sig=abc%3D")),
                ],
                "",
            )
        } else {
            // A relative Location is resolved against the Graph URL.
            reply(302, &[("location", "/download/mailbox")], "")
        }
    }))
    .await;
    *base.lock().unwrap() = server.base.clone();
    let (session, _) = session(&server);

    let activity = session
        .office365_active_user_detail(ReportPeriod::D30)
        .await
        .unwrap();
    let mailbox = session
        .mailbox_usage_detail(ReportPeriod::D7)
        .await
        .unwrap();

    assert_eq!(activity.rows.len(), 3);
    assert!(!activity.names_concealed);
    assert!(mailbox.names_concealed);
    let graph = server.graph_requests();
    assert_eq!(graph.len(), 4);
    assert_eq!(
        graph[0].path,
        "/graph/v1.0/reports/getOffice365ActiveUserDetail(period='D30')"
    );
    assert!(graph[0].header("authorization").is_some());
    assert_eq!(graph[1].path_and_query(), "/download/activity?sig=abc%3D");
    assert_eq!(
        graph[1].header("authorization"),
        None,
        "the token stays with Graph"
    );
    assert_eq!(
        graph[2].path,
        "/graph/v1.0/reports/getMailboxUsageDetail(period='D7')"
    );
    assert_eq!(graph[3].path, "/download/mailbox");
    assert_eq!(graph[3].header("authorization"), None);
}

#[tokio::test]
async fn a_report_redirect_without_location_is_a_protocol_error() {
    let server = start(with_token(|_| reply(302, &[], ""))).await;
    let (session, _) = session(&server);

    let error = session
        .mailbox_usage_detail(ReportPeriod::D7)
        .await
        .unwrap_err();

    let Error::Protocol { what, info } = &error else {
        panic!("expected a protocol error: {error:?}");
    };
    assert!(what.contains("Location"), "{what}");
    assert_eq!(info.status, Some(302));
}

#[tokio::test]
async fn a_report_that_is_not_csv_is_a_csv_error_with_the_download_request() {
    let server = start(with_token(|seen| {
        if seen.path.starts_with("/download") {
            reply(200, &[], "Display Name\nnobody\n")
        } else {
            reply(
                302,
                &[
                    ("location", "/download/x"),
                    ("request-id", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
                ],
                "",
            )
        }
    }))
    .await;
    let (session, _) = session(&server);

    let error = session
        .office365_active_user_detail(ReportPeriod::D7)
        .await
        .unwrap_err();

    let Error::Csv { info, detail } = &error else {
        panic!("expected a CSV error: {error:?}");
    };
    assert!(info.url.ends_with("/download/x"));
    assert!(detail.contains("User Principal Name"));
    assert_eq!(
        error.request_id(),
        Some("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
        "the download host sent none, so Graph's request-id is kept"
    );
}

// ----- batch -----------------------------------------------------------------------------

#[tokio::test]
async fn batch_items_are_matched_by_id_whatever_their_order() {
    let server = start(with_token(|_| json(200, fixture!("batch-response.json")))).await;
    let (session, _) = session(&server);
    let requests = [
        BatchRequest::get("1", "/organization"),
        BatchRequest::get(
            "5",
            "users?$select=id,displayName,userPrincipalName&$count=true",
        )
        .eventual(),
        BatchRequest::get("3", "/groups/4c1d2e3f-5a6b-4c7d-8e8f-9a0b1c2d3e4f").depends_on("1"),
    ];

    let response = session.batch(&requests).await.unwrap();

    let sent = &server.graph_requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/graph/v1.0/$batch");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(
        body["requests"][1]["headers"]["ConsistencyLevel"],
        "eventual"
    );
    assert_eq!(body["requests"][2]["dependsOn"][0], "1");
    assert!(body["requests"][0].get("body").is_none());

    let orgs: Page<Organization> = response.json("1").unwrap();
    assert_eq!(
        orgs.value[0].display_name.as_deref(),
        Some("Harbor Lane Dental")
    );
    let users: Page<roster_graph::models::User> = response.json("5").unwrap();
    assert_eq!(users.count, Some(12));

    let denied = response.json::<serde_json::Value>("3").unwrap_err();
    assert_eq!(
        denied.graph_error(),
        Some(GraphErrorKind::AuthorizationRequestDenied)
    );
    assert_eq!(
        denied.request_id(),
        Some("6f708192-a3b4-4c5d-8e6f-708192a3b4c5")
    );
    assert_eq!(denied.status(), Some(403));

    let empty_code = response.json::<serde_json::Value>("2").unwrap_err();
    assert_eq!(empty_code.graph_error(), Some(GraphErrorKind::Forbidden));
    let not_allowed = response.json::<serde_json::Value>("4").unwrap_err();
    assert_eq!(not_allowed.graph_error(), Some(GraphErrorKind::BadRequest));

    let throttled = response.get("6").unwrap();
    assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
    let throttled_error = response.json::<serde_json::Value>("6").unwrap_err();
    assert_eq!(
        throttled_error.graph_error(),
        Some(GraphErrorKind::TooManyRequests)
    );
    assert!(throttled_error.is_transient());

    assert!(matches!(
        response.json::<serde_json::Value>("99"),
        Err(Error::Protocol { .. })
    ));
}

#[tokio::test]
async fn a_batch_graph_would_reject_is_refused_before_sending() {
    let server = start(with_token(|_| json(200, r#"{"responses":[]}"#))).await;
    let (session, _) = session(&server);

    let too_many: Vec<_> = (0..21)
        .map(|i| BatchRequest::get(i.to_string(), "/organization"))
        .collect();
    let duplicate = [
        BatchRequest::get("a", "/organization"),
        BatchRequest::get("A", "/subscribedSkus"),
    ];
    let absolute = [BatchRequest::get(
        "1",
        "https://graph.microsoft.com/v1.0/users",
    )];
    let dangling = [BatchRequest::get("1", "/users").depends_on("2")];

    for requests in [&too_many[..], &duplicate[..], &absolute[..], &dangling[..]] {
        let error = session.batch(requests).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    }
    assert!(server.seen().is_empty());
    assert!(session.batch(&too_many[..20]).await.is_ok());
}

#[tokio::test]
async fn credentials_and_sessions_never_print_the_secret() {
    let server = start(with_token(|_| json(200, "{}"))).await;
    let (session, _) = session(&server);

    let printed = format!("{session:?} {:?}", session.credentials());

    assert!(!printed.contains("a+b/c=d"), "{printed}");
    assert!(printed.contains("harborlane.example"));
}

#[tokio::test]
async fn a_multi_tenant_alias_is_refused_before_any_token_request() {
    let server = start(with_token(|_| json(200, "{}"))).await;
    let (config, _) = config(&server.base);
    let client = GraphClient::new(config).unwrap();

    for tenant in ["common", "Organizations", " consumers ", ""] {
        let session = client.tenant(credentials(tenant, CLIENT_ID, "value"));
        let error = session.access_token().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput(_)),
            "{tenant:?}: {error:?}"
        );
    }
    let no_client = client.tenant(credentials("harborlane.example", " ", "value"));
    assert!(matches!(
        no_client.access_token().await,
        Err(Error::InvalidInput(_))
    ));
    assert!(server.seen().is_empty());
}

#[test]
fn a_guid_shaped_secret_is_flagged_as_the_secret_id() {
    let pasted_id = credentials(
        "harborlane.example",
        CLIENT_ID,
        "1f0e2d3c-4b5a-4968-8776-655443322110",
    );
    let real_value = credentials(
        "harborlane.example",
        CLIENT_ID,
        "Qx48Q~a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV",
    );
    assert!(pasted_id.secret_looks_like_secret_id());
    assert!(!real_value.secret_looks_like_secret_id());
}
