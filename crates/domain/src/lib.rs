#![doc = include_str!("../README.md")]

pub mod ids;
pub mod import;
pub mod matching;
pub mod role;
pub mod tenant;
pub mod text;

pub use ids::{
    ConnectionId, ContactId, DraftId, MemberId, OrganizationId, SnapshotId, SyncRunId, TypedId,
    UserId, WorkspaceId,
};
pub use role::{Permission, Role};
pub use text::{
    Email, FieldError, OrganizationName, Password, PersonName, WorkspaceName, plain_name,
};
