//! Per-tenant faults that can be switched on at run time: latency, errors, storms, broken bodies.

use serde::{Deserialize, Serialize};

/// Faults of one tenant. Everything is off by default. Faults apply to Graph requests made with a
/// token of that tenant (and to its token endpoint when `token_endpoint` is set).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Fraction (0.0–1.0) of requests answered with 503 `serviceNotAvailable`.
    pub error_rate: f64,
    /// Answer the next N requests with 429 `TooManyRequests`.
    pub storm_requests: u32,
    /// The `Retry-After` of storm answers, in seconds (default 2).
    pub storm_retry_after_seconds: Option<f64>,
    /// Fail page k (1 = the first page) of every paged listing with 503.
    pub fail_at_page: Option<u32>,
    /// Cut JSON bodies in half (the status and headers still say all is well).
    pub truncate_body: bool,
    /// Drop the connection without any answer.
    pub reset_connection: bool,
    /// Hold the request this long (milliseconds) before answering, or until the emulator stops.
    pub hang_ms: Option<u64>,
    /// Lifetime of new access tokens, in seconds (instead of the usual 3599).
    pub token_lifetime_seconds: Option<u64>,
    /// Also apply latency, errors, storms, hangs and resets to this tenant's token endpoint.
    pub token_endpoint: bool,
}

impl Faults {
    /// Whether any request-level fault is on.
    #[must_use]
    pub fn any_request_fault(&self) -> bool {
        self.latency_ms > 0
            || self.error_rate > 0.0
            || self.storm_requests > 0
            || self.truncate_body
            || self.reset_connection
            || self.hang_ms.is_some()
    }
}
