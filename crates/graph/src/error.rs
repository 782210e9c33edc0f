//! The crate's error type, the classification of token-endpoint (AADSTS) and Graph error codes,
//! and the wire shapes of both error envelopes.

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use serde::Deserialize;

use crate::time::parse_timestamp;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything known about the HTTP exchange that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    /// HTTP method.
    pub method: String,
    /// The URL that was called (no secrets are ever part of a URL).
    pub url: String,
    /// The `client-request-id` this client sent; Microsoft echoes it and can trace it.
    pub client_request_id: String,
    /// Microsoft's `request-id` (Graph) or `x-ms-request-id` (token endpoint), from the response
    /// headers or, failing that, from the error body.
    pub request_id: Option<String>,
    /// HTTP status of the last response, if one arrived.
    pub status: Option<u16>,
    /// How many attempts were made.
    pub attempts: u32,
}

impl fmt::Display for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)?;
        if let Some(status) = self.status {
            write!(f, " -> {status}")?;
        }
        match &self.request_id {
            Some(id) => write!(f, ", request-id {id}")?,
            None => write!(f, ", client-request-id {}", self.client_request_id)?,
        }
        if self.attempts > 1 {
            write!(f, ", {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// What went wrong. Every variant that involved an HTTP exchange carries its [`RequestInfo`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token endpoint refused to issue a token (wrong secret, unknown tenant, ...).
    #[error("{0}")]
    Token(Box<TokenFailure>),
    /// Graph answered with an error status and an error body (or none).
    #[error("{0}")]
    Graph(Box<GraphFailure>),
    /// A body that should have been JSON was something else, typically an HTML error page.
    #[error("expected JSON, got {} ({info}): {snippet}", content_type.as_deref().unwrap_or("no content type"))]
    NotJson {
        /// The exchange.
        info: Box<RequestInfo>,
        /// The `Content-Type` the server sent.
        content_type: Option<String>,
        /// The start of the body, for the log.
        snippet: String,
    },
    /// The JSON body ended early (connection cut, proxy truncation).
    #[error("the JSON body ended before it was complete ({info}): {detail}")]
    TruncatedJson {
        /// The exchange.
        info: Box<RequestInfo>,
        /// Parser message.
        detail: String,
    },
    /// The JSON was complete but did not have the expected shape.
    #[error("unexpected JSON at {path} ({info}): {detail}")]
    Decode {
        /// The exchange.
        info: Box<RequestInfo>,
        /// Where in the document the problem is, e.g. `value[3].signInActivity`.
        path: String,
        /// Parser message.
        detail: String,
    },
    /// No complete answer within the configured timeout, after every allowed attempt.
    #[error("no answer within {timeout:?} ({info})")]
    Timeout {
        /// The exchange.
        info: Box<RequestInfo>,
        /// The limit that was exceeded.
        timeout: Duration,
    },
    /// The host could not be reached (DNS, refused, reset while connecting), after every allowed
    /// attempt.
    #[error("could not reach the server ({info}): {source}")]
    Unreachable {
        /// The exchange.
        info: Box<RequestInfo>,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// Another transport failure (e.g. the connection was reset while the answer was read), after
    /// every allowed attempt.
    #[error("HTTP transport failed ({info}): {source}")]
    Transport {
        /// The exchange.
        info: Box<RequestInfo>,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The server broke the protocol (a 302 without `Location`, a `nextLink` to a foreign host,
    /// a delta round without `deltaLink`, an empty organization list, ...).
    #[error("unexpected response ({info}): {what}")]
    Protocol {
        /// The exchange.
        info: Box<RequestInfo>,
        /// What was wrong.
        what: String,
    },
    /// A usage report CSV could not be read.
    #[error("the report CSV could not be read ({info}): {detail}")]
    Csv {
        /// The exchange (the download).
        info: Box<RequestInfo>,
        /// What was wrong, with row and column.
        detail: String,
    },
    /// The access token is not a JWT whose payload can be read.
    #[error("the access token is not a readable JWT: {0}")]
    MalformedAccessToken(String),
    /// The caller asked for something Graph would reject (e.g. `$top` of 1000, 21 batch items).
    #[error("invalid request: {0}")]
    InvalidInput(String),
}

impl Error {
    /// The HTTP exchange, if there was one.
    #[must_use]
    pub fn info(&self) -> Option<&RequestInfo> {
        match self {
            Self::Token(failure) => Some(&failure.info),
            Self::Graph(failure) => Some(&failure.info),
            Self::NotJson { info, .. }
            | Self::TruncatedJson { info, .. }
            | Self::Decode { info, .. }
            | Self::Timeout { info, .. }
            | Self::Unreachable { info, .. }
            | Self::Transport { info, .. }
            | Self::Protocol { info, .. }
            | Self::Csv { info, .. } => Some(info),
            Self::MalformedAccessToken(_) | Self::InvalidInput(_) => None,
        }
    }

    pub(crate) fn info_mut(&mut self) -> Option<&mut RequestInfo> {
        match self {
            Self::Token(failure) => Some(&mut failure.info),
            Self::Graph(failure) => Some(&mut failure.info),
            Self::NotJson { info, .. }
            | Self::TruncatedJson { info, .. }
            | Self::Decode { info, .. }
            | Self::Timeout { info, .. }
            | Self::Unreachable { info, .. }
            | Self::Transport { info, .. }
            | Self::Protocol { info, .. }
            | Self::Csv { info, .. } => Some(info),
            Self::MalformedAccessToken(_) | Self::InvalidInput(_) => None,
        }
    }

    /// Microsoft's `request-id`, the value to quote to Microsoft support.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.info().and_then(|info| info.request_id.as_deref())
    }

    /// The `client-request-id` this client sent.
    #[must_use]
    pub fn client_request_id(&self) -> Option<&str> {
        self.info().map(|info| info.client_request_id.as_str())
    }

    /// HTTP status of the last response, if one arrived.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.info().and_then(|info| info.status)
    }

    /// The delay the server asked for, when it sent `Retry-After`.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Token(failure) => failure.retry_after,
            Self::Graph(failure) => failure.retry_after,
            _ => None,
        }
    }

    /// The classified token-endpoint failure, if this is one.
    #[must_use]
    pub fn token_error(&self) -> Option<TokenErrorKind> {
        match self {
            Self::Token(failure) => Some(failure.kind),
            _ => None,
        }
    }

    /// The classified Graph failure, if this is one.
    #[must_use]
    pub fn graph_error(&self) -> Option<GraphErrorKind> {
        match self {
            Self::Graph(failure) => Some(failure.kind),
            _ => None,
        }
    }

    /// True when trying again later may succeed (throttling, outages, timeouts, unreachable
    /// hosts). The client has already retried these as far as its policy allows.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Unreachable { .. } | Self::Transport { .. } => true,
            Self::Token(failure) => failure.kind == TokenErrorKind::Transient,
            Self::Graph(failure) => matches!(
                failure.kind,
                GraphErrorKind::TooManyRequests
                    | GraphErrorKind::ServiceUnavailable
                    | GraphErrorKind::GatewayTimeout
            ),
            Self::NotJson { info, .. } | Self::TruncatedJson { info, .. } => {
                matches!(info.status, Some(429 | 502 | 503 | 504))
            }
            _ => false,
        }
    }
}

/// Why the token endpoint refused, from its AADSTS code (or, failing that, its `error` class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// AADSTS7000215: the secret is wrong, very often the Secret ID pasted instead of the Value.
    InvalidSecretValue,
    /// AADSTS7000222: the client secret has expired.
    ExpiredSecret,
    /// AADSTS7000218: no secret was sent.
    MissingSecret,
    /// `invalid_client` with another or no code.
    InvalidClient,
    /// AADSTS90002: no tenant with that ID or domain.
    TenantNotFound,
    /// AADSTS900023: the tenant identifier is neither a GUID nor a domain name.
    MalformedTenant,
    /// AADSTS700016: the application is not present (not consented) in that tenant, or the
    /// client ID is wrong.
    AppNotInTenant,
    /// AADSTS70011 / 1002012 / 700022: the scope is not a valid `resource/.default`.
    InvalidScope,
    /// AADSTS900144: a required form field (such as `grant_type`) is missing.
    MissingParameter,
    /// AADSTS70003: the grant type is not supported.
    UnsupportedGrantType,
    /// Throttling or a temporary outage (AADSTS90055, 90024, `temporarily_unavailable`, 429, 5xx).
    Transient,
    /// Anything else; see the failure's `error` and `error_codes`.
    Unknown,
}

impl TokenErrorKind {
    /// Classifies by the first AADSTS code, then by the OAuth `error` class, then by status.
    #[must_use]
    pub fn classify(status: u16, error: &str, codes: &[i64]) -> Self {
        let by_code = codes.first().and_then(|code| match code {
            7_000_215 => Some(Self::InvalidSecretValue),
            7_000_222 => Some(Self::ExpiredSecret),
            7_000_218 => Some(Self::MissingSecret),
            90_002 => Some(Self::TenantNotFound),
            900_023 => Some(Self::MalformedTenant),
            700_016 => Some(Self::AppNotInTenant),
            70_011 | 1_002_012 | 700_022 => Some(Self::InvalidScope),
            900_144 => Some(Self::MissingParameter),
            70_003 => Some(Self::UnsupportedGrantType),
            90_055 | 90_024 => Some(Self::Transient),
            _ => None,
        });
        if let Some(kind) = by_code {
            return kind;
        }
        match error {
            "invalid_client" => Self::InvalidClient,
            "invalid_tenant" => Self::TenantNotFound,
            "invalid_scope" => Self::InvalidScope,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "temporarily_unavailable" => Self::Transient,
            _ if matches!(status, 429 | 500..=599) => Self::Transient,
            _ => Self::Unknown,
        }
    }

    /// A plain-language cause and fix, for the people connecting a tenant.
    #[must_use]
    pub fn advice(self) -> &'static str {
        match self {
            Self::InvalidSecretValue => {
                "The client secret is wrong. Copy the secret's Value (shown once when it is created), not its Secret ID. A new secret can take a few minutes to start working."
            }
            Self::ExpiredSecret => {
                "The client secret has expired. Create a new secret for the app registration and enter its Value."
            }
            Self::MissingSecret => "No client secret was sent. Enter the secret's Value.",
            Self::InvalidClient => {
                "Microsoft rejected the client credentials. Check the application (client) ID and the secret Value."
            }
            Self::TenantNotFound => {
                "No Microsoft tenant has this ID or domain. Check the tenant ID (a GUID) or use a verified domain of the customer."
            }
            Self::MalformedTenant => {
                "The tenant ID is neither a GUID nor a domain name. Copy the Directory (tenant) ID from the app registration's overview."
            }
            Self::AppNotInTenant => {
                "The application ID was not found in this tenant. Check the application (client) ID, and that the app registration was created in (or consented for) this tenant."
            }
            Self::InvalidScope => {
                "The token request asked for an invalid scope. This is a configuration problem in Roster, not in the tenant."
            }
            Self::MissingParameter | Self::UnsupportedGrantType => {
                "The token request was malformed. This is a problem in Roster, not in the tenant."
            }
            Self::Transient => {
                "Microsoft's sign-in service is busy or unavailable. Try again later."
            }
            Self::Unknown => "Microsoft refused to issue a token. See the error code for details.",
        }
    }
}

impl fmt::Display for TokenErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::InvalidSecretValue => "invalid client secret value",
            Self::ExpiredSecret => "expired client secret",
            Self::MissingSecret => "missing client secret",
            Self::InvalidClient => "invalid client",
            Self::TenantNotFound => "tenant not found",
            Self::MalformedTenant => "malformed tenant identifier",
            Self::AppNotInTenant => "application not found in tenant",
            Self::InvalidScope => "invalid scope",
            Self::MissingParameter => "missing token request parameter",
            Self::UnsupportedGrantType => "unsupported grant type",
            Self::Transient => "token endpoint temporarily unavailable",
            Self::Unknown => "token request refused",
        };
        f.write_str(text)
    }
}

/// A classified refusal from the token endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenFailure {
    /// The classification callers act on.
    pub kind: TokenErrorKind,
    /// HTTP status (401 for `invalid_client`, 400 for most others).
    pub status: u16,
    /// The OAuth `error` class, e.g. `invalid_client`.
    pub error: String,
    /// AADSTS codes, e.g. `[7000215]`.
    pub error_codes: Vec<i64>,
    /// Microsoft's description (text changes over time; never branch on it).
    pub description: String,
    /// `trace_id` from the body.
    pub trace_id: Option<String>,
    /// `correlation_id` from the body.
    pub correlation_id: Option<String>,
    /// `timestamp` from the body.
    pub timestamp: Option<Timestamp>,
    /// Delay requested by `Retry-After`.
    pub retry_after: Option<Duration>,
    /// The exchange.
    pub info: RequestInfo,
}

impl TokenFailure {
    /// The first AADSTS code, if any.
    #[must_use]
    pub fn code(&self) -> Option<i64> {
        self.error_codes.first().copied()
    }
}

impl fmt::Display for TokenFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token request failed: {}", self.kind)?;
        match self.code() {
            Some(code) => write!(f, " (AADSTS{code}, {})", self.error)?,
            None => write!(f, " ({})", self.error)?,
        }
        write!(f, " [{}", self.info)?;
        if self.info.request_id.is_none()
            && let Some(trace) = &self.trace_id
        {
            write!(f, ", trace {trace}")?;
        }
        f.write_str("]")
    }
}

/// The token endpoint's error body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenErrorBody {
    /// OAuth error class.
    pub error: String,
    /// Human-readable text with embedded Trace/Correlation/Timestamp lines.
    #[serde(default)]
    pub error_description: String,
    /// AADSTS codes.
    #[serde(default)]
    pub error_codes: Vec<i64>,
    /// `yyyy-mm-dd hh:mm:ssZ` (space, not `T`), or a placeholder in the docs.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Trace id (GUID).
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Correlation id (GUID).
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// Link to the error page (newer responses only).
    #[serde(default)]
    pub error_uri: Option<String>,
}

impl TokenErrorBody {
    /// Classification of this body as received with `status`.
    #[must_use]
    pub fn kind(&self, status: u16) -> TokenErrorKind {
        TokenErrorKind::classify(status, &self.error, &self.error_codes)
    }

    /// The timestamp, when it parses (placeholders do not).
    #[must_use]
    pub fn parsed_timestamp(&self) -> Option<Timestamp> {
        self.timestamp
            .as_deref()
            .and_then(|text| parse_timestamp(text).ok().flatten())
    }
}

/// What kind of Graph failure happened, from the HTTP status and the error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GraphErrorKind {
    /// 401 `InvalidAuthenticationToken`: missing, malformed, expired or wrong-audience token.
    InvalidAuthenticationToken,
    /// 401 with another code.
    Unauthorized,
    /// 403 `Authorization_RequestDenied`: the app lacks the permission (no admin consent,
    /// or only delegated permissions).
    AuthorizationRequestDenied,
    /// 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant`: the tenant has no Entra ID
    /// P1/P2 (signInActivity, registration details). A licensing fact, not a permission bug.
    NotPremium,
    /// 403 `Authentication_ApplicationHasNoDirectoryReadAccess`.
    NoDirectoryReadAccess,
    /// 403 with another code.
    Forbidden,
    /// 404 `Request_ResourceNotFound`, `ResourceNotFound`, `itemNotFound`.
    ResourceNotFound,
    /// 429 `TooManyRequests` / `activityLimitReached`.
    TooManyRequests,
    /// 400 `syncStateNotFound` (or `resyncRequired`): the delta link expired; start a full round.
    SyncStateNotFound,
    /// 400 `Request_UnsupportedQuery`: bad `$top`, advanced query without `ConsistencyLevel`, ...
    UnsupportedQuery,
    /// 400 `Request_BadRequest` or another 4xx the client sent wrongly (405 included).
    BadRequest,
    /// 501: e.g. selecting a property that cannot be read on a collection.
    NotImplemented,
    /// 503 / `serviceNotAvailable`.
    ServiceUnavailable,
    /// 504.
    GatewayTimeout,
    /// Anything else.
    Other,
}

impl GraphErrorKind {
    /// Classifies by the HTTP status first and the `code` second.
    #[must_use]
    pub fn classify(status: u16, code: &str) -> Self {
        match (status, code) {
            (_, "syncStateNotFound" | "resyncRequired") => Self::SyncStateNotFound,
            (_, "TooManyRequests" | "activityLimitReached") | (429, _) => Self::TooManyRequests,
            (401, "InvalidAuthenticationToken") => Self::InvalidAuthenticationToken,
            (401, _) => Self::Unauthorized,
            (403, "Authorization_RequestDenied" | "accessDenied") => {
                Self::AuthorizationRequestDenied
            }
            (403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant") => Self::NotPremium,
            (403, "Authentication_ApplicationHasNoDirectoryReadAccess") => {
                Self::NoDirectoryReadAccess
            }
            (403, _) => Self::Forbidden,
            (404, _) | (_, "Request_ResourceNotFound" | "ResourceNotFound" | "itemNotFound") => {
                Self::ResourceNotFound
            }
            (_, "Request_UnsupportedQuery") => Self::UnsupportedQuery,
            (501, _) => Self::NotImplemented,
            (503, _) | (_, "serviceNotAvailable") => Self::ServiceUnavailable,
            (504, _) => Self::GatewayTimeout,
            (400..=499, _) => Self::BadRequest,
            _ => Self::Other,
        }
    }
}

impl fmt::Display for GraphErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::InvalidAuthenticationToken => "invalid authentication token",
            Self::Unauthorized => "unauthorized",
            Self::AuthorizationRequestDenied => "insufficient privileges (permission missing)",
            Self::NotPremium => "tenant lacks Entra ID P1/P2",
            Self::NoDirectoryReadAccess => "application has no directory read access",
            Self::Forbidden => "forbidden",
            Self::ResourceNotFound => "resource not found",
            Self::TooManyRequests => "throttled",
            Self::SyncStateNotFound => "delta link expired",
            Self::UnsupportedQuery => "unsupported query",
            Self::BadRequest => "bad request",
            Self::NotImplemented => "not implemented",
            Self::ServiceUnavailable => "service unavailable",
            Self::GatewayTimeout => "gateway timeout",
            Self::Other => "error",
        };
        f.write_str(text)
    }
}

/// A classified Graph error response.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFailure {
    /// The classification callers act on.
    pub kind: GraphErrorKind,
    /// HTTP status.
    pub status: u16,
    /// `error.code` (may be empty).
    pub code: String,
    /// `error.message` (never branch on it).
    pub message: String,
    /// `error.innerError.date`, when it parses.
    pub date: Option<Timestamp>,
    /// Delay requested by `Retry-After`.
    pub retry_after: Option<Duration>,
    /// The exchange.
    pub info: RequestInfo,
}

impl fmt::Display for GraphFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph error: {}", self.kind)?;
        if !self.code.is_empty() {
            write!(f, " ({})", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(f, " [{}]", self.info)
    }
}

/// Graph's error envelope: `{"error": {"code", "message", "innerError": {...}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GraphErrorEnvelope {
    /// The error.
    pub error: GraphErrorBody,
}

/// The `error` object of a Graph error response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GraphErrorBody {
    /// Error code; can be the empty string.
    #[serde(default)]
    pub code: String,
    /// Message text.
    #[serde(default)]
    pub message: String,
    /// Diagnostics.
    #[serde(default, rename = "innerError", alias = "innererror")]
    pub inner_error: Option<InnerError>,
}

/// `innerError` of a Graph error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct InnerError {
    /// `yyyy-mm-ddThh:mm:ss` without offset (UTC), or a placeholder in the docs.
    #[serde(default)]
    pub date: Option<String>,
    /// Microsoft's request id.
    #[serde(default, rename = "request-id")]
    pub request_id: Option<String>,
    /// The client's request id, echoed.
    #[serde(default, rename = "client-request-id")]
    pub client_request_id: Option<String>,
    /// Extra code on throttling responses (`"429"`).
    #[serde(default)]
    pub code: Option<String>,
    /// Extra status on throttling responses (`"429"`).
    #[serde(default)]
    pub status: Option<String>,
    /// Extra message on throttling responses.
    #[serde(default)]
    pub message: Option<String>,
}

impl GraphErrorBody {
    /// Classification of this body as received with `status`.
    #[must_use]
    pub fn kind(&self, status: u16) -> GraphErrorKind {
        GraphErrorKind::classify(status, &self.code)
    }

    /// `innerError.date`, when it parses.
    #[must_use]
    pub fn date(&self) -> Option<Timestamp> {
        self.inner_error
            .as_ref()
            .and_then(|inner| inner.date.as_deref())
            .and_then(|text| parse_timestamp(text).ok().flatten())
    }

    /// `innerError.request-id`.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.inner_error
            .as_ref()
            .and_then(|inner| inner.request_id.as_deref())
    }
}
