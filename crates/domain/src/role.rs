//! Member roles and what each may do; the single source of the permission table.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role of a member inside one workspace, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Technician,
    Viewer,
}

/// Things a member may do. Every server function names the permission it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read any page of the workspace.
    View,
    /// Run syncs, review matches, edit organizations and contacts.
    Operate,
    /// Add, change or remove tenant credentials.
    ManageCredentials,
    /// Add members, change roles, disable members.
    ManageMembers,
    /// Change workspace settings.
    ManageSettings,
    /// Grant or take away the owner role.
    ManageOwners,
}

impl Permission {
    /// Every permission, in the order of the documentation table.
    pub const ALL: [Permission; 6] = [
        Permission::View,
        Permission::Operate,
        Permission::ManageCredentials,
        Permission::ManageMembers,
        Permission::ManageSettings,
        Permission::ManageOwners,
    ];
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Technician, Role::Viewer];

    /// Whether this role grants `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Admin => !matches!(permission, ManageOwners),
            Role::Technician => matches!(permission, View | Operate),
            Role::Viewer => matches!(permission, View),
        }
    }

    /// The stable lower-case name used in storage and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Technician => "technician",
            Role::Viewer => "viewer",
        }
    }

    /// A capitalised label for screens.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Technician => "Technician",
            Role::Viewer => "Viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the four role names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose a role: owner, admin, technician or viewer.")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "technician" => Ok(Role::Technician),
            "viewer" => Ok(Role::Viewer),
            _ => Err(UnknownRole(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_may_only_view() {
        for p in Permission::ALL {
            assert_eq!(Role::Viewer.allows(p), p == Permission::View, "{p:?}");
        }
    }

    #[test]
    fn only_an_owner_manages_owners() {
        for role in Role::ALL {
            assert_eq!(role.allows(Permission::ManageOwners), role == Role::Owner);
        }
    }

    #[test]
    fn a_technician_operates_but_cannot_touch_credentials_or_members() {
        assert!(Role::Technician.allows(Permission::Operate));
        assert!(!Role::Technician.allows(Permission::ManageCredentials));
        assert!(!Role::Technician.allows(Permission::ManageMembers));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
