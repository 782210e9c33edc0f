//! Integration tests of `roster-graph`: decoding of fixture files that reproduce Microsoft's
//! documented and observed shapes, pure helpers, and behaviour over real HTTP: against a small
//! scripted in-process server (`wire`) and against the Microsoft cloud emulator (`emulator`).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions panic on unexpected failures too"
)]

mod catalogues;
mod dates;
mod decode;
mod emulator;
mod errors;
mod reports;
mod support;
mod token;
mod wire;
