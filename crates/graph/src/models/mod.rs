//! Typed models of the Graph resources Roster reads.

pub mod delta;
pub mod device;
pub mod gdap;
pub mod group;
pub mod organization;
pub mod registration;
pub mod report_settings;
pub mod secure_score;
pub mod sku;
pub mod user;

pub use delta::{DeltaItem, RemovedReason};
pub use device::ManagedDevice;
pub use gdap::DelegatedAdminCustomer;
pub use group::{Device, DirectoryObject, Group};
pub use organization::{AssignedPlan, Organization, VerifiedDomain};
pub use registration::UserRegistrationDetails;
pub use report_settings::ReportSettings;
pub use secure_score::{AverageComparativeScore, ControlScore, SecureScore, VendorInformation};
pub use sku::{PrepaidUnits, ServicePlan, SubscribedSku};
pub use user::{AssignedLicense, ProxyAddress, ProxyKind, SignInActivity, User, UserOverview};
