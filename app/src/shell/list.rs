//! The pieces every list page shares: the table, the empty state, and the pager that walks a
//! keyset-paginated list with `?after=<cursor>` links (plain links, so it works without scripts).

use leptos::prelude::*;
use roster_core::{Cursor, PageRequest};

use crate::context::query_param;

/// The page of a list this request asks for: the rows after the `after` cursor in the address
/// (an unreadable cursor starts from the first page).
pub fn page_request(limit: usize) -> PageRequest {
    PageRequest::after(query_param("after").and_then(|c| Cursor::decode(&c)), limit)
}

/// A table with a header row; the body rows are its children.
#[component]
pub fn DataTable(
    /// Column headings, in order.
    headers: Vec<&'static str>,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    let heads = headers
        .into_iter()
        .map(|h| view! { <th scope="col">{h}</th> })
        .collect_view();
    view! {
        <table class=class>
            <thead><tr>{heads}</tr></thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// What a list shows when it has nothing: what the list is for, and how to fill it.
#[component]
pub fn EmptyState(children: Children) -> impl IntoView {
    view! { <section class="empty">{children()}</section> }
}

/// Links to the first and the next page of a list at `path` (nothing when there is one page).
/// `query` (already URL-encoded, without `?`) keeps the list's search and filters on both links.
#[component]
pub fn Pager(
    path: &'static str,
    next: Option<Cursor>,
    /// Whether this is the first page (then there is no "first page" link).
    first: bool,
    #[prop(optional)] query: String,
) -> impl IntoView {
    let keep = if query.is_empty() {
        String::new()
    } else {
        format!("&{query}")
    };
    let start = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    let next = next.map(|c| {
        view! { <a rel="next" href=format!("{path}?after={}{keep}", c.encode())>"Next page →"</a> }
    });
    let back = (!first).then(|| view! { <a href=start>"← First page"</a> });
    (next.is_some() || back.is_some()).then(|| {
        view! { <nav class="pager" aria-label="Pages">{back}{next}</nav> }
    })
}
