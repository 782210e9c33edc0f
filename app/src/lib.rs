#![doc = include_str!("../README.md")]
#![recursion_limit = "256"]

pub mod auth;
pub mod contacts;
pub mod context;
pub mod flash;
pub mod organizations;
mod pages;
pub mod review;
pub mod settings;
pub mod shell;
pub mod sync;
pub mod tenants;

pub use context::{AppState, DemoInfo, DemoTenant, RequestContext};
pub use flash::{FLASH_COOKIE, Flash};
pub use shell::{App, shell};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "roster_session";
/// The name of the cookie holding the CSRF token of a visitor who is not signed in.
pub const ANON_CSRF_COOKIE: &str = "roster_csrf";
