//! Tolerant parsing of the date and time strings Microsoft sends.
//!
//! Graph and the token endpoint are not consistent: resource timestamps are RFC 3339 with zero or
//! seven fractional digits and either `Z` or an offset such as `-08:00`; `innerError.date` has no
//! offset at all; the token endpoint separates date and time with a space; and "never" is written
//! as `null`, `""` or `0001-01-01T00:00:00Z`. Everything here maps those forms onto
//! `Option<Timestamp>`, where `None` means "never" / "no value".

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer};

use crate::field::Field;

/// A date or time string that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a date and time Roster understands: {reason}")]
pub struct DateParseError {
    /// The string as received.
    pub input: String,
    /// Why it was rejected.
    pub reason: String,
}

/// The instant Microsoft uses to say "never" (`0001-01-01T00:00:00Z`).
fn never_sentinel() -> Option<Timestamp> {
    Timestamp::from_second(-62_135_596_800).ok()
}

/// Parses a Graph or token-endpoint timestamp.
///
/// Accepts: `T` or a single space between date and time; 0 to any number of fractional digits
/// (digits beyond nanoseconds are dropped); `Z`, `z` or a numeric offset, or no offset at all
/// (taken as UTC, the form of `innerError.date`); a bare date (midnight UTC).
/// Returns `Ok(None)` for the empty string and for `0001-01-01T00:00:00Z`.
///
/// # Errors
/// [`DateParseError`] for anything else, e.g. the docs' placeholders (`"<date>"`).
pub fn parse_timestamp(input: &str) -> Result<Option<Timestamp>, DateParseError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let fail = |reason: &str| DateParseError {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    if trimmed.len() == 10 {
        let date: Date = trimmed
            .parse()
            .map_err(|e: jiff::Error| fail(&e.to_string()))?;
        let at = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| fail(&e.to_string()))?
            .timestamp();
        return Ok(if Some(at) == never_sentinel() {
            None
        } else {
            Some(at)
        });
    }
    let normalised =
        normalise(trimmed).ok_or_else(|| fail("not shaped like yyyy-mm-ddThh:mm:ss"))?;
    let at: Timestamp = normalised
        .parse()
        .map_err(|e: jiff::Error| fail(&e.to_string()))?;
    Ok(if Some(at) == never_sentinel() {
        None
    } else {
        Some(at)
    })
}

/// Rewrites a timestamp into a form jiff's RFC 3339 parser takes: `T` separator, at most nine
/// fractional digits, an explicit offset.
fn normalise(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    if bytes.len() < 19 || !input.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(input.len() + 1);
    out.push_str(&input[..10]);
    match bytes[10] {
        b'T' | b't' | b' ' => out.push('T'),
        _ => return None,
    }
    let rest = &input[11..];
    // hh:mm:ss
    out.push_str(rest.get(..8)?);
    let mut tail = &rest[8..];
    if let Some(after_dot) = tail.strip_prefix('.') {
        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        out.push('.');
        out.push_str(&after_dot[..digits.min(9)]);
        tail = &after_dot[digits..];
    }
    if tail.is_empty() {
        out.push('Z');
    } else {
        out.push_str(tail);
    }
    Some(out)
}

/// Parses a report date cell (`yyyy-mm-dd`). Empty means no value.
///
/// # Errors
/// [`DateParseError`] when the cell holds something else.
pub fn parse_report_date(input: &str) -> Result<Option<Date>, DateParseError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    trimmed
        .parse::<Date>()
        .map(Some)
        .map_err(|e| DateParseError {
            input: input.to_owned(),
            reason: e.to_string(),
        })
}

/// Serde helpers for timestamp fields.
pub(crate) mod de {
    use super::{Deserialize, Deserializer, Field, Timestamp, parse_timestamp};

    /// `null`, absent, `""` and the year-1 sentinel become `None`.
    pub(crate) fn optional<'de, D>(deserializer: D) -> Result<Option<Timestamp>, D::Error>
    where
        D: Deserializer<'de>,
    {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => parse_timestamp(&text).map_err(serde::de::Error::custom),
        }
    }

    /// Like [`optional`] but keeps "absent" apart: `null`, `""` and the sentinel become
    /// [`Field::Null`].
    pub(crate) fn field<'de, D>(deserializer: D) -> Result<Field<Timestamp>, D::Error>
    where
        D: Deserializer<'de>,
    {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(Field::Null),
            Some(text) => match parse_timestamp(&text).map_err(serde::de::Error::custom)? {
                None => Ok(Field::Null),
                Some(at) => Ok(Field::Value(at)),
            },
        }
    }

    /// Strings where `""` means "no value".
    pub(crate) fn non_empty<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
    where
        D: Deserializer<'de>,
    {
        Ok(Option::<String>::deserialize(deserializer)?.filter(|s| !s.is_empty()))
    }
}
