//! Groups and the mixed directory objects returned by `/members` and `/transitiveMembers`.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

use crate::models::user::User;
use crate::time::de;

/// A group.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Group {
    /// Object ID. Missing only in some documentation examples.
    pub id: Option<String>,
    /// Name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// `["Unified"]` for Microsoft 365 groups, `["DynamicMembership"]`, or empty.
    pub group_types: Vec<String>,
    /// Primary SMTP address.
    pub mail: Option<String>,
    /// Mail-enabled.
    pub mail_enabled: Option<bool>,
    /// Mail alias.
    pub mail_nickname: Option<String>,
    /// Security-enabled.
    pub security_enabled: Option<bool>,
    /// `Private`, `Public`, `HiddenMembership`.
    pub visibility: Option<String>,
    /// Proxy addresses (`SMTP:`, `smtp:`, `SPO:`, ...).
    pub proxy_addresses: Vec<String>,
    /// Synced from on-premises AD.
    pub on_premises_sync_enabled: Option<bool>,
    /// Creation time.
    #[serde(deserialize_with = "de::optional")]
    pub created_date_time: Option<Timestamp>,
    /// Last renewal.
    #[serde(deserialize_with = "de::optional")]
    pub renewed_date_time: Option<Timestamp>,
}

/// A device directory object (as a group member).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Device {
    /// Object ID.
    pub id: Option<String>,
    /// Name.
    pub display_name: Option<String>,
    /// Device ID.
    pub device_id: Option<String>,
    /// Operating system.
    pub operating_system: Option<String>,
    /// Operating system version.
    pub operating_system_version: Option<String>,
    /// Enabled.
    pub account_enabled: Option<bool>,
}

/// A member of a group. Members of types the app may not read come back with only `id` and
/// `@odata.type` (every other property `null`), which decodes fine into the typed variants.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryObject {
    /// `#microsoft.graph.user`.
    User(Box<User>),
    /// `#microsoft.graph.group`.
    Group(Group),
    /// `#microsoft.graph.device`.
    Device(Device),
    /// Any other type (`orgContact`, `servicePrincipal`, ...) or no `@odata.type` at all.
    Other {
        /// `@odata.type` as sent, if any.
        odata_type: Option<String>,
        /// Object ID, if sent.
        id: Option<String>,
        /// Display name, if sent.
        display_name: Option<String>,
        /// The whole object.
        raw: serde_json::Map<String, serde_json::Value>,
    },
}

impl DirectoryObject {
    /// The object ID, when sent.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::User(user) => user.id.as_deref(),
            Self::Group(group) => group.id.as_deref(),
            Self::Device(device) => device.id.as_deref(),
            Self::Other { id, .. } => id.as_deref(),
        }
    }
}

impl<'de> Deserialize<'de> for DirectoryObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let odata_type = object
            .get("@odata.type")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let value = serde_json::Value::Object(object);
        match odata_type.as_deref() {
            Some("#microsoft.graph.user") => serde_json::from_value(value)
                .map(|user| Self::User(Box::new(user)))
                .map_err(serde::de::Error::custom),
            Some("#microsoft.graph.group") => serde_json::from_value(value)
                .map(Self::Group)
                .map_err(serde::de::Error::custom),
            Some("#microsoft.graph.device") => serde_json::from_value(value)
                .map(Self::Device)
                .map_err(serde::de::Error::custom),
            _ => {
                let serde_json::Value::Object(raw) = value else {
                    return Err(serde::de::Error::custom(
                        "a directory object must be a JSON object",
                    ));
                };
                let text = |key: &str| {
                    raw.get(key)
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                };
                Ok(Self::Other {
                    id: text("id"),
                    display_name: text("displayName"),
                    odata_type,
                    raw,
                })
            }
        }
    }
}
