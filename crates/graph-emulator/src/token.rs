//! The identity platform side: the client-credentials token endpoint, OIDC discovery, and the
//! emulator's own JWTs (signed with HS256 and a key only the emulator holds).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hmac::{Hmac, Mac as _};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::graph::Fault;
use crate::state::Shared;
use crate::util::{b64url, b64url_decode};

/// The audience of Graph tokens.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
/// Graph's well-known application id, also accepted as audience.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The claims of an emulator access token (the v1.0 app-only shape Graph receives).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// Audience.
    pub aud: String,
    /// Issuer, `https://sts.windows.net/{tid}/`.
    pub iss: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Application display name.
    pub app_displayname: String,
    /// Client id.
    pub appid: String,
    /// "1": authenticated with a secret.
    pub appidacr: String,
    /// Identity provider.
    pub idp: String,
    /// "app" for app-only tokens.
    pub idtyp: String,
    /// Service principal object id.
    pub oid: String,
    /// Application permissions; absent when none were consented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Subject (= oid).
    pub sub: String,
    /// Tenant id.
    pub tid: String,
    /// Unique token id.
    pub uti: String,
    /// Token format version.
    pub ver: String,
}

type HmacSha256 = Hmac<Sha256>;

fn sign(key: &[u8; 32], input: &[u8]) -> Vec<u8> {
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Encodes and signs claims.
#[must_use]
pub fn encode(key: &[u8; 32], claims: &Claims) -> String {
    let header = br#"{"typ":"JWT","alg":"HS256","kid":"roster-graph-emulator"}"#;
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let mut token = format!("{}.{}", b64url(header), b64url(&payload));
    let sig = sign(key, token.as_bytes());
    token.push('.');
    token.push_str(&b64url(&sig));
    token
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Missing or empty.
    Empty,
    /// Not a JWT.
    Malformed,
    /// Signature does not verify.
    Signature,
    /// Expired or not yet valid.
    Lifetime,
    /// Not for Graph.
    Audience,
}

impl TokenError {
    /// Graph's message for this failure.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "Access token is empty.",
            Self::Malformed => "CompactToken parsing failed with error code: 80049217",
            Self::Signature => "Access token validation failure.",
            Self::Lifetime => "Lifetime validation failed, the token is expired.",
            Self::Audience => "Access token validation failure. Invalid audience.",
        }
    }
}

/// Verifies a token and returns its claims.
///
/// # Errors
/// When the token is malformed, forged, expired or for another audience.
pub fn verify(key: &[u8; 32], token: &str, now: Timestamp) -> Result<Claims, TokenError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header = b64url_decode(h).ok_or(TokenError::Malformed)?;
    let payload = b64url_decode(p).ok_or(TokenError::Malformed)?;
    let sig = b64url_decode(s).ok_or(TokenError::Malformed)?;
    serde_json::from_slice::<serde_json::Value>(&header).map_err(|_| TokenError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    let expected = sign(key, &token.as_bytes()[..h.len() + 1 + p.len()]);
    if !constant_time_eq(&expected, &sig) {
        return Err(TokenError::Signature);
    }
    let now = now.as_second();
    if now >= claims.exp || now < claims.nbf {
        return Err(TokenError::Lifetime);
    }
    if claims.aud != GRAPH_AUDIENCE && claims.aud != GRAPH_APP_ID {
        return Err(TokenError::Audience);
    }
    Ok(claims)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An AADSTS error answer.
struct StsError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    message: String,
    retry_after: Option<String>,
}

impl StsError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: String) -> Self {
        Self {
            status,
            error,
            code,
            message,
            retry_after: None,
        }
    }

    fn retry_after(mut self, seconds: String) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    fn into_response(self, now: Timestamp, correlation: &str) -> Response {
        let trace = Uuid::new_v4().to_string();
        let ts = now.strftime("%Y-%m-%d %H:%M:%SZ").to_string();
        let body = serde_json::json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {ts}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": ts,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        let mut response = sts_json(self.status, &body);
        if let Some(seconds) = self.retry_after
            && let Ok(value) = header::HeaderValue::from_str(&seconds)
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

fn sts_json(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store, no-cache"),
            (header::PRAGMA, "no-cache"),
            (header::EXPIRES, "-1"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        serde_json::to_vec(body).unwrap_or_default(),
    )
        .into_response()
}

fn bad(code: u32, error: &'static str, message: String) -> StsError {
    StsError::new(StatusCode::BAD_REQUEST, error, code, message)
}

/// Whether `s` looks like a DNS name (labels of letters, digits and hyphens, at least one dot).
fn is_dns_name(s: &str) -> bool {
    s.contains('.')
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn tenant_not_found(t: &str) -> StsError {
    StsError::new(
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        format!(
            "Tenant '{t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

fn malformed_tenant(t: &str) -> StsError {
    bad(
        900_023,
        "invalid_request",
        format!(
            "Specified tenant identifier '{t}' is neither a valid DNS name, nor a valid external domain."
        ),
    )
}

fn missing(field: &str) -> StsError {
    bad(
        900_144,
        "invalid_request",
        format!("The request body must contain the following parameter: '{field}'."),
    )
}

fn correlation(headers: &HeaderMap) -> String {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| Uuid::try_parse(v).is_ok())
        .map_or_else(|| Uuid::new_v4().to_string(), ToOwned::to_owned)
}

/// Splits HTTP Basic credentials (form-url-encoded parts, RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let rest = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let raw =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, rest.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((dec(id)?, dec(secret)?))
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant_key): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = shared.now();
    let corr = correlation(&headers);
    match issue(&shared, &tenant_key, &uri, &headers, &body, now).await {
        Ok(r) => r,
        Err(e) => e.into_response(now, &corr),
    }
}

async fn issue(
    shared: &Arc<Shared>,
    tenant_key: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now: Timestamp,
) -> Result<Response, StsError> {
    if Uuid::try_parse(tenant_key).is_err() && !is_dns_name(tenant_key) {
        return Err(malformed_tenant(tenant_key));
    }
    let tenant_lock = shared
        .tenant(tenant_key)
        .ok_or_else(|| tenant_not_found(tenant_key))?
        .clone();

    // Faults on the token endpoint, when asked for.
    let (faults, tenant_id) = {
        let t = tenant_lock.read();
        (t.faults.clone(), t.id)
    };
    if faults.token_endpoint
        && faults.any_request_fault()
        && let Err(fault) = crate::graph::decide_faults(shared, &faults, tenant_id).await
    {
        return match fault {
            Fault::Reset => Ok(crate::graph::reset_response(tenant_id)),
            Fault::Throttled(retry) => Err(StsError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "temporarily_unavailable",
                90_055,
                "TenantThrottlingError - There are too many incoming requests. Try again later."
                    .to_owned(),
            )
            .retry_after(crate::graph::format_retry(retry))),
            Fault::Unavailable => Err(StsError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                90_024,
                "RequestBudgetExceededError - A transient error has occurred. Try again."
                    .to_owned(),
            )),
        };
    }

    if uri
        .query()
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "grant_type"))
    {
        return Err(missing("grant_type"));
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let grant = field("grant_type").ok_or_else(|| missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(bad(
            70003,
            "unsupported_grant_type",
            "The app requested an unsupported grant type.".to_owned(),
        ));
    }
    let basic = basic_credentials(headers);
    let client_id = field("client_id")
        .map(ToOwned::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.0.clone()))
        .ok_or_else(|| missing("client_id"))?;
    let scope = field("scope").ok_or_else(|| missing("scope"))?;
    check_scope(scope)?;

    let t = tenant_lock.read();
    let tenant_name = tenant_key.to_owned();
    let app = Uuid::try_parse(&client_id)
        .ok()
        .and_then(|id| t.app(&id))
        .ok_or_else(|| {
            bad(
                700_016,
                "unauthorized_client",
                format!("Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
            )
        })?;
    let secret = field("client_secret")
        .map(ToOwned::to_owned)
        .or_else(|| basic.as_ref().map(|b| b.1.clone()))
        .ok_or_else(|| {
            StsError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7_000_218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".to_owned(),
            )
        })?;
    let matching: Vec<_> = app
        .secrets
        .iter()
        .filter(|s| s.value == secret && now >= s.active_from)
        .collect();
    if matching.is_empty() {
        return Err(StsError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7_000_215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.client_id
            ),
        ));
    }
    if matching.iter().all(|s| now >= s.expires) {
        return Err(StsError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7_000_222,
            format!(
                "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
                app.client_id
            ),
        ));
    }

    let lifetime = t
        .faults
        .token_lifetime_seconds
        .unwrap_or_else(|| shared.settings.read().token_lifetime_seconds);
    let lifetime = i64::try_from(lifetime).unwrap_or(3599);
    let roles = app.granted_roles();
    let issued = now
        .checked_sub(SignedDuration::from_mins(5))
        .unwrap_or(now)
        .as_second();
    let tid = t.id.to_string();
    let claims = Claims {
        aud: GRAPH_AUDIENCE.to_owned(),
        iss: format!("https://sts.windows.net/{tid}/"),
        iat: issued,
        nbf: issued,
        exp: now.as_second() + lifetime,
        app_displayname: app.display_name.clone(),
        appid: app.client_id.to_string(),
        appidacr: "1".to_owned(),
        idp: format!("https://sts.windows.net/{tid}/"),
        idtyp: "app".to_owned(),
        oid: app.service_principal_id.to_string(),
        roles: (!roles.is_empty()).then_some(roles),
        sub: app.service_principal_id.to_string(),
        tid,
        uti: b64url(Uuid::new_v4().as_bytes()),
        ver: "1.0".to_owned(),
    };
    let access_token = encode(&shared.key, &claims);
    let body = format!(
        r#"{{"token_type":"Bearer","expires_in":{lifetime},"ext_expires_in":{lifetime},"access_token":"{access_token}"}}"#
    );
    let mut resp = sts_json(StatusCode::OK, &serde_json::Value::Null);
    *resp.body_mut() = axum::body::Body::from(body);
    resp.extensions_mut().insert(crate::server::Tag {
        tenant: Some(t.id),
        client_id: Some(app.client_id),
    });
    Ok(resp)
}

fn check_scope(scope: &str) -> Result<(), StsError> {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let resource_of = |s: &str| s.strip_suffix("/.default").map(ToOwned::to_owned);
    let mut resources = Vec::new();
    for s in &scopes {
        let Some(r) = resource_of(s) else {
            return Err(bad(
                1_002_012,
                "invalid_scope",
                format!(
                    "The provided value for scope {s} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            ));
        };
        if !resources.contains(&r) {
            resources.push(r);
        }
    }
    if resources.len() > 1 {
        return Err(bad(
            700_022,
            "invalid_scope",
            format!(
                "The provided value for the input parameter scope '{scope}' isn't valid because it contains more than one resource. Scope {scope} isn't valid."
            ),
        ));
    }
    let graph = resources.first().is_some_and(|r| {
        let r = r.trim_end_matches('/');
        r.eq_ignore_ascii_case(GRAPH_AUDIENCE) || r.eq_ignore_ascii_case(GRAPH_APP_ID)
    });
    if !graph {
        return Err(bad(
            70011,
            "invalid_scope",
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        ));
    }
    Ok(())
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub(crate) async fn openid_configuration(
    State(shared): State<Arc<Shared>>,
    Path(tenant_key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = shared.now();
    let corr = correlation(&headers);
    if Uuid::try_parse(&tenant_key).is_err() && !is_dns_name(&tenant_key) {
        return malformed_tenant(&tenant_key).into_response(now, &corr);
    }
    let Some(t) = shared.tenant(&tenant_key) else {
        return tenant_not_found(&tenant_key).into_response(now, &corr);
    };
    let tid = t.read().id;
    let base = &shared.base_url;
    let body = serde_json::json!({
        "token_endpoint": format!("{base}/{tid}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tid}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{GRAPH_AUDIENCE}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tid}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    });
    sts_json(StatusCode::OK, &body)
}

/// `GET /{tenant}/discovery/v2.0/keys`: the emulator signs with a symmetric key, so none is published.
pub(crate) async fn keys() -> Response {
    sts_json(StatusCode::OK, &serde_json::json!({ "keys": [] }))
}
