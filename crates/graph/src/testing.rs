//! Deterministic stand-ins for the clock, the sleeper and the random source, for tests of this
//! crate and of code built on it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};

use crate::config::{Clock, Random, Sleep};

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    #[must_use]
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        let step = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        *now = now.checked_add(step).unwrap_or(Timestamp::MAX);
    }

    /// Puts the clock at `at`.
    pub fn set(&self, at: Timestamp) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A sleeper that returns at once, remembers every requested delay, and moves an optional
/// [`ManualClock`] forward by that delay.
#[derive(Debug, Clone, Default)]
pub struct RecordingSleep {
    delays: Arc<Mutex<Vec<Duration>>>,
    clock: Option<ManualClock>,
}

impl RecordingSleep {
    /// A sleeper that records only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A sleeper that also advances `clock`.
    #[must_use]
    pub fn advancing(clock: ManualClock) -> Self {
        Self {
            delays: Arc::default(),
            clock: Some(clock),
        }
    }

    /// Every delay requested so far, in order.
    #[must_use]
    pub fn delays(&self) -> Vec<Duration> {
        self.delays
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Sleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.delays
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(duration);
        if let Some(clock) = &self.clock {
            clock.advance(duration);
        }
        Box::pin(std::future::ready(()))
    }
}

/// Randomness that always yields the same value.
#[derive(Debug, Clone, Copy)]
pub struct FixedRandom(pub u64);

impl FixedRandom {
    /// The fraction returned is (close to) `fraction`, clamped into `[0, 1)`.
    #[must_use]
    pub fn fraction(fraction: f64) -> Self {
        let clamped = fraction.clamp(0.0, 0.999_999_999);
        // The value is clamped into [0, 2^53) before the conversion, so nothing is lost.
        let bits = (clamped * (1u64 << 53) as f64) as u64;
        Self(bits << 11)
    }
}

impl Random for FixedRandom {
    fn next_u64(&self) -> u64 {
        self.0
    }
}
