//! Integration tests: every test starts the emulator in-process on 127.0.0.1 port 0 and talks to it over HTTP.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail loudly on purpose"
)]

mod batch;
mod delta;
mod faults;
mod generation;
mod groups;
mod helpers;
mod identity;
mod paging;
mod permissions;
mod snapshots_ok;
mod tenant;
mod throttling;
mod users;
