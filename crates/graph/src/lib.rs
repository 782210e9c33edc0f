//! Roster's client for the Microsoft identity platform and Microsoft Graph v1.0.
#![doc = include_str!("../README.md")]

pub mod batch;
pub mod client;
pub mod config;
pub mod error;
pub mod field;
pub mod models;
pub mod paging;
pub mod permissions;
pub mod query;
pub mod reports;
pub mod skus;
pub mod testing;
pub mod time;
pub mod token;
mod transport;

pub use batch::{BatchItem, BatchRequest, BatchResponse};
pub use client::{DeltaStart, GraphClient, TenantCredentials, TenantSession};
pub use config::{
    Clock, GraphConfig, NoObserver, Observe, Profile, Random, RetryPolicy, Service, Sleep,
    SystemClock, TokioSleep,
};
pub use error::{
    Error, GraphErrorKind, GraphFailure, RequestInfo, Result, TokenErrorKind, TokenFailure,
};
pub use field::Field;
pub use paging::{DeltaRound, Page};
pub use query::ListQuery;
pub use reports::{ReportPeriod, ReportUser};
pub use token::{AccessToken, RolesClaim, TokenClaims};
