//! What a technician types into the connect wizard and the organization form, parsed once.

use crate::text::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

fn err(m: impl Into<String>) -> FieldError {
    FieldError { message: m.into() }
}

/// Whether `s` has the 8-4-4-4-12 hexadecimal shape of a GUID.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A domain name as typed (any case, Unicode or already ASCII, a trailing dot) in the one form
/// Roster stores and compares: lower-case ASCII, internationalized labels as their `xn--` form
/// (IDNA), so `Bücher.de` and `xn--bcher-kva.de` are the same domain everywhere.
pub fn normalize_domain(input: &str) -> Option<String> {
    let s = input.trim().trim_end_matches('.');
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let ascii = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(s).ok()?
    };
    is_domain(&ascii).then_some(ascii)
}

/// A stored domain as people read it: internationalized labels shown in their own script
/// (`xn--bcher-kva.de` → `bücher.de`); anything that does not decode stays as stored.
pub fn display_domain(stored: &str) -> String {
    if !stored.split('.').any(|l| l.starts_with("xn--")) {
        return stored.to_owned();
    }
    match idna::domain_to_unicode(stored) {
        (unicode, Ok(())) => unicode,
        _ => stored.to_owned(),
    }
}

/// Whether `s` is a DNS name with at least two labels (e.g. `contoso.onmicrosoft.com`).
pub fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| {
            (tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2)
                || tld.starts_with("xn--")
        })
}

/// A tenant as typed: its GUID (Directory (tenant) ID) or one of its verified domain names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantRef(String);

impl TenantRef {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().trim_end_matches('.').to_ascii_lowercase();
        let s = normalize_domain(&s).filter(|_| !is_guid(&s)).unwrap_or(s);
        if s.is_empty() {
            return Err(err(
                "Enter the Directory (tenant) ID from the app registration's Overview page, or a verified domain of the tenant.",
            ));
        }
        if matches!(s.as_str(), "common" | "organizations" | "consumers") {
            return Err(err(format!(
                "\"{s}\" is not a tenant: use the customer's own Directory (tenant) ID."
            )));
        }
        if is_guid(&s) || is_domain(&s) {
            Ok(Self(s))
        } else {
            Err(err(
                "A tenant ID is a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain like contoso.onmicrosoft.com.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_guid(&self) -> bool {
        is_guid(&self.0)
    }
}

impl fmt::Display for TenantRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TenantRef {
    type Error = FieldError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Self::parse(&v)
    }
}

impl From<TenantRef> for String {
    fn from(v: TenantRef) -> Self {
        v.0
    }
}

/// An Application (client) ID: always a GUID.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(err(
                "Enter the Application (client) ID from the app registration's Overview page.",
            ));
        }
        if is_guid(&s) {
            Ok(Self(s))
        } else {
            Err(err(
                "The Application (client) ID is a GUID like 0f3c4d5e-1a2b-4c3d-9e8f-123456789abc.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ClientId {
    type Error = FieldError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Self::parse(&v)
    }
}

impl From<ClientId> for String {
    fn from(v: ClientId) -> Self {
        v.0
    }
}

/// Checks a pasted client secret value; returns it untouched (secrets are never trimmed inside).
pub fn check_client_secret(input: &str) -> Result<&str, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(err(
            "Paste the client secret's Value (shown once, when the secret is created).",
        ));
    }
    if s.len() > 1024 {
        return Err(err(
            "That is far longer than a client secret (at most 1024 characters): paste only the secret's Value.",
        ));
    }
    if is_guid(s) {
        return Err(err(
            "This looks like the Secret ID, not the secret. Copy the Value column of the secret instead (it is shown only right after you create it).",
        ));
    }
    if s.chars().any(|c| c.is_control() || c == ' ') {
        return Err(err(
            "A client secret has no spaces or line breaks: paste only the Value.",
        ));
    }
    Ok(s)
}

/// A calendar date typed as `YYYY-MM-DD` (the secret's expiry).
pub fn parse_date(input: &str) -> Result<jiff::civil::Date, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(err(
            "Enter the date the secret expires (the Expires column in Certificates & secrets).",
        ));
    }
    s.parse::<jiff::civil::Date>()
        .map_err(|_| err("Enter the date as YYYY-MM-DD, for example 2027-06-30."))
}

/// A domain name as stored for organizations (lower case, no trailing dot).
pub fn parse_domain(input: &str) -> Result<String, FieldError> {
    let s = input.trim();
    let lower = s.to_lowercase();
    let s = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower)
        .trim_end_matches('/');
    normalize_domain(s).ok_or_else(|| {
        err(format!(
            "{:?} is not a domain name like contoso.com.",
            input.trim()
        ))
    })
}

/// A list of domains separated by commas, spaces or new lines; duplicates removed, order kept.
pub fn parse_domains(input: &str) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for part in input.split(|c: char| c == ',' || c.is_whitespace() || c == ';') {
        if part.trim().is_empty() {
            continue;
        }
        let d = parse_domain(part)?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    if out.len() > 50 {
        return Err(err("List at most 50 domains."));
    }
    Ok(out)
}

/// A website address, stored with its scheme (https:// is added when missing).
pub fn parse_website(input: &str) -> Result<Option<String>, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 500 {
        return Err(err("Keep the website to at most 500 characters."));
    }
    let with_scheme = if s.starts_with("http://") || s.starts_with("https://") {
        s.to_owned()
    } else {
        format!("https://{s}")
    };
    let host = with_scheme
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .map(|h| h.split(':').next().unwrap_or(h))
        .unwrap_or_default();
    if normalize_domain(host).is_some() {
        Ok(Some(with_scheme))
    } else {
        Err(err("Enter a website like https://contoso.com."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internationalized_domains_are_one_name_in_any_spelling() {
        for typed in [
            "bücher.de",
            "BÜCHER.DE.",
            "xn--bcher-kva.de",
            "https://Bücher.de/",
        ] {
            assert_eq!(parse_domain(typed).unwrap(), "xn--bcher-kva.de", "{typed}");
        }
        assert_eq!(display_domain("xn--bcher-kva.de"), "bücher.de");
        assert_eq!(display_domain("contoso.com"), "contoso.com");
        assert_eq!(
            normalize_domain("пример.рф").as_deref(),
            Some("xn--e1afmkfd.xn--p1ai")
        );
        assert!(parse_website("https://bücher.de/shop").is_ok());
        assert!(parse_domain("bü cher.de").is_err());
        assert!(parse_domain("-bad.de").is_err());
        let e = crate::text::Email::parse("Olive@Bücher.de").unwrap();
        assert_eq!(e.as_str(), "olive@xn--bcher-kva.de");
        assert_eq!(
            crate::text::Email::parse("olive@xn--bcher-kva.de").unwrap(),
            e
        );
        assert!(TenantRef::parse("bücher.onmicrosoft.com").is_ok());
    }

    #[test]
    fn tenant_ids_are_guids_or_domains() {
        assert!(
            TenantRef::parse("72F988BF-86F1-41AF-91AB-2D7CD011DB47")
                .unwrap()
                .is_guid()
        );
        assert_eq!(
            TenantRef::parse(" Contoso.OnMicrosoft.com ")
                .unwrap()
                .as_str(),
            "contoso.onmicrosoft.com"
        );
        for bad in [
            "",
            "common",
            "72f988bf-86f1-41af-91ab",
            "contoso",
            "not a tenant",
            "a..b.com",
        ] {
            assert!(TenantRef::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn client_ids_must_be_guids() {
        assert!(ClientId::parse("0f3c4d5e-1a2b-4c3d-9e8f-123456789abc").is_ok());
        assert!(ClientId::parse("contoso.com").is_err());
        assert!(ClientId::parse("").is_err());
    }

    #[test]
    fn a_guid_shaped_secret_is_called_out_as_the_secret_id() {
        let e = check_client_secret("0f3c4d5e-1a2b-4c3d-9e8f-123456789abc").unwrap_err();
        assert!(e.message.contains("Secret ID"));
        assert!(check_client_secret("Abc8Q~xyzXYZ0123456789.abcdefghijklmn_o").is_ok());
        assert!(check_client_secret("").is_err());
        assert!(check_client_secret(&"x".repeat(1025)).is_err());
        assert!(check_client_secret("two words").is_err());
    }

    #[test]
    fn dates_domains_and_websites_are_parsed() {
        assert_eq!(parse_date("2027-06-30").unwrap().to_string(), "2027-06-30");
        assert!(parse_date("30/06/2027").is_err());
        assert!(parse_date("2027-02-30").is_err());
        assert_eq!(
            parse_domains("Contoso.com, fabrikam.co.uk\ncontoso.com").unwrap(),
            vec!["contoso.com", "fabrikam.co.uk"]
        );
        assert!(parse_domains("contoso").is_err());
        assert_eq!(
            parse_website("contoso.com").unwrap().as_deref(),
            Some("https://contoso.com")
        );
        assert_eq!(parse_website("").unwrap(), None);
        assert!(parse_website("javascript:alert(1)").is_err());
    }
}

/// Where a tenant connection stands after its last check (stored as `never`, `ok`, `failing`,
/// which the database's CHECK constraint also allows and nothing else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionStatus {
    /// Saved but never checked.
    Never,
    /// The last check passed.
    Ok,
    /// The last check failed.
    Failing,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Ok => "ok",
            Self::Failing => "failing",
        }
    }
}

impl std::str::FromStr for ConnectionStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "never" => Ok(Self::Never),
            "ok" => Ok(Self::Ok),
            "failing" => Ok(Self::Failing),
            other => Err(format!("unknown connection status {other:?}")),
        }
    }
}
