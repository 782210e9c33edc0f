//! Collection pages (`value` plus `@odata.nextLink` / `@odata.deltaLink` / `@odata.count`).

use serde::Deserialize;

/// One page of a Graph collection.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    /// `@odata.context`, when sent.
    #[serde(rename = "@odata.context", default)]
    pub context: Option<String>,
    /// `@odata.count`: the total (not the page size). Only on the first page, and only when
    /// `$count=true` was sent with `ConsistencyLevel: eventual`.
    #[serde(rename = "@odata.count", default)]
    pub count: Option<u64>,
    /// Absolute URL of the next page; follow it exactly as given.
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    /// On the last page of a delta round: the link to store for the next round.
    #[serde(rename = "@odata.deltaLink", default)]
    pub delta_link: Option<String>,
    /// The items. A page may be empty and still carry a `nextLink`.
    pub value: Vec<T>,
}

/// A finished delta round: every change, and the link that starts the next round.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaRound<T> {
    /// Items from all pages, in order.
    pub items: Vec<T>,
    /// Store this and call it next time (valid for about 7 days).
    pub delta_link: String,
}
