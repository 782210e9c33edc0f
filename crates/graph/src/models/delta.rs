//! Items of `/users/delta`: changed users and `@removed` entries.

use serde::{Deserialize, Deserializer};

use crate::models::user::User;

/// Why a user left the result set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovedReason {
    /// `changed`: soft-deleted, can be restored within 30 days.
    Changed,
    /// `deleted`: permanently deleted.
    Deleted,
    /// A reason this client does not know, as sent.
    Other(String),
}

/// One entry of a delta page.
#[derive(Debug, Clone, PartialEq)]
pub enum DeltaItem {
    /// A user that was created, restored or changed. With `Prefer: return=minimal` only changed
    /// properties are present (absent = unchanged, `null` = cleared).
    Upsert(Box<User>),
    /// A user that was removed; only the id is known.
    Removed {
        /// Object ID.
        id: String,
        /// Soft or hard delete.
        reason: RemovedReason,
    },
}

impl DeltaItem {
    /// The object ID, when known.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Upsert(user) => user.id.as_deref(),
            Self::Removed { id, .. } => Some(id),
        }
    }
}

#[derive(Deserialize)]
struct RemovedAnnotation {
    #[serde(default)]
    reason: Option<String>,
}

impl<'de> Deserialize<'de> for DeltaItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        if let Some(removed) = object.remove("@removed") {
            let annotation: RemovedAnnotation =
                serde_json::from_value(removed).map_err(serde::de::Error::custom)?;
            let id = object
                .get("id")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| serde::de::Error::custom("an @removed entry without id"))?
                .to_owned();
            let reason = match annotation.reason.as_deref() {
                Some("changed") => RemovedReason::Changed,
                Some("deleted") => RemovedReason::Deleted,
                Some(other) => RemovedReason::Other(other.to_owned()),
                None => RemovedReason::Other(String::new()),
            };
            return Ok(Self::Removed { id, reason });
        }
        let user: User = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(serde::de::Error::custom)?;
        Ok(Self::Upsert(Box::new(user)))
    }
}
