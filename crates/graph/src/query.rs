//! Query options for collection requests (`$select`, `$filter`, `$top`, `$count`, `$search`,
//! `$orderby`) and the headers they require.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;

pub(crate) const CONSISTENCY_LEVEL: HeaderName = HeaderName::from_static("consistencylevel");

/// Largest page Graph allows for directory collections.
pub const MAX_TOP: u16 = 999;

/// Options for a collection request. Setting `count` or `search` adds the
/// `ConsistencyLevel: eventual` header Graph needs for advanced queries, and that header is sent
/// again on every following page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// `$select`: properties to return (empty = Graph's defaults).
    pub select: Vec<String>,
    /// `$filter` expression, sent as written.
    pub filter: Option<String>,
    /// `$search` expression, e.g. `"displayName:Pr"` (quotes included).
    pub search: Option<String>,
    /// `$orderby` expression.
    pub order_by: Option<String>,
    /// `$top`: page size, 1 to 999.
    pub top: Option<u16>,
    /// `$count=true`.
    pub count: bool,
    /// Send `ConsistencyLevel: eventual` even without `$count`/`$search`.
    pub eventual_consistency: bool,
}

impl ListQuery {
    /// An empty query (Graph's default properties and page size).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds properties to `$select`.
    #[must_use]
    pub fn select<I, S>(mut self, properties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.select.extend(properties.into_iter().map(Into::into));
        self
    }

    /// Sets `$filter`.
    #[must_use]
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// Sets `$search` (and therefore `ConsistencyLevel: eventual`).
    #[must_use]
    pub fn search(mut self, expression: impl Into<String>) -> Self {
        self.search = Some(expression.into());
        self
    }

    /// Sets `$orderby`.
    #[must_use]
    pub fn order_by(mut self, expression: impl Into<String>) -> Self {
        self.order_by = Some(expression.into());
        self
    }

    /// Sets `$top`.
    #[must_use]
    pub fn top(mut self, page_size: u16) -> Self {
        self.top = Some(page_size);
        self
    }

    /// Sets `$count=true` (and therefore `ConsistencyLevel: eventual`).
    #[must_use]
    pub fn count(mut self) -> Self {
        self.count = true;
        self
    }

    /// The `$select` list Roster uses for contact sync.
    #[must_use]
    pub fn contact_fields() -> Self {
        Self::new().select(CONTACT_FIELDS.iter().copied())
    }

    /// [`Self::contact_fields`] plus `signInActivity` (needs Entra ID P1/P2 and AuditLog.Read.All;
    /// Graph caps such pages at 500, so `$top` is set to that).
    #[must_use]
    pub fn contact_fields_with_sign_in() -> Self {
        Self::contact_fields().select(["signInActivity"]).top(500)
    }

    pub(crate) fn needs_eventual_consistency(&self) -> bool {
        self.count || self.search.is_some() || self.eventual_consistency
    }

    /// The query string (without `?`), percent-encoded.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a `$top` outside 1–999.
    pub fn to_query_string(&self) -> Result<String, Error> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.select.is_empty() {
            pairs.push(("$select", self.select.join(",")));
        }
        if let Some(filter) = &self.filter {
            pairs.push(("$filter", filter.clone()));
        }
        if let Some(search) = &self.search {
            pairs.push(("$search", search.clone()));
        }
        if let Some(order_by) = &self.order_by {
            pairs.push(("$orderby", order_by.clone()));
        }
        if let Some(top) = self.top {
            if !(1..=MAX_TOP).contains(&top) {
                return Err(Error::InvalidInput(format!(
                    "$top must be between 1 and {MAX_TOP}, not {top}"
                )));
            }
            pairs.push(("$top", top.to_string()));
        }
        if self.count {
            pairs.push(("$count", "true".to_owned()));
        }
        Ok(pairs
            .iter()
            .map(|(name, value)| format!("{name}={}", encode_component(value)))
            .collect::<Vec<_>>()
            .join("&"))
    }

    pub(crate) fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if self.needs_eventual_consistency() {
            headers.insert(CONSISTENCY_LEVEL, HeaderValue::from_static("eventual"));
        }
        headers
    }
}

/// Properties selected for contact sync.
pub const CONTACT_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "givenName",
    "surname",
    "mail",
    "userPrincipalName",
    "proxyAddresses",
    "otherMails",
    "jobTitle",
    "department",
    "companyName",
    "mobilePhone",
    "businessPhones",
    "streetAddress",
    "city",
    "state",
    "postalCode",
    "country",
    "officeLocation",
    "accountEnabled",
    "userType",
    "assignedLicenses",
    "createdDateTime",
    "lastPasswordChangeDateTime",
    "onPremisesSyncEnabled",
];

/// Percent-encodes a query value or path segment. Unreserved characters and the OData
/// punctuation `$ ( ) , : /` stay readable; everything else (spaces, quotes, `#`, `&`, `+`,
/// `=`, non-ASCII) is encoded.
#[must_use]
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'$'
            | b'('
            | b')'
            | b','
            | b':'
            | b'/' => out.push(char::from(byte)),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
