#![doc = include_str!("../README.md")]

mod accounts;
mod audit;
pub mod batch;
mod contacts;
mod db;
mod error;
mod facts;
mod imports;
mod jobs;
mod lease;
mod matching;
pub mod page;
mod scope;
mod tenants;
mod unit;

pub use accounts::{
    LoginUser, MemberRow, Membership, NewSession, PasswordLinkTarget, SessionRecord,
    SessionWorkspace, ThrottleState, WorkspaceRow,
};
pub use audit::{AuditEntry, AuditRecord};
pub use contacts::{
    ContactEventRow, ContactFilter, ContactRow, ContactSort, MfaFilter, ReviewRow, SYNCED_COLUMNS,
    SyncRunRow, fold_sort_key,
};
pub use db::{Backend, Db, redact_url};
pub use error::StoreError;
pub use facts::{FactSources, ScoreDayRow, SnapshotRow, UserFactsRow};
pub use imports::ImportDraftRow;
pub use jobs::{ClaimedRun, DueConnection, ExpiredRun};
pub use lease::Lease;
pub use matching::{
    CertainMatch, DecisionsOf, MatchDecisionRow, MatchOrganization, MatchTenant, NewMatchDecision,
};
pub use page::{Cursor, MAX_PAGE, Page, PageRequest, SortKey};
pub use scope::{Principal, WorkspaceScope};
pub use tenants::organization_name_key;
pub use tenants::{
    ClaimingOrganization, ConnectionRow, DraftFields, DraftRow, NewConnection, OrganizationFields,
    OrganizationRow, SealedRow, SealedSecret,
};
pub use unit::Unit;

/// Milliseconds since the Unix epoch, the storage form of every time.
pub fn millis(ts: jiff::Timestamp) -> i64 {
    ts.as_millisecond()
}

/// The inverse of [`millis`]; out-of-range values clamp to the epoch.
pub fn from_millis(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}
