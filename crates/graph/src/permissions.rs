//! The application permissions Roster asks a customer to grant, what each one unlocks, and a
//! comparison with the `roles` of an issued token.

use std::fmt;

use crate::token::RolesClaim;

/// A kind of data Roster reads from a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataSource {
    /// `/users`: contact sync.
    Users,
    /// `/groups/{id}/members`: group-scoped sync.
    GroupMembers,
    /// `/organization`: tenant name and verified domains.
    Organization,
    /// `/subscribedSkus`: purchased and assigned licences.
    Licences,
    /// `/security/secureScores`.
    SecureScore,
    /// `signInActivity` on `/users` (also needs Entra ID P1/P2).
    SignInActivity,
    /// `/reports/authenticationMethods/userRegistrationDetails`: MFA status (also needs P1/P2).
    MfaRegistration,
    /// `getOffice365ActiveUserDetail` and `getMailboxUsageDetail`.
    UsageReports,
    /// `/admin/reportSettings`: whether report names are concealed.
    ReportSettings,
    /// `/deviceManagement/managedDevices` (also needs an Intune licence).
    ManagedDevices,
}

impl DataSource {
    /// Every data source.
    pub const ALL: [Self; 10] = [
        Self::Users,
        Self::GroupMembers,
        Self::Organization,
        Self::Licences,
        Self::SecureScore,
        Self::SignInActivity,
        Self::MfaRegistration,
        Self::UsageReports,
        Self::ReportSettings,
        Self::ManagedDevices,
    ];

    /// True when the tenant also needs Entra ID P1 or P2 for this source.
    #[must_use]
    pub fn needs_entra_premium(self) -> bool {
        matches!(self, Self::SignInActivity | Self::MfaRegistration)
    }

    /// The permissions this source needs (all of them).
    #[must_use]
    pub fn permissions(self) -> Vec<&'static Permission> {
        PERMISSIONS
            .iter()
            .filter(|p| p.unlocks.contains(&self))
            .collect()
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Users => "users",
            Self::GroupMembers => "group members",
            Self::Organization => "organization",
            Self::Licences => "licences",
            Self::SecureScore => "Secure Score",
            Self::SignInActivity => "sign-in activity",
            Self::MfaRegistration => "MFA registration",
            Self::UsageReports => "usage reports",
            Self::ReportSettings => "report settings",
            Self::ManagedDevices => "managed devices",
        })
    }
}

/// Whether Roster needs a permission to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// The connection is incomplete without it.
    Required,
    /// Adds a data source; the connection works without it.
    Optional,
}

/// An application permission of Microsoft Graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// The name as it appears in the token's `roles`, e.g. `User.Read.All`.
    pub name: &'static str,
    /// Required or optional.
    pub requirement: Requirement,
    /// What it unlocks.
    pub unlocks: &'static [DataSource],
    /// Broader permissions that also grant this one's access.
    pub also_granted_by: &'static [&'static str],
    /// Why Roster asks for it, in plain words.
    pub purpose: &'static str,
}

impl Permission {
    /// True when `roles` grants this permission directly or through a broader one.
    #[must_use]
    pub fn is_granted_by(&self, roles: &RolesClaim) -> bool {
        roles.contains(self.name) || self.also_granted_by.iter().any(|p| roles.contains(p))
    }
}

/// Every permission Roster asks for, required ones first.
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        name: "User.Read.All",
        requirement: Requirement::Required,
        unlocks: &[DataSource::Users, DataSource::GroupMembers],
        also_granted_by: &[
            "User.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        purpose: "Read users' profiles to keep contacts up to date.",
    },
    Permission {
        name: "GroupMember.Read.All",
        requirement: Requirement::Required,
        unlocks: &[DataSource::GroupMembers],
        also_granted_by: &[
            "Group.Read.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        purpose: "Read group memberships to limit the sync to one group.",
    },
    Permission {
        name: "Organization.Read.All",
        requirement: Requirement::Required,
        unlocks: &[DataSource::Organization, DataSource::Licences],
        also_granted_by: &[
            "Organization.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        purpose: "Read the tenant's name, domains and licences.",
    },
    Permission {
        name: "SecurityEvents.Read.All",
        requirement: Requirement::Required,
        unlocks: &[DataSource::SecureScore],
        also_granted_by: &["SecurityEvents.ReadWrite.All"],
        purpose: "Read Microsoft Secure Score.",
    },
    Permission {
        name: "AuditLog.Read.All",
        requirement: Requirement::Required,
        unlocks: &[DataSource::SignInActivity, DataSource::MfaRegistration],
        also_granted_by: &[],
        purpose: "Read last sign-in times and MFA registration (needs Entra ID P1 or P2).",
    },
    Permission {
        name: "Reports.Read.All",
        requirement: Requirement::Required,
        unlocks: &[DataSource::UsageReports],
        also_granted_by: &[],
        purpose: "Read Microsoft 365 activity and mailbox usage reports.",
    },
    Permission {
        name: "DeviceManagementManagedDevices.Read.All",
        requirement: Requirement::Optional,
        unlocks: &[DataSource::ManagedDevices],
        also_granted_by: &["DeviceManagementManagedDevices.ReadWrite.All"],
        purpose: "Read Intune-managed devices (needs an Intune licence).",
    },
    Permission {
        name: "ReportSettings.Read.All",
        requirement: Requirement::Optional,
        unlocks: &[DataSource::ReportSettings],
        also_granted_by: &["ReportSettings.ReadWrite.All"],
        purpose: "Tell whether usage reports hide user names.",
    },
];

/// The permission a partner (MSP) tenant needs to list its GDAP customers. Not part of a
/// customer connection.
pub const PARTNER_PERMISSION: &str = "DelegatedAdminRelationship.Read.All";

/// Looks a permission up by name (case-insensitive).
#[must_use]
pub fn permission(name: &str) -> Option<&'static Permission> {
    PERMISSIONS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The required permissions.
pub fn required() -> impl Iterator<Item = &'static Permission> {
    PERMISSIONS
        .iter()
        .filter(|p| p.requirement == Requirement::Required)
}

/// The optional permissions.
pub fn optional() -> impl Iterator<Item = &'static Permission> {
    PERMISSIONS
        .iter()
        .filter(|p| p.requirement == Requirement::Optional)
}

/// A token's roles compared with what Roster asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionCheck {
    /// The token had no `roles` claim: admin consent was not granted, or only delegated
    /// permissions were added.
    pub no_roles_claim: bool,
    /// Required permissions the token lacks.
    pub missing_required: Vec<&'static Permission>,
    /// Optional permissions the token lacks.
    pub missing_optional: Vec<&'static Permission>,
    /// Data sources whose permissions are all granted (licensing may still block some).
    pub available: Vec<DataSource>,
    /// Data sources blocked by a missing permission.
    pub blocked: Vec<DataSource>,
}

impl PermissionCheck {
    /// True when every required permission is granted.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        !self.no_roles_claim && self.missing_required.is_empty()
    }
}

/// Compares a token's roles with the catalogue.
#[must_use]
pub fn check(roles: &RolesClaim) -> PermissionCheck {
    let missing = |requirement: Requirement| {
        PERMISSIONS
            .iter()
            .filter(|p| p.requirement == requirement && !p.is_granted_by(roles))
            .collect::<Vec<_>>()
    };
    let (available, blocked) = DataSource::ALL
        .iter()
        .partition(|source| source.permissions().iter().all(|p| p.is_granted_by(roles)));
    PermissionCheck {
        no_roles_claim: matches!(roles, RolesClaim::Absent),
        missing_required: missing(Requirement::Required),
        missing_optional: missing(Requirement::Optional),
        available,
        blocked,
    }
}
