//! Intune `managedDevice` objects.

use jiff::Timestamp;
use serde::Deserialize;

use crate::time::de;

/// A device managed by Intune. Only the properties Roster uses are decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedDevice {
    /// Intune device ID.
    pub id: String,
    /// Device name.
    pub device_name: Option<String>,
    /// Operating system (free text: `Windows`, `iOS`, ...).
    pub operating_system: Option<String>,
    /// Operating system version.
    pub os_version: Option<String>,
    /// `unknown`, `compliant`, `noncompliant`, `conflict`, `error`, `inGracePeriod`,
    /// `configManager`.
    pub compliance_state: Option<String>,
    /// Last check-in.
    #[serde(deserialize_with = "de::optional")]
    pub last_sync_date_time: Option<Timestamp>,
    /// Enrolment time.
    #[serde(deserialize_with = "de::optional")]
    pub enrolled_date_time: Option<Timestamp>,
    /// Primary user's UPN.
    pub user_principal_name: Option<String>,
    /// Primary user's object ID.
    pub user_id: Option<String>,
    /// Primary user's name.
    pub user_display_name: Option<String>,
    /// Primary user's e-mail.
    pub email_address: Option<String>,
    /// `unknown`, `company`, `personal`.
    pub managed_device_owner_type: Option<String>,
    /// Serial number.
    pub serial_number: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Storage encrypted.
    pub is_encrypted: Option<bool>,
    /// `mdm`, `eas`, ...
    pub management_agent: Option<String>,
    /// Entra device ID.
    #[serde(rename = "azureADDeviceId")]
    pub azure_ad_device_id: Option<String>,
    /// Total storage.
    pub total_storage_space_in_bytes: Option<i64>,
    /// Free storage.
    pub free_storage_space_in_bytes: Option<i64>,
}
