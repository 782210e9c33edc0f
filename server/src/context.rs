//! The request-context middleware: operation id, session, CSRF protection, flash, page gating, security headers.

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use roster_app::shell::respond::cookie;
use roster_app::{ANON_CSRF_COOKIE, FLASH_COOKIE, Flash, RequestContext, SESSION_COOKIE};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::startup::ServerState;

/// Whether setup has happened (cached once true: workspaces are never all deleted).
#[derive(Clone, Default, Debug)]
pub struct SetupDone(pub Arc<AtomicBool>);

/// Reads one cookie from the request headers (through axum-extra's jar, which parses and
/// percent-decodes every `Cookie` header); an empty value counts as absent.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::cookie::CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// The address sign-in throttling counts under: IPv4 as is, IPv6 by its /64 network (one
/// subscriber usually holds a whole /64).
pub fn client_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn random_id(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut b);
    hex::encode(b)
}

fn origin_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

/// The origin forms must come from: the public URL's, or this request's host.
fn expected_origin(state: &ServerState, headers: &HeaderMap) -> Option<String> {
    if let Some(url) = &state.app.public_url {
        return origin_of(url);
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    // Without a public URL only loopback names are trusted: a page elsewhere that rebinds its own
    // name to this address (DNS rebinding) would otherwise pass the origin check with its own Host.
    if !is_loopback_host(host) {
        return None;
    }
    let scheme = if state.app.secure_cookies {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}"))
}

/// Whether a `Host` header names this machine's loopback interface.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn same_origin(state: &ServerState, headers: &HeaderMap) -> bool {
    let Some(expected) = expected_origin(state, headers) else {
        return false;
    };
    let claimed = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null")
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(origin_of)
        });
    claimed.is_some_and(|c| c.eq_ignore_ascii_case(&expected))
}

fn refused(op_id: &str, why: &str, back: &str) -> Response {
    let back = html_attr(back);
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Request refused · Roster</title>\
         <link rel=\"icon\" href=\"/favicon.ico\"><link rel=\"stylesheet\" href=\"/style/roster.css\"></head>\
         <body><main id=\"main\" class=\"narrow\">\
         <h1>Request refused</h1><p>{why}</p><p><a href=\"{back}\">Back to the page</a>: it loads a fresh form, then try again.</p>\
         <p class=\"hint\">Operation id: {op_id}</p></main></body></html>"
    );
    (StatusCode::FORBIDDEN, Html(body)).into_response()
}

fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page a form was posted from, when the browser said so and it is one of Roster's own pages;
/// otherwise the dashboard.
fn form_page(state: &ServerState, headers: &HeaderMap) -> String {
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    let own = expected_origin(state, headers);
    match (referer, own) {
        (Some(r), Some(origin))
            if r.len() > origin.len()
                && r.is_char_boundary(origin.len())
                && r[..origin.len()].eq_ignore_ascii_case(&origin) =>
        {
            roster_app::shell::respond::local_path(&r[origin.len()..], "/")
        }
        _ => "/".to_owned(),
    }
}

/// A use-case answers a form post with a redirect and an empty result (`null`). Anything else
/// without a flash or session cookie comes from the server function failing to read the form (a
/// field missing, sent twice, or not text): its raw message goes to the log, and the person gets
/// the page back with a plain one.
async fn unless_unreadable(
    state: &ServerState,
    headers: &HeaderMap,
    op_id: &str,
    resp: Response,
) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let answered = (parts.status.is_redirection() || parts.status.is_success())
        && matches!(text.trim(), "" | "null");
    if answered {
        return Response::from_parts(parts, Body::from(bytes));
    }
    tracing::warn!(op_id = %op_id, status = %parts.status, detail = %text, "form fields could not be read");
    let flash = Flash {
        error: Some(format!(
            "Roster could not read this form (a field was missing, repeated or not in the expected form), so nothing was changed. Try again from the page; if it keeps happening, give us the operation id {op_id}."
        )),
        ..Flash::default()
    };
    let mut out = Redirect::to(&form_page(state, headers)).into_response();
    append_cookie(
        &mut out,
        &cookie(
            FLASH_COOKIE,
            &flash.encode(state.app.services.cookie_signer()),
            Some(120),
            state.app.secure_cookies,
        ),
    );
    out
}

fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/style/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/favicon.ico"))
}

/// Where a page request must go instead, if anywhere.
fn gate(
    path: &str,
    setup_done: bool,
    session: Option<&roster_core::auth::CurrentSession>,
) -> Option<&'static str> {
    if !setup_done {
        return (path != "/setup").then_some("/setup");
    }
    match (path, session) {
        ("/setup", None) => Some("/login"),
        ("/setup" | "/login", Some(s)) => Some(if s.principal.is_some() { "/" } else { "/admin" }),
        ("/login" | "/set-password", None) => None,
        (_, None) => Some("/login"),
        ("/admin" | "/set-password", Some(_)) => None,
        (_, Some(s)) if s.principal.is_none() => Some("/admin"),
        _ => None,
    }
}

/// The middleware itself: every answer (even a refusal) carries the operation id in `x-operation-id`.
pub async fn middleware(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics") || path.starts_with("/style/") {
        return next.run(req).await;
    }
    let op_id = random_id(8);
    let mut resp = handle(state, req, next, path, &op_id).await;
    if let Ok(v) = HeaderValue::from_str(&op_id) {
        resp.headers_mut().insert("x-operation-id", v);
    }
    resp
}

async fn handle(
    state: ServerState,
    req: Request,
    next: Next,
    path: String,
    op_id: &str,
) -> Response {
    let op_id = op_id.to_owned();
    let span = tracing::info_span!("request", op_id = %op_id, method = %req.method(), path = %path);

    let headers = req.headers().clone();
    let client_addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| client_key(state.trusted_proxies.client_ip(c.0.ip(), &headers)))
        .unwrap_or_else(|| "unknown".into());
    let services = &state.app.services;

    let session_token = read_cookie(&headers, SESSION_COOKIE);
    let session = match &session_token {
        Some(t) => match services.resolve_session(t).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(op_id = %op_id, error = ?e, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("Roster cannot reach its database. Operation id: {op_id}"),
                )
                    .into_response();
            }
        },
        None => None,
    };
    let session = session.map(|mut s| {
        s.principal = s.principal.map(|p| p.acting_from(&client_addr));
        s
    });
    let stale_session_cookie = session_token.is_some() && session.is_none();
    let anon_csrf = read_cookie(&headers, ANON_CSRF_COOKIE);
    let new_anon_csrf = if session.is_none() && anon_csrf.is_none() {
        Some(random_id(32))
    } else {
        None
    };
    let csrf_token = match (&session, &anon_csrf, &new_anon_csrf) {
        (Some(s), _, _) => s.csrf_token.clone(),
        (None, Some(c), _) => c.clone(),
        (None, None, Some(n)) => n.clone(),
        (None, None, None) => String::new(),
    };
    let flash_cookie = read_cookie(&headers, FLASH_COOKIE);
    let flash = flash_cookie
        .as_deref()
        .map(|v| Flash::decode(v, state.app.services.cookie_signer()))
        .unwrap_or_default();

    let mut req = req;
    let method = req.method().clone();
    let is_page = is_page_path(&path) && (method == Method::GET || method == Method::HEAD);

    if method == Method::POST && path.starts_with("/api/") {
        if !same_origin(&state, &headers) {
            tracing::warn!(op_id = %op_id, "cross-origin form post refused");
            return refused(
                &op_id,
                "This form was sent from another site, so Roster did not act on it.",
                "/",
            );
        }
        let (parts, body) = req.into_parts();
        let limit = crate::csrf::body_limit(&path);
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => {
                tracing::warn!(op_id = %op_id, limit, "form post over the size limit refused");
                let what = if crate::csrf::is_upload_route(&path) {
                    format!(
                        "The file is too large: Roster accepts uploads of up to {} MB.",
                        limit / (1024 * 1024)
                    )
                } else {
                    "The form is too large.".to_owned()
                };
                return (StatusCode::PAYLOAD_TOO_LARGE, what).into_response();
            }
        };
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let submitted = crate::csrf::submitted_token(&path, content_type, &bytes)
            .await
            .unwrap_or_default();
        let expected = match (&session, &anon_csrf) {
            (Some(s), _) => Some(s.csrf_token.as_str()),
            (None, Some(c)) => Some(c.as_str()),
            (None, None) => None,
        };
        let ok = expected.is_some_and(|e| roster_core::crypto::same_secret(e, &submitted));
        if !ok {
            tracing::warn!(op_id = %op_id, "form post without a valid CSRF token refused");
            return refused(
                &op_id,
                "This form has expired (or was not sent by Roster's own page), so Roster did not act on it.",
                &form_page(&state, &headers),
            );
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }

    if is_page {
        let setup_done = if state.setup_done.0.load(Ordering::Relaxed) {
            true
        } else {
            match services.needs_setup().await {
                Ok(needs) => {
                    if !needs {
                        state.setup_done.0.store(true, Ordering::Relaxed);
                    }
                    !needs
                }
                Err(e) => {
                    tracing::error!(op_id = %op_id, error = ?e, "database unavailable");
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!("Roster cannot reach its database. Operation id: {op_id}"),
                    )
                        .into_response();
                }
            }
        };
        if let Some(to) = gate(&path, setup_done, session.as_ref()) {
            let mut resp = Redirect::to(to).into_response();
            if stale_session_cookie {
                append_cookie(
                    &mut resp,
                    &cookie(SESSION_COOKIE, "", Some(0), state.app.secure_cookies),
                );
            }
            return resp;
        }
    }

    let to_review = match session.as_ref().and_then(|s| s.principal.as_ref()) {
        Some(p) if is_page => match services.review_counts(p).await {
            Ok((tenants, contacts)) => Some(tenants + contacts),
            Err(e) => {
                tracing::warn!(op_id = %op_id, error = ?e, "review counts unavailable");
                None
            }
        },
        _ => None,
    };
    req.extensions_mut().insert(RequestContext {
        to_review,
        session,
        session_token,
        csrf_token,
        flash,
        op_id: op_id.clone(),
        client_addr,
    });

    let is_form_post = method == Method::POST && path.starts_with("/api/");
    let mut resp = next.run(req).instrument_in(&span).await;
    if is_form_post && !sets_cookie(&resp, FLASH_COOKIE) && !sets_cookie(&resp, SESSION_COOKIE) {
        resp = unless_unreadable(&state, &headers, &op_id, resp).await;
    }
    if is_page {
        resp = without_hydration_data(resp).await;
    }

    let secure = state.app.secure_cookies;
    if is_page && flash_cookie.is_some() {
        append_cookie(&mut resp, &cookie(FLASH_COOKIE, "", Some(0), secure));
    }
    if let Some(token) = new_anon_csrf {
        append_cookie(
            &mut resp,
            &cookie(ANON_CSRF_COOKIE, &token, None, secure)
                .replace("SameSite=Lax", "SameSite=Strict"),
        );
    }
    if stale_session_cookie
        && !resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|s| s.starts_with(SESSION_COOKIE)))
    {
        append_cookie(&mut resp, &cookie(SESSION_COOKIE, "", Some(0), secure));
    }
    let h = resp.headers_mut();
    if is_page || path.starts_with("/api/") {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Largest page Roster buffers to tidy; anything bigger is sent as it is.
const MAX_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// Leptos appends its hydration data as inline scripts after `</html>`. Roster's pages have no
/// client code to read it, and the content security policy (rightly) blocks inline scripts, which
/// browsers report as errors; so the trailing scripts are cut off.
async fn without_hydration_data(resp: Response) -> Response {
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        tracing::error!("a page was too large to send");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let end = bytes
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</html>"))
        .map(|i| i + 7);
    let bytes = match end {
        Some(end) if bytes[end..].trim_ascii_start().starts_with(b"<script") => bytes.slice(..end),
        _ => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

fn sets_cookie(resp: &Response, name: &str) -> bool {
    let prefix = format!("{name}=");
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|s| s.starts_with(&prefix)))
}

fn append_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Attaches a tracing span to a future (a tiny local helper to keep the middleware readable).
trait InstrumentIn: Sized {
    fn instrument_in(self, span: &tracing::Span) -> tracing::instrument::Instrumented<Self>;
}

impl<F: std::future::Future> InstrumentIn for F {
    fn instrument_in(self, span: &tracing::Span) -> tracing::instrument::Instrumented<Self> {
        tracing::Instrument::instrument(self, span.clone())
    }
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; roster_session=abc; roster_session_x=zzz"),
        );
        assert_eq!(read_cookie(&h, "roster_session").as_deref(), Some("abc"));
        assert_eq!(read_cookie(&h, "missing"), None);
    }

    #[test]
    fn before_setup_every_page_leads_to_setup() {
        assert_eq!(gate("/", false, None), Some("/setup"));
        assert_eq!(gate("/login", false, None), Some("/setup"));
        assert_eq!(gate("/setup", false, None), None);
    }

    #[test]
    fn after_setup_visitors_are_sent_to_sign_in() {
        assert_eq!(gate("/setup", true, None), Some("/login"));
        assert_eq!(gate("/settings/members", true, None), Some("/login"));
        assert_eq!(gate("/login", true, None), None);
        assert_eq!(gate("/set-password", true, None), None);
    }

    #[test]
    fn only_loopback_hosts_are_trusted_without_a_public_url() {
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "127.0.0.2",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.test:3000",
            "10.0.0.5:3000",
            "[2001:db8::1]:3000",
            "localhost.evil.test",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn ipv6_clients_are_throttled_by_network() {
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }

    #[test]
    fn origins_are_scheme_and_authority() {
        assert_eq!(
            origin_of("http://127.0.0.1:3000/login?x=1").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("/relative"), None);
    }
}
