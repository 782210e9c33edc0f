//! What every page and server function can reach: the application state and the per-request context.

use axum::extract::FromRef;
use http::request::Parts;
use leptos::prelude::*;
use roster_core::Services;
use roster_core::auth::CurrentSession;
use roster_core::{CoreError, Principal};

use crate::flash::Flash;

/// Application-wide state, provided to Leptos as context.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// Cookies carry `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// The public base URL, when configured (used for links shown to people).
    pub public_url: Option<String>,
    /// The demo's help panel, when running `roster demo`.
    pub demo: Option<DemoInfo>,
}

/// What the demo shows a newcomer: how to sign in, and the emulated customers' credentials.
#[derive(Clone, Debug, Default)]
pub struct DemoInfo {
    pub email: String,
    pub password: String,
    pub data_dir: String,
    pub tenants: Vec<DemoTenant>,
}

/// One emulated customer tenant of the demo.
#[derive(Clone, Debug)]
pub struct DemoTenant {
    pub name: String,
    pub tenant_id: String,
    pub domain: String,
    pub client_id: String,
    pub secret: String,
    pub secret_expires_on: String,
    /// A second secret of the same app, to try Rotate secret with.
    pub next_secret: String,
    pub next_secret_expires_on: String,
    pub note: String,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Per-request facts established by the server before Leptos runs.
#[derive(Clone)]
pub struct RequestContext {
    pub session: Option<CurrentSession>,
    /// The raw session cookie value (only for sign-out and workspace switching).
    pub session_token: Option<String>,
    /// The CSRF token forms must carry.
    pub csrf_token: String,
    pub flash: Flash,
    /// The operation id of this request (also on its log lines).
    pub op_id: String,
    pub client_addr: String,
    /// On pages of a signed-in member: tenants waiting for a match plus users waiting in the
    /// contact review queue, for the navigation.
    pub to_review: Option<u64>,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("session", &self.session)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("csrf_token", &"[REDACTED]")
            .field("op_id", &self.op_id)
            .finish()
    }
}

impl RequestContext {
    /// The acting member, or `Unauthenticated`.
    pub fn principal(&self) -> Result<&Principal, CoreError> {
        self.session
            .as_ref()
            .and_then(|s| s.principal.as_ref())
            .ok_or(CoreError::Unauthenticated)
    }
}

/// The request context of the current render or server function call.
pub fn request_context() -> RequestContext {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<RequestContext>().cloned())
        .unwrap_or_else(|| RequestContext {
            session: None,
            session_token: None,
            csrf_token: String::new(),
            flash: Flash::default(),
            op_id: "-".into(),
            client_addr: "unknown".into(),
            to_review: None,
        })
}

/// The application state; always provided by the server.
pub fn app_state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("application state missing"))
}

/// The path and query of the current request.
pub fn request_uri() -> http::Uri {
    use_context::<Parts>().map(|p| p.uri).unwrap_or_default()
}

/// The base URL people reach this server at: the configured public URL, or the request's host.
pub fn base_url(state: &AppState) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A query-string parameter of the current request, URL-decoded.
pub fn query_param(name: &str) -> Option<String> {
    let uri = request_uri();
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| urlencoding::decode(v).map(|s| s.into_owned()).ok())?
    })
}

/// A query parameter as a form sent it with GET: "+" is a space, then percent-decoded.
pub fn query_text(name: &str) -> Option<String> {
    let uri = request_uri();
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            urlencoding::decode(&v.replace('+', " "))
                .map(|s| s.into_owned())
                .ok()
        })?
    })
}

/// A stored time (Unix milliseconds) as people read it, in UTC.
pub fn fmt_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}
