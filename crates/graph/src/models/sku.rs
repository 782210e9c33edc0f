//! `subscribedSku` objects: the licences a tenant has bought and how many are assigned.

use serde::Deserialize;

/// A licence product the tenant subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscribedSku {
    /// `{tenantId}_{skuId}`; not the SKU ID.
    pub id: String,
    /// The SKU's GUID (matches `assignedLicenses[].skuId`).
    pub sku_id: String,
    /// Part number, e.g. `SPB` (Business Premium).
    pub sku_part_number: Option<String>,
    /// `User` or `Company`.
    pub applies_to: Option<String>,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`.
    pub capability_status: Option<String>,
    /// Assigned seats.
    pub consumed_units: i64,
    /// Purchased seats by state.
    pub prepaid_units: PrepaidUnits,
    /// Service plans in the SKU.
    pub service_plans: Vec<ServicePlan>,
    /// Billing account ID.
    pub account_id: Option<String>,
    /// Billing account name.
    pub account_name: Option<String>,
    /// Commerce subscription IDs.
    pub subscription_ids: Vec<String>,
}

/// Seat counts by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrepaidUnits {
    /// Active, assignable seats.
    pub enabled: i64,
    /// Suspended seats.
    pub suspended: i64,
    /// Seats in the warning (grace) state.
    pub warning: i64,
    /// Locked-out seats.
    pub locked_out: i64,
}

/// A service plan inside a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePlan {
    /// Plan GUID.
    pub service_plan_id: String,
    /// Plan name, e.g. `AAD_PREMIUM`.
    pub service_plan_name: Option<String>,
    /// `Success`, `Disabled`, `PendingInput`, ...
    pub provisioning_status: Option<String>,
    /// `User` or `Company`.
    pub applies_to: Option<String>,
}

/// Service plan ID of Entra ID P1 (inside Business Premium, M365 E3/E5 and standalone).
pub const ENTRA_P1_SERVICE_PLAN: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
/// Service plan ID of Entra ID P2.
pub const ENTRA_P2_SERVICE_PLAN: &str = "eec0eb4f-6444-4f95-aba0-50c24d67f998";

impl SubscribedSku {
    /// Purchased minus assigned. Negative while seats are suspended or in warning.
    #[must_use]
    pub fn available_units(&self) -> i64 {
        self.prepaid_units.enabled - self.consumed_units
    }

    /// True when the SKU contains the Entra ID P1 or P2 service plan.
    #[must_use]
    pub fn includes_entra_premium(&self) -> bool {
        self.service_plans.iter().any(|plan| {
            plan.service_plan_id
                .eq_ignore_ascii_case(ENTRA_P1_SERVICE_PLAN)
                || plan
                    .service_plan_id
                    .eq_ignore_ascii_case(ENTRA_P2_SERVICE_PLAN)
        })
    }
}
