//! The clock use-cases read time from. It is the Graph client's own `Clock` trait, so one clock
//! drives Roster and its client for Microsoft; tests hand both the same manual clock
//! (`roster_testkit::TestClock`), which the emulated Microsoft cloud reads too.

pub use roster_graph::{Clock, SystemClock};
