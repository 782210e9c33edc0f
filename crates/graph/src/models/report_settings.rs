//! `/admin/reportSettings`: whether usage reports conceal user names.

use serde::{Deserialize, Deserializer};

/// Tenant-wide report settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportSettings {
    /// `true` when usage reports show hashed names instead of user principal names.
    pub display_concealed_names: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Inner {
    display_concealed_names: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Shape {
    /// The documented example wraps the entity in `value`.
    Wrapped { value: Inner },
    /// The usual single-entity shape.
    Plain(Inner),
}

impl<'de> Deserialize<'de> for ReportSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let inner = match Shape::deserialize(deserializer)? {
            Shape::Wrapped { value } | Shape::Plain(value) => value,
        };
        Ok(Self {
            display_concealed_names: inner.display_concealed_names,
        })
    }
}
