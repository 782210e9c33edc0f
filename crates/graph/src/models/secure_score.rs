//! Secure Score history entries from `/security/secureScores`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

use crate::time::de;

/// The tenant's Secure Score on one day.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecureScore {
    /// `{tenantId}_{yyyy-mm-dd}`.
    pub id: String,
    /// Tenant ID (not always a valid GUID in the docs).
    pub azure_tenant_id: Option<String>,
    /// When the score was computed.
    #[serde(deserialize_with = "de::optional")]
    pub created_date_time: Option<Timestamp>,
    /// Points achieved.
    #[serde(deserialize_with = "lenient_f64")]
    pub current_score: Option<f64>,
    /// Points possible.
    #[serde(deserialize_with = "lenient_f64")]
    pub max_score: Option<f64>,
    /// Active users.
    pub active_user_count: Option<i64>,
    /// Licensed users.
    pub licensed_user_count: Option<i64>,
    /// Services present, e.g. `HasExchange`.
    pub enabled_services: Vec<String>,
    /// Comparisons with other tenants.
    pub average_comparative_scores: Vec<AverageComparativeScore>,
    /// Per-control scores.
    pub control_scores: Vec<ControlScore>,
    /// Provider information.
    pub vendor_information: Option<VendorInformation>,
}

impl SecureScore {
    /// `current / max * 100`, when both are known and `max` is positive.
    #[must_use]
    pub fn percentage(&self) -> Option<f64> {
        match (self.current_score, self.max_score) {
            (Some(current), Some(max)) if max > 0.0 => Some(current / max * 100.0),
            _ => None,
        }
    }
}

/// Average score of a comparison group.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AverageComparativeScore {
    /// `AllTenants`, `TotalSeats`, `IndustryTypes`.
    pub basis: Option<String>,
    /// Average score.
    #[serde(deserialize_with = "lenient_f64")]
    pub average_score: Option<f64>,
}

/// Score of one security control. Real responses carry undocumented extras, some typed as
/// strings; they are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlScore {
    /// `Identity`, `Data`, `Device`, `Apps`, `Infrastructure`.
    pub control_category: Option<String>,
    /// Control name, e.g. `AdminMFA`.
    pub control_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Points (number, or a numeric string).
    #[serde(deserialize_with = "lenient_f64")]
    pub score: Option<f64>,
    /// Undocumented properties as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Who produced the score.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VendorInformation {
    /// `SecureScore`.
    pub provider: Option<String>,
    /// Provider version.
    pub provider_version: Option<String>,
    /// Sub-provider.
    pub sub_provider: Option<String>,
    /// `Microsoft`.
    pub vendor: Option<String>,
}

/// A number that may arrive as a JSON number, a numeric string, `null`, or `""`.
fn lenient_f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        Number(f64),
        Text(String),
    }
    match Option::<Lenient>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Lenient::Number(n)) => Ok(Some(n)),
        Some(Lenient::Text(text)) if text.trim().is_empty() => Ok(None),
        Some(Lenient::Text(text)) => text
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a number"))),
    }
}
