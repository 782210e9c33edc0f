//! [`Field`]: a property that can be absent, `null`, or set, because Graph gives each a meaning.
//!
//! On `/users`, a property you did not `$select` is absent while a selected property without a
//! value is `null`. Under `Prefer: return=minimal` on `/users/delta`, absent means "unchanged" and
//! `null` means "cleared". `Option` cannot tell those apart, so user properties use `Field`.

use serde::{Deserialize, Deserializer};

/// A JSON property that may be missing, `null`, or hold a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    /// The property was not in the object (not selected, or unchanged in a minimal delta).
    #[default]
    Absent,
    /// The property was present with `null` (selected but empty, or cleared).
    Null,
    /// The property had a value.
    Value(T),
}

impl<T> Field<T> {
    /// The value, if there is one.
    #[must_use]
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }

    /// Turns the field into an `Option`, merging absent and `null`.
    #[must_use]
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }

    /// True when the property was not sent at all.
    #[must_use]
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// True when the property was sent as `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// A borrowed view of the field.
    #[must_use]
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Self::Absent => Field::Absent,
            Self::Null => Field::Null,
            Self::Value(v) => Field::Value(v),
        }
    }
}

impl Field<String> {
    /// The value as `&str`, if there is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.value().map(String::as_str)
    }
}

impl<'de, T> Deserialize<'de> for Field<T>
where
    T: Deserialize<'de>,
{
    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
    where
        D: Deserializer<'de>,
    {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Self::Null,
            Some(value) => Self::Value(value),
        })
    }
}
