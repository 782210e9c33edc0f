//! Integration tests of `roster-graph`: decoding of fixture files that reproduce Microsoft's
//! documented and observed shapes, pure helpers, and (in `wire`) behaviour over real HTTP against
//! a small in-process server.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions panic on unexpected failures too"
)]

mod catalogues;
mod dates;
mod decode;
mod errors;
mod reports;
mod support;
mod token;
mod wire;
