//! Client configuration: base URLs, timeouts, the retry policy, and the clock, sleeper and random
//! source that the client uses instead of reading the system directly.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use reqwest::Url;

use crate::error::Error;

/// Default base of the Microsoft identity platform (token endpoint).
pub const DEFAULT_LOGIN_BASE: &str = "https://login.microsoftonline.com";
/// Default base of Microsoft Graph. The client appends `/v1.0` itself.
pub const DEFAULT_GRAPH_BASE: &str = "https://graph.microsoft.com";

/// A source of the current time. Roster's use-cases read the same trait (re-exported by
/// `roster-core`), so one clock drives both the client and the code that calls it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// Which of Microsoft's services an exchange went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// The identity platform's token endpoint.
    Token,
    /// Microsoft Graph.
    Graph,
}

impl Service {
    /// As a metrics label.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Graph => "graph",
        }
    }
}

/// Told about every exchange with Microsoft, retries included (an application counts them).
pub trait Observe: Send + Sync {
    /// One attempt at `service` ended with `status`, or with no answer (`None`: a timeout or a
    /// broken connection); `throttled` when Microsoft asked to slow down (429, or 503 with
    /// `Retry-After`).
    fn exchange(&self, service: Service, status: Option<u16>, throttled: bool);
}

/// Tells nobody.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl Observe for NoObserver {
    fn exchange(&self, _service: Service, _status: Option<u16>, _throttled: bool) {}
}

/// Something that can wait. The client waits only between retries.
pub trait Sleep: Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// A source of randomness, used for backoff jitter and for `client-request-id` values.
pub trait Random: Send + Sync {
    /// A uniformly distributed 64-bit value.
    fn next_u64(&self) -> u64;

    /// A uniformly distributed fraction in `[0, 1)`.
    fn fraction(&self) -> f64 {
        // 53 significant bits fit exactly into an f64 mantissa.
        let bits = self.next_u64() >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the production clock is the one place that reads the system time"
    )]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Waits with the Tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    #[expect(
        clippy::disallowed_methods,
        reason = "the production sleeper is the one place that waits on the Tokio timer"
    )]
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Randomness from the thread-local generator of the `rand` crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadRandom;

impl Random for ThreadRandom {
    fn next_u64(&self) -> u64 {
        rand::random::<u64>()
    }
}

/// When and how often a failed request is tried again.
///
/// Retried: HTTP 429, 503 and 504 (from Graph, the token endpoint and the report download host),
/// connection failures (refused, or reset before the whole answer arrived) and timeouts. A `Retry-After` header is honoured exactly; without one the
/// delay grows exponentially from `base_delay`, is capped at `max_delay`, and is spread by jitter
/// (half fixed, half random).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first one included. `1` disables retries.
    pub max_attempts: u32,
    /// Delay before the first retry when the server gave no `Retry-After`.
    pub base_delay: Duration,
    /// Upper bound of any computed backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits for itself. A longer one ends the call with the
    /// error, which carries the requested delay so a scheduler can come back later.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The backoff before retry number `retry` (1 for the first retry), using `fraction` in
    /// `[0, 1)` as the random part. Never more than `max_delay`.
    #[must_use]
    pub fn backoff(&self, retry: u32, fraction: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let half = full / 2;
        let random_part = half.mul_f64(fraction.clamp(0.0, 1.0));
        (full - half + random_part).min(self.max_delay)
    }
}

/// Everything [`crate::GraphClient`] needs besides the per-tenant credentials.
#[derive(Clone)]
pub struct GraphConfig {
    /// Base of the token endpoint, e.g. `https://login.microsoftonline.com`.
    pub login_base: Url,
    /// Base of Graph without the version, e.g. `https://graph.microsoft.com`.
    pub graph_base: Url,
    /// Scope requested from the token endpoint (`https://graph.microsoft.com/.default`). The
    /// resource identifier stays the same when `graph_base` points elsewhere.
    pub scope: String,
    /// Limit for one HTTP exchange, from connecting until the whole body has been read.
    pub timeout: Duration,
    /// When a failed request is tried again.
    pub retry: RetryPolicy,
    /// A cached token is replaced once it is this close to its expiry.
    pub token_refresh_margin: Duration,
    /// A 403 on a cached token at least this old asks for a new token (consent may have been
    /// granted since it was issued); a younger token is as current as Entra can say.
    pub token_recheck_after: Duration,
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// Source of the current time (token expiry, `Retry-After` dates).
    pub clock: Arc<dyn Clock>,
    /// Waits between retries.
    pub sleeper: Arc<dyn Sleep>,
    /// Jitter and request ids.
    pub random: Arc<dyn Random>,
    /// Told about every exchange (metrics).
    pub observer: Arc<dyn Observe>,
}

impl GraphConfig {
    /// The public Microsoft cloud with production clock, sleeper and randomness.
    ///
    /// # Errors
    /// Never in practice; the default URLs are constants that parse.
    pub fn microsoft() -> Result<Self, Error> {
        Self::with_bases(DEFAULT_LOGIN_BASE, DEFAULT_GRAPH_BASE)
    }

    /// Other base URLs (an emulator, a national cloud) with production defaults otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a base is not an absolute `http`/`https` URL.
    pub fn with_bases(login_base: &str, graph_base: &str) -> Result<Self, Error> {
        Ok(Self {
            login_base: parse_base(login_base, "login base")?,
            graph_base: parse_base(graph_base, "graph base")?,
            scope: crate::client::GRAPH_SCOPE.to_owned(),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            token_refresh_margin: Duration::from_secs(5 * 60),
            token_recheck_after: Duration::from_secs(60),
            user_agent: format!("roster-graph/{}", env!("CARGO_PKG_VERSION")),
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(TokioSleep),
            random: Arc::new(ThreadRandom),
            observer: Arc::new(NoObserver),
        })
    }
}

/// What a client is tuned for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// A person is waiting (a connection check): answers within seconds; a long throttling wait
    /// is reported rather than waited out.
    Interactive,
    /// A background sync: patient with slow pages and honours long `Retry-After` waits, since
    /// giving up means a partial listing that must not be used.
    Background,
}

impl GraphConfig {
    /// The same bases, clock, sleeper and randomness, with timeouts and retries for `profile`.
    #[must_use]
    pub fn profile(mut self, profile: Profile) -> Self {
        match profile {
            Profile::Interactive => {
                self.timeout = Duration::from_secs(20);
                self.retry.max_attempts = 3;
                self.retry.max_retry_after = Duration::from_secs(10);
            }
            Profile::Background => {
                self.timeout = Duration::from_secs(120);
                self.retry.max_attempts = 8;
                self.retry.max_delay = Duration::from_secs(60);
                self.retry.max_retry_after = Duration::from_secs(600);
            }
        }
        self
    }
}

impl fmt::Debug for GraphConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphConfig")
            .field("login_base", &self.login_base.as_str())
            .field("graph_base", &self.graph_base.as_str())
            .field("scope", &self.scope)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("token_recheck_after", &self.token_recheck_after)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

pub(crate) fn parse_base(value: &str, what: &str) -> Result<Url, Error> {
    let url = Url::parse(value)
        .map_err(|e| Error::InvalidInput(format!("{what} {value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::InvalidInput(format!(
            "{what} {value:?} must be an absolute http or https URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidInput(format!(
            "{what} {value:?} must not carry a query or fragment"
        )));
    }
    Ok(url)
}
