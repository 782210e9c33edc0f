//! The `organization` object: the tenant's name, ID and verified domains.

use jiff::Timestamp;
use serde::Deserialize;

use crate::time::de;

/// A tenant as `/organization` describes it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Organization {
    /// The tenant ID (GUID).
    pub id: String,
    /// The tenant's name.
    pub display_name: Option<String>,
    /// Verified domains.
    pub verified_domains: Vec<VerifiedDomain>,
    /// Two-letter country code.
    pub country_letter_code: Option<String>,
    /// When the tenant was created.
    #[serde(deserialize_with = "de::optional")]
    pub created_date_time: Option<Timestamp>,
    /// `AAD`, ...
    pub tenant_type: Option<String>,
    /// Partner relationship type, e.g. `ResellerPartnerDelegatedAdmin`.
    pub partner_tenant_type: Option<String>,
    /// Technical contact addresses.
    pub technical_notification_mails: Vec<String>,
    /// Whether the directory is synced from on-premises AD (`null`: never).
    pub on_premises_sync_enabled: Option<bool>,
    /// Last directory sync.
    #[serde(deserialize_with = "de::optional")]
    pub on_premises_last_sync_date_time: Option<Timestamp>,
    /// Service plans the tenant has (or had).
    pub assigned_plans: Vec<AssignedPlan>,
}

/// A verified domain of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifiedDomain {
    /// Domain name.
    pub name: String,
    /// The tenant's default domain.
    pub is_default: bool,
    /// The initial `*.onmicrosoft.com` domain.
    pub is_initial: bool,
    /// `Managed` or `Federated`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Comma-separated capabilities, e.g. `Email, OfficeCommunicationsOnline`.
    pub capabilities: Option<String>,
}

/// A service plan assigned to the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignedPlan {
    /// When it was assigned.
    #[serde(deserialize_with = "de::optional")]
    pub assigned_date_time: Option<Timestamp>,
    /// `Enabled`, `Deleted`, ...
    pub capability_status: Option<String>,
    /// Service name, e.g. `exchange`.
    pub service: Option<String>,
    /// Service plan GUID.
    pub service_plan_id: Option<String>,
}

impl Organization {
    /// The default domain, if any.
    #[must_use]
    pub fn default_domain(&self) -> Option<&str> {
        self.verified_domains
            .iter()
            .find(|d| d.is_default)
            .map(|d| d.name.as_str())
    }

    /// The initial `*.onmicrosoft.com` domain, if any.
    #[must_use]
    pub fn initial_domain(&self) -> Option<&str> {
        self.verified_domains
            .iter()
            .find(|d| d.is_initial)
            .map(|d| d.name.as_str())
    }
}
