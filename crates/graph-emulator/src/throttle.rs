//! Throttling: a resource-unit token bucket per (application, tenant) and request windows for
//! the report APIs, with the budgets and costs Microsoft publishes.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::SizeClass;

/// Throttling settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Throttling on at all.
    pub enabled: bool,
    /// Multiplies every budget (0.01 makes throttling a hundred times tighter).
    pub budget_scale: f64,
    /// A fixed resource-unit budget per 10 seconds instead of the size-based one.
    pub ru_budget: Option<f64>,
    /// Apply the per-app-per-tenant request limits of the reporting APIs as well.
    pub report_limits: bool,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            budget_scale: 1.0,
            ru_budget: None,
            report_limits: true,
        }
    }
}

/// The request classes with their own request-count windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// `signInActivity`: 10 requests per minute.
    SignInActivity,
    /// Identity and access reports (userRegistrationDetails): 5 requests per 10 seconds.
    AccessReports,
    /// One usage report API: 14 requests per 10 minutes.
    UsageReport(u8),
    /// Intune devices: 2,000 requests per 20 seconds.
    IntuneDevices,
}

impl Window {
    fn limit(self) -> (f64, f64) {
        match self {
            Self::SignInActivity => (10.0, 60.0),
            Self::AccessReports => (5.0, 10.0),
            Self::UsageReport(_) => (14.0, 600.0),
            Self::IntuneDevices => (2000.0, 20.0),
        }
    }
}

/// The base resource-unit cost of a request and its query modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// The endpoint's base cost.
    pub base: u32,
    /// `$select` was given (−1).
    pub select: bool,
    /// `$expand` was given (+1).
    pub expand: bool,
    /// `$top` below 20 was given (−1).
    pub small_top: bool,
}

impl Cost {
    /// The cost after modifiers, never below 1.
    #[must_use]
    pub fn units(self) -> u32 {
        let mut c = i64::from(self.base);
        if self.select {
            c -= 1;
        }
        if self.expand {
            c += 1;
        }
        if self.small_top {
            c -= 1;
        }
        u32::try_from(c.max(1)).unwrap_or(1)
    }
}

/// The resource-unit budget per 10 seconds of a tenant size class.
#[must_use]
pub fn budget(class: SizeClass) -> f64 {
    match class {
        SizeClass::Small => 3500.0,
        SizeClass::Medium => 5000.0,
        SizeClass::Large => 8000.0,
    }
}

/// What the throttle decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Go ahead. `limit_percentage` is set when usage is above 80 % of the budget.
    Allowed {
        /// Resource units charged.
        units: u32,
        /// Usage as a fraction of the budget, when above 0.8.
        limit_percentage: Option<f64>,
    },
    /// Throttled; retry after this many seconds.
    Throttled {
        /// Seconds to wait.
        retry_after: f64,
        /// Resource units charged (0 for request windows).
        units: u32,
        /// Which limit was hit (`ResourceUnitLimitExceeded` or a request limit).
        information: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Timestamp,
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    start: Timestamp,
    count: f64,
}

/// Throttle state of the whole emulator.
#[derive(Debug, Default)]
pub struct Throttle {
    buckets: HashMap<(Uuid, Uuid), Bucket>,
    windows: HashMap<(Uuid, Uuid, Window), Counter>,
}

fn seconds_between(a: Timestamp, b: Timestamp) -> f64 {
    let d = b.duration_since(a);
    d.as_secs_f64().max(0.0)
}

impl Throttle {
    /// Charges `cost` to the bucket of (`app`, `tenant`).
    ///
    /// The bucket holds `budget` units and refills at `budget / 10` units per second. A request
    /// that does not fit is refused and still charged (down to minus one budget), so retrying early
    /// pushes the wait further out; `retry_after` is the time until the bucket holds the cost again.
    pub fn charge(
        &mut self,
        cfg: &ThrottleConfig,
        app: Uuid,
        tenant: Uuid,
        class: SizeClass,
        cost: Cost,
        now: Timestamp,
    ) -> Verdict {
        let units = cost.units();
        if !cfg.enabled {
            return Verdict::Allowed {
                units,
                limit_percentage: None,
            };
        }
        let capacity = (cfg.ru_budget.unwrap_or_else(|| budget(class)) * cfg.budget_scale).max(1.0);
        let rate = capacity / 10.0;
        let b = self.buckets.entry((app, tenant)).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        b.tokens = (b.tokens + seconds_between(b.at, now) * rate).min(capacity);
        b.at = now;
        let need = f64::from(units);
        if b.tokens >= need {
            b.tokens -= need;
            let used = (capacity - b.tokens) / capacity;
            Verdict::Allowed {
                units,
                limit_percentage: (used > 0.8).then_some((used * 10.0).round() / 10.0),
            }
        } else {
            b.tokens = (b.tokens - need).max(-capacity);
            let retry_after = ((need - b.tokens) / rate * 1000.0).ceil() / 1000.0;
            Verdict::Throttled {
                retry_after,
                units,
                information: "ResourceUnitLimitExceeded",
            }
        }
    }

    /// Counts one request in a fixed request window of (`app`, `tenant`, `window`).
    pub fn count(
        &mut self,
        cfg: &ThrottleConfig,
        app: Uuid,
        tenant: Uuid,
        window: Window,
        now: Timestamp,
    ) -> Verdict {
        if !cfg.enabled || !cfg.report_limits {
            return Verdict::Allowed {
                units: 0,
                limit_percentage: None,
            };
        }
        let (limit, secs) = window.limit();
        let limit = (limit * cfg.budget_scale).ceil().max(1.0);
        let c = self
            .windows
            .entry((app, tenant, window))
            .or_insert(Counter {
                start: now,
                count: 0.0,
            });
        let elapsed = seconds_between(c.start, now);
        if elapsed >= secs {
            *c = Counter {
                start: now,
                count: 0.0,
            };
        }
        if c.count < limit {
            c.count += 1.0;
            Verdict::Allowed {
                units: 0,
                limit_percentage: None,
            }
        } else {
            let retry_after = ((secs - seconds_between(c.start, now)) * 1000.0).ceil() / 1000.0;
            Verdict::Throttled {
                retry_after: retry_after.max(0.001),
                units: 0,
                information: "RequestLimitExceeded",
            }
        }
    }

    /// Forgets every bucket and window.
    pub fn reset(&mut self) {
        self.buckets.clear();
        self.windows.clear();
    }
}
