#![doc = include_str!("../README.md")]

pub mod audit;
pub mod auth;
pub mod clock;
pub mod connections;
mod contact_import;
pub mod contacts;
pub mod crypto;
pub mod error;
pub mod facts;
pub mod housekeeping;
pub mod ids;
pub mod imports;
pub mod matching;
pub mod members;
pub mod organizations;
pub mod review;
mod secrets;
mod services;
pub mod sync;

pub use clock::{Clock, SystemClock};
pub use connections::{ConnectionView, OrganizationRef};
pub use error::{CoreError, FieldErrors};
pub use organizations::{ConnectionSummary, OrganizationView};
pub use roster_store::{
    AuditRecord, ContactFilter, ContactSort, Cursor, Db, MfaFilter, Page, PageRequest, Principal,
    WorkspaceRow,
};
pub use services::{Services, SessionPolicy};
