//! API tests: the real server on port 0 with a fresh database, driven over HTTP like a browser without JavaScript.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

mod auth;
mod cli;
mod helpers;
mod imports;
mod isolation;
mod matching;
mod members;
mod ops;
mod organizations;
mod proxies;
mod sync;
mod tenants;
