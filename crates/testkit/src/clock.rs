//! One time source per test: a manual clock that Roster (its use-cases and its Graph client) and
//! the emulated Microsoft cloud all read, so they agree on "now" and a test moves them together.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};

/// The instant every test starts at unless it asks for another. Tests never read the wall
/// clock, so the suite gives the same result on any day.
pub const TEST_START: &str = "2026-11-01T09:00:00Z";

/// A clock that moves only when the test moves it; clones share the same time.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<Mutex<Timestamp>>);

impl TestClock {
    /// A clock standing at [`TEST_START`].
    #[must_use]
    pub fn new() -> Self {
        Self::at(TEST_START.parse().unwrap_or(Timestamp::UNIX_EPOCH))
    }

    /// A clock standing at `start`.
    #[must_use]
    pub fn at(start: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// The current test time.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock by `by` (backwards when negative).
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.saturating_add(by).unwrap_or(*now);
    }

    /// The civil date `days` after today (UTC) on this clock, as `YYYY-MM-DD` (for date fields).
    #[must_use]
    pub fn date_in(&self, days: i32) -> String {
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        today
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(today)
            .to_string()
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

impl roster_graph::Clock for TestClock {
    fn now(&self) -> Timestamp {
        TestClock::now(self)
    }
}

impl roster_graph_emulator::Clock for TestClock {
    fn now(&self) -> Timestamp {
        TestClock::now(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_time_and_both_traits_read_it() {
        let clock = TestClock::new();
        let roster: &dyn roster_graph::Clock = &clock;
        let emulated: &dyn roster_graph_emulator::Clock = &clock.clone();
        clock.advance(SignedDuration::from_hours(25));
        let expected: Timestamp = "2026-11-02T10:00:00Z".parse().unwrap();
        assert_eq!(roster.now(), expected);
        assert_eq!(emulated.now(), expected);
        assert_eq!(clock.date_in(30), "2026-12-02");
    }
}
