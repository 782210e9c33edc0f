//! `userRegistrationDetails`: which authentication methods each user has registered (MFA status).

use jiff::Timestamp;
use serde::Deserialize;

use crate::time::de;

/// Registration state of one user's authentication methods.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserRegistrationDetails {
    /// User object ID.
    pub id: String,
    /// User principal name.
    pub user_principal_name: Option<String>,
    /// Display name.
    pub user_display_name: Option<String>,
    /// `member` or `guest` (lower case, unlike `user.userType`).
    pub user_type: Option<String>,
    /// Holds an admin role.
    pub is_admin: Option<bool>,
    /// Has registered a strong authentication method.
    pub is_mfa_registered: Option<bool>,
    /// Registered and allowed by policy.
    pub is_mfa_capable: Option<bool>,
    /// Can sign in without a password.
    pub is_passwordless_capable: Option<bool>,
    /// Registered for self-service password reset.
    pub is_sspr_registered: Option<bool>,
    /// SSPR enabled for the user.
    pub is_sspr_enabled: Option<bool>,
    /// SSPR usable.
    pub is_sspr_capable: Option<bool>,
    /// System-preferred MFA is on.
    pub is_system_preferred_authentication_method_enabled: Option<bool>,
    /// Registered methods, e.g. `microsoftAuthenticatorPush`, `softwareOneTimePasscode`.
    pub methods_registered: Vec<String>,
    /// System-preferred methods, e.g. `push`.
    pub system_preferred_authentication_methods: Vec<String>,
    /// The user's preferred second factor; `""` (no preference) reads as `None`.
    #[serde(deserialize_with = "de::non_empty")]
    pub user_preferred_method_for_secondary_authentication: Option<String>,
    /// When the record was last updated.
    #[serde(deserialize_with = "de::optional")]
    pub last_updated_date_time: Option<Timestamp>,
}

impl UserRegistrationDetails {
    /// True for guests.
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
    }
}
