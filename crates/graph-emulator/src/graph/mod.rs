//! Graph v1.0: authentication of bearer tokens, faults, throttling, routing, and the shared
//! OData plumbing (errors, collections, links) used by the endpoint modules.

pub(crate) mod batch;
pub(crate) mod directory;
pub(crate) mod groups;
pub(crate) mod reports;
pub(crate) mod users;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use parking_lot::RwLock;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use uuid::Uuid;

use crate::faults::Faults;
use crate::model::Tenant;
use crate::server::{RequestIds, ResetConnection, Tag};
use crate::state::Shared;
use crate::throttle::{Cost, Verdict, Window};
use crate::token;
use crate::util::{push_json_str, push_key};

/// The Content-Type of Graph JSON answers.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// A Graph request, already split into decoded path segments and query parameters.
#[derive(Debug, Clone)]
pub(crate) struct GraphRequest {
    pub method: Method,
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    pub ids: RequestIds,
}

/// The body of a reply.
#[derive(Debug, Clone)]
pub(crate) enum ReplyBody {
    Json(Vec<u8>),
    Text(String),
    Empty,
}

/// A Graph answer before it becomes an HTTP response (or a batch item).
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, String)>,
    pub body: ReplyBody,
}

pub(crate) type R = Result<Reply, Reply>;

impl Reply {
    pub fn json(status: StatusCode, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(body),
        }
    }

    pub fn ok_json(body: Vec<u8>) -> Self {
        Self::json(StatusCode::OK, body)
    }

    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn content_type(&self) -> &'static str {
        match self.body {
            ReplyBody::Json(_) => JSON_CONTENT_TYPE,
            ReplyBody::Text(_) | ReplyBody::Empty => "text/plain",
        }
    }

    fn into_response(self, truncate: bool) -> Response {
        let content_type = self.content_type();
        let mut resp = match self.body {
            ReplyBody::Json(mut b) => {
                if truncate {
                    b.truncate(b.len() / 2);
                }
                Response::new(Body::from(b))
            }
            ReplyBody::Text(t) => Response::new(Body::from(t)),
            ReplyBody::Empty => Response::new(Body::empty()),
        };
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.append(k, v);
            }
        }
        resp
    }
}

/// A Graph error answer with the standard envelope.
pub(crate) fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    ids: &RequestIds,
    now: Timestamp,
) -> Reply {
    let mut b = Vec::with_capacity(256);
    b.extend_from_slice(b"{\"error\":{\"code\":");
    push_json_str(&mut b, code);
    b.extend_from_slice(b",\"message\":");
    push_json_str(&mut b, message);
    b.extend_from_slice(b",\"innerError\":{\"date\":");
    push_json_str(&mut b, &now.strftime("%Y-%m-%dT%H:%M:%S").to_string());
    b.extend_from_slice(b",\"request-id\":");
    push_json_str(&mut b, &ids.request_id);
    b.extend_from_slice(b",\"client-request-id\":");
    push_json_str(&mut b, &ids.client_request_id);
    b.extend_from_slice(b"}}}");
    Reply::json(status, b)
}

fn unauthorized(e: token::TokenError, ids: &RequestIds, now: Timestamp) -> Reply {
    error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", e.message(), ids, now).header(
        header::WWW_AUTHENTICATE,
        r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#,
    )
}

/// Who is calling: the tenant and application of a verified token.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub tenant: Arc<RwLock<Tenant>>,
    pub tenant_id: Uuid,
    pub client_id: Uuid,
    pub roles: Vec<String>,
}

impl Caller {
    pub fn has_any(&self, roles: &[&str]) -> bool {
        self.roles
            .iter()
            .any(|r| roles.iter().any(|x| x.eq_ignore_ascii_case(r)))
    }
}

/// Everything a handler needs.
pub(crate) struct Ctx<'a> {
    pub shared: &'a Shared,
    pub caller: &'a Caller,
    pub req: &'a GraphRequest,
    pub now: Timestamp,
    extra: RefCell<Vec<(HeaderName, String)>>,
}

const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'$')
    .remove(b',')
    .remove(b'(')
    .remove(b')')
    .remove(b'/')
    .remove(b':')
    .remove(b'\'');

/// Percent-encodes a query value for links.
pub(crate) fn encode_query(v: &str) -> String {
    utf8_percent_encode(v, QUERY_VALUE).to_string()
}

impl<'a> Ctx<'a> {
    /// A query option by name (`$top` or `top`, case-insensitive).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        let bare = name.trim_start_matches('$');
        self.req
            .query
            .iter()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(bare))
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.req.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `ConsistencyLevel: eventual` was sent.
    pub fn eventual(&self) -> bool {
        self.header("consistencylevel")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"))
    }

    /// `$count=true` was sent.
    pub fn count_requested(&self) -> bool {
        self.param("$count")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn err(&self, status: StatusCode, code: &str, message: &str) -> Reply {
        error(status, code, message, &self.req.ids, self.now)
    }

    pub fn bad_request(&self, code: &str, message: &str) -> Reply {
        self.err(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(&self, key: &str) -> Reply {
        self.err(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    pub fn forbidden(&self) -> Reply {
        self.err(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    pub fn not_premium(&self) -> Reply {
        self.err(
            StatusCode::FORBIDDEN,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        )
    }

    /// Requires one of `roles`.
    pub fn require(&self, roles: &[&str]) -> Result<(), Reply> {
        if self.caller.has_any(roles) {
            Ok(())
        } else {
            Err(self.forbidden())
        }
    }

    fn throttled(&self, retry_after: f64, information: &str) -> Reply {
        let mut r = self.err(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        );
        // The throttling envelope also carries code/status/message inside innerError.
        if let ReplyBody::Json(b) = &mut r.body {
            let tail = b"}}}";
            if b.ends_with(tail) {
                b.truncate(b.len() - tail.len());
                b.extend_from_slice(
                    br#","code":"429","status":"429","message":"Please retry after"}}}"#,
                );
            }
        }
        r.header(
            HeaderName::from_static("retry-after"),
            format_retry(retry_after),
        )
        .header(
            HeaderName::from_static("x-ms-throttle-scope"),
            format!(
                "Tenant_Application/ReadWrite/{}/{}",
                self.caller.client_id, self.caller.tenant_id
            ),
        )
        .header(
            HeaderName::from_static("x-ms-throttle-information"),
            information,
        )
    }

    /// Charges the identity resource-unit bucket.
    pub fn charge(&self, base: u32) -> Result<(), Reply> {
        let cost = Cost {
            base,
            select: self.param("$select").is_some(),
            expand: self.param("$expand").is_some(),
            small_top: self
                .param("$top")
                .and_then(|t| t.parse::<u32>().ok())
                .is_some_and(|t| t < 20),
        };
        let class = self.caller.tenant.read().size_class();
        let cfg = self.shared.settings.read().throttling.clone();
        let verdict = self.shared.throttle.lock().charge(
            &cfg,
            self.caller.client_id,
            self.caller.tenant_id,
            class,
            cost,
            self.now,
        );
        match verdict {
            Verdict::Allowed {
                units,
                limit_percentage,
            } => {
                let mut extra = self.extra.borrow_mut();
                extra.push((
                    HeaderName::from_static("x-ms-resource-unit"),
                    units.to_string(),
                ));
                if let Some(p) = limit_percentage {
                    extra.push((
                        HeaderName::from_static("x-ms-throttle-limit-percentage"),
                        format!("{p:.1}"),
                    ));
                }
                Ok(())
            }
            Verdict::Throttled {
                retry_after,
                units,
                information,
            } => Err(self.throttled(retry_after, information).header(
                HeaderName::from_static("x-ms-resource-unit"),
                units.to_string(),
            )),
        }
    }

    /// Counts a request in one of the request windows.
    pub fn window(&self, window: Window) -> Result<(), Reply> {
        let cfg = self.shared.settings.read().throttling.clone();
        let verdict = self.shared.throttle.lock().count(
            &cfg,
            self.caller.client_id,
            self.caller.tenant_id,
            window,
            self.now,
        );
        match verdict {
            Verdict::Allowed { .. } => Ok(()),
            Verdict::Throttled {
                retry_after,
                information,
                ..
            } => Err(self.throttled(retry_after, information)),
        }
    }

    /// Fails page `page` (1-based) when the tenant's `fail_at_page` fault says so.
    pub fn page_fault(&self, page: u32) -> Result<(), Reply> {
        if self.caller.tenant.read().faults.fail_at_page == Some(page) {
            return Err(service_unavailable(&self.req.ids, self.now));
        }
        Ok(())
    }

    /// An absolute Graph URL: `{base}/v1.0/{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/v1.0/{path}", self.shared.base_url)
    }

    /// `@odata.context` for a metadata fragment.
    pub fn context(&self, fragment: &str) -> String {
        format!("{}/v1.0/$metadata#{fragment}", self.shared.base_url)
    }

    /// A next link: the current path with the same query options, except `$count` kept only when
    /// `keep_count`, and a new `$skiptoken`.
    pub fn next_link(&self, skiptoken: &str) -> String {
        let path = self
            .req
            .segments
            .iter()
            .map(|s| utf8_percent_encode(s, QUERY_VALUE).to_string())
            .collect::<Vec<_>>()
            .join("/");
        let mut q: Vec<String> = self
            .req
            .query
            .iter()
            .filter(|(k, _)| !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken"))
            .map(|(k, v)| format!("{}={}", encode_query(k), encode_query(v)))
            .collect();
        q.push(format!("$skiptoken={skiptoken}"));
        format!("{}?{}", self.url(&path), q.join("&"))
    }

    /// Parses `$top` within `1..=max`, with `default` when absent.
    pub fn top(&self, default: u32, max: u32) -> Result<u32, Reply> {
        let Some(raw) = self.param("$top") else {
            return Ok(default);
        };
        let n: i64 = raw.trim().parse().map_err(|_| {
            self.bad_request(
                "Request_BadRequest",
                &format!("Invalid value '{raw}' for query option '$top'."),
            )
        })?;
        if n < 1 || n > i64::from(max) {
            return Err(self.bad_request(
                "Request_UnsupportedQuery",
                &format!(
                    "Invalid page size specified: '{n}'. Must be between 1 and {max} inclusive."
                ),
            ));
        }
        Ok(u32::try_from(n).unwrap_or(default))
    }

    /// Encodes a skip token bound to this tenant: `kind`, page number and a cursor.
    pub fn skiptoken(&self, kind: &str, page: u32, cursor: &str) -> String {
        let text = format!("{kind}|{}|{page}|{cursor}", self.caller.tenant_id.simple());
        let mut raw = text.into_bytes();
        // A light scramble so the token is opaque rather than readable.
        for (i, b) in raw.iter_mut().enumerate() {
            *b ^= 0x5A ^ u8::try_from(i % 251).unwrap_or(0);
        }
        crate::util::b64url(&raw)
    }

    /// Decodes the current `$skiptoken`: (page, cursor), or `(1, "")` without one.
    pub fn read_skiptoken(&self, kind: &str) -> Result<(u32, String), Reply> {
        let Some(tok) = self.param("$skiptoken") else {
            return Ok((1, String::new()));
        };
        let invalid = || {
            self.bad_request(
                "Request_BadRequest",
                "The specified page token value has expired or is invalid.",
            )
        };
        let mut raw = crate::util::b64url_decode(tok).ok_or_else(invalid)?;
        for (i, b) in raw.iter_mut().enumerate() {
            *b ^= 0x5A ^ u8::try_from(i % 251).unwrap_or(0);
        }
        let text = String::from_utf8(raw).map_err(|_| invalid())?;
        let mut parts = text.splitn(4, '|');
        let (Some(k), Some(t), Some(p), Some(c)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if k != kind || t != self.caller.tenant_id.simple().to_string() {
            return Err(invalid());
        }
        let page = p.parse().map_err(|_| invalid())?;
        Ok((page, c.to_owned()))
    }
}

pub(crate) fn format_retry(secs: f64) -> String {
    let s = format!("{secs:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

fn service_unavailable(ids: &RequestIds, now: Timestamp) -> Reply {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "serviceNotAvailable",
        "The service is temporarily unavailable. Please retry later.",
        ids,
        now,
    )
    .header(HeaderName::from_static("retry-after"), "1")
}

/// Writes a collection: context, optional count, optional next link, then the `value` items
/// written by `items`.
pub(crate) fn collection(
    context: &str,
    count: Option<usize>,
    next: Option<&str>,
    items: impl FnOnce(&mut Vec<u8>),
) -> Vec<u8> {
    let mut b = Vec::with_capacity(4096);
    b.push(b'{');
    let mut first = true;
    push_key(&mut b, &mut first, "@odata.context");
    push_json_str(&mut b, context);
    if let Some(c) = count {
        push_key(&mut b, &mut first, "@odata.count");
        b.extend_from_slice(c.to_string().as_bytes());
    }
    if let Some(n) = next {
        push_key(&mut b, &mut first, "@odata.nextLink");
        push_json_str(&mut b, n);
    }
    push_key(&mut b, &mut first, "value");
    b.push(b'[');
    items(&mut b);
    b.extend_from_slice(b"]}");
    b
}

/// Sleeps for `d` unless the emulator stops first.
#[expect(
    clippy::disallowed_methods,
    reason = "latency and hang faults need a real delay"
)]
pub(crate) async fn pause(d: Duration, shutdown: &tokio::sync::watch::Receiver<bool>) {
    let mut stop = shutdown.clone();
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = async { let _ = stop.wait_for(|v| *v).await; } => {}
    }
}

/// A fault that answers in place of the endpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fault {
    /// Drop the connection without an answer.
    Reset,
    /// 429 with this `Retry-After` in seconds.
    Throttled(f64),
    /// 503.
    Unavailable,
}

/// Applies delays and decides whether a fault answers instead of the endpoint. `Ok` carries
/// whether the body is to be truncated.
pub(crate) async fn decide_faults(
    shared: &Shared,
    faults: &Faults,
    tenant: Uuid,
) -> Result<bool, Fault> {
    if faults.reset_connection {
        return Err(Fault::Reset);
    }
    if let Some(ms) = faults.hang_ms {
        pause(Duration::from_millis(ms), &shared.shutdown).await;
    }
    if faults.latency_ms > 0 {
        pause(Duration::from_millis(faults.latency_ms), &shared.shutdown).await;
    }
    if faults.storm_requests > 0 {
        let mut consumed = false;
        if let Some(t) = shared.tenant_by_id(&tenant) {
            let mut t = t.write();
            if t.faults.storm_requests > 0 {
                t.faults.storm_requests -= 1;
                consumed = true;
            }
        }
        if consumed {
            return Err(Fault::Throttled(
                faults.storm_retry_after_seconds.unwrap_or(2.0),
            ));
        }
    }
    if faults.error_rate > 0.0 && shared.rng.lock().chance(faults.error_rate) {
        return Err(Fault::Unavailable);
    }
    Ok(faults.truncate_body)
}

/// A response that makes the server drop the connection.
pub(crate) fn reset_response(tenant: Uuid) -> Response {
    let mut r = Response::new(Body::empty());
    r.extensions_mut().insert(ResetConnection);
    r.extensions_mut().insert(Tag {
        tenant: Some(tenant),
        client_id: None,
    });
    r
}

/// Graph's answer for a fault.
fn graph_fault_response(fault: Fault, ids: &RequestIds, tenant: Uuid, now: Timestamp) -> Response {
    match fault {
        Fault::Reset => reset_response(tenant),
        Fault::Throttled(retry) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
                ids,
                now,
            )
            .header(HeaderName::from_static("retry-after"), format_retry(retry));
            if let ReplyBody::Json(b) = &mut r.body {
                b.truncate(b.len() - 3);
                b.extend_from_slice(
                    br#","code":"429","status":"429","message":"Please retry after"}}}"#,
                );
            }
            r.into_response(false)
        }
        Fault::Unavailable => service_unavailable(ids, now).into_response(false),
    }
}

/// Verifies the bearer token of a request.
pub(crate) fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    ids: &RequestIds,
    now: Timestamp,
) -> Result<Caller, Reply> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let tok = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .unwrap_or(if raw.trim().is_empty() { "" } else { raw });
    let claims = token::verify(&shared.key, tok, now).map_err(|e| unauthorized(e, ids, now))?;
    let tenant_id = Uuid::try_parse(&claims.tid)
        .map_err(|_| unauthorized(token::TokenError::Malformed, ids, now))?;
    let client_id = Uuid::try_parse(&claims.appid)
        .map_err(|_| unauthorized(token::TokenError::Malformed, ids, now))?;
    let tenant = shared
        .tenant_by_id(&tenant_id)
        .ok_or_else(|| unauthorized(token::TokenError::Signature, ids, now))?
        .clone();
    Ok(Caller {
        tenant,
        tenant_id,
        client_id,
        roles: claims.roles.unwrap_or_default(),
    })
}

fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

/// Parses a query string into decoded pairs (`+` stays a plus, as OData expects).
pub(crate) fn split_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode_str(k).decode_utf8_lossy().into_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            )
        })
        .collect()
}

/// `ANY /v1.0/{*path}`.
pub(crate) async fn entry(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let now = shared.now();
    let ids = req
        .extensions()
        .get::<RequestIds>()
        .cloned()
        .unwrap_or_else(|| {
            let id = Uuid::new_v4().to_string();
            RequestIds {
                request_id: id.clone(),
                client_request_id: id,
            }
        });
    let (parts, body) = req.into_parts();
    let path = parts
        .uri
        .path()
        .strip_prefix("/v1.0")
        .unwrap_or("")
        .to_owned();
    let query = parts.uri.query().map(split_query).unwrap_or_default();
    let caller = match authenticate(&shared, &parts.headers, &ids, now) {
        Ok(c) => c,
        Err(r) => return r.into_response(false),
    };
    let tag = Tag {
        tenant: Some(caller.tenant_id),
        client_id: Some(caller.client_id),
    };
    let faults = caller.tenant.read().faults.clone();
    let mut truncate = false;
    if faults.any_request_fault() {
        match decide_faults(&shared, &faults, caller.tenant_id).await {
            Ok(t) => truncate = t,
            Err(fault) => {
                let mut r = graph_fault_response(fault, &ids, caller.tenant_id, shared.now());
                r.extensions_mut().insert(tag);
                return r;
            }
        }
    }
    let body = match axum::body::to_bytes(body, 4 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request_BadRequest",
                "The request body is too large.",
                &ids,
                now,
            )
            .into_response(false);
        }
    };
    let greq = GraphRequest {
        method: parts.method,
        segments: split_path(&path),
        query,
        headers: parts.headers,
        body,
        ids,
    };
    // Time may have moved during a latency fault.
    let now = shared.now();
    let reply = dispatch(&shared, &caller, &greq, now);
    let mut resp = reply.into_response(truncate);
    resp.extensions_mut().insert(tag);
    resp
}

/// Routes one Graph request (also used for `$batch` items).
pub(crate) fn dispatch(
    shared: &Shared,
    caller: &Caller,
    req: &GraphRequest,
    now: Timestamp,
) -> Reply {
    let ctx = Ctx {
        shared,
        caller,
        req,
        now,
        extra: RefCell::new(Vec::new()),
    };
    let result = route(&ctx);
    let mut reply = match result {
        Ok(r) | Err(r) => r,
    };
    reply.headers.extend(ctx.extra.into_inner());
    reply
}

fn seg_is(s: Option<&String>, name: &str) -> bool {
    s.is_some_and(|s| s.eq_ignore_ascii_case(name))
}

fn route(ctx: &Ctx<'_>) -> R {
    let s = &ctx.req.segments;
    let get = ctx.req.method == Method::GET;
    let method_not_allowed = || {
        ctx.err(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    };
    let first = s.first().map(String::as_str).unwrap_or("");
    if first.eq_ignore_ascii_case("$batch") && s.len() == 1 {
        if ctx.req.method != Method::POST {
            return Err(method_not_allowed());
        }
        return batch::run(ctx);
    }
    if first.eq_ignore_ascii_case("admin") && seg_is(s.get(1), "reportSettings") && s.len() == 2 {
        return if get || ctx.req.method == Method::PATCH {
            directory::report_settings(ctx)
        } else {
            Err(method_not_allowed())
        };
    }
    if !get {
        return Err(method_not_allowed());
    }
    match (first.to_ascii_lowercase().as_str(), s.len()) {
        ("organization", 1 | 2) => directory::organization(ctx),
        ("users", 1) => users::list(ctx),
        ("users", 2) if s[1] == "$count" => users::count(ctx),
        ("users", 2)
            if s[1].eq_ignore_ascii_case("delta") || s[1].eq_ignore_ascii_case("delta()") =>
        {
            users::delta(ctx)
        }
        ("users", 2) => users::get(ctx, &s[1]),
        ("groups", 1) => groups::list(ctx),
        ("groups", 2) => groups::get(ctx, &s[1]),
        ("groups", 3) if seg_is(s.get(2), "members") => groups::members(ctx, &s[1], false),
        ("groups", 3) if seg_is(s.get(2), "transitiveMembers") => groups::members(ctx, &s[1], true),
        ("subscribedskus", 1) => directory::subscribed_skus(ctx),
        ("security", 2) if seg_is(s.get(1), "secureScores") => directory::secure_scores(ctx),
        ("reports", 3)
            if seg_is(s.get(1), "authenticationMethods")
                && seg_is(s.get(2), "userRegistrationDetails") =>
        {
            directory::user_registration_details(ctx)
        }
        ("reports", 2) => reports::report(ctx, &s[1]),
        ("devicemanagement", 2) if seg_is(s.get(1), "managedDevices") => {
            directory::managed_devices(ctx)
        }
        ("tenantrelationships", 2) if seg_is(s.get(1), "delegatedAdminCustomers") => {
            directory::delegated_admin_customers(ctx)
        }
        _ => {
            let last = s.last().map_or("", String::as_str);
            Err(ctx.bad_request(
                "BadRequest",
                &format!("Resource not found for the segment '{last}'."),
            ))
        }
    }
}

/// Writes `items` as a plain JSON array value.
pub(crate) fn to_json(v: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Converts a `Reply` into its status and JSON body (for `$batch`).
pub(crate) fn reply_parts(r: &Reply) -> (u16, serde_json::Value) {
    let body = match &r.body {
        ReplyBody::Json(b) => serde_json::from_slice(b).unwrap_or(serde_json::Value::Null),
        ReplyBody::Text(t) => serde_json::Value::String(t.clone()),
        ReplyBody::Empty => serde_json::Value::Null,
    };
    (r.status.as_u16(), body)
}
