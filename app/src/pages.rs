//! The workspace's main pages as they stand before any tenant is connected, and the 404 page.

use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::shell::Layout;

/// An empty state: what this page will hold and what to do next.
#[component]
fn Empty(
    what: &'static str,
    next: &'static str,
    #[prop(optional)] link: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <section class="empty">
            <p>{what}</p>
            <p>{next}</p>
            {link.map(|(href, label)| view! { <p><a href=href>{label}</a></p> })}
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Layout title="Dashboard".into()>
            {crate::shell::load::for_member(|p, state| async move {
                match state.services.connections(&p).await {
                    Ok(rows) if rows.is_empty() => view! {
                        <Empty
                            what="The dashboard shows every customer at a glance: tenant status, last sync, Secure Score, MFA coverage and licences."
                            next="Nothing to show yet: add your customers as organizations, then connect their Microsoft tenants."
                            link=("/tenants", "Go to Tenants")
                        />
                    }
                    .into_any(),
                    Ok(rows) => match state.services.sync_attention(&p).await {
                        Ok(sync) => attention(rows, sync).into_any(),
                        Err(e) => crate::shell::load::load_error(e),
                    },
                    Err(e) => crate::shell::load::load_error(e),
                }
            })}
        </Layout>
    }
}

/// What needs a person: failing connections and secrets that expire within 30 days.
fn attention(
    rows: Vec<roster_core::ConnectionView>,
    sync: roster_core::sync::jobs::SyncAttention,
) -> impl IntoView {
    use roster_domain::tenant::ConnectionStatus;
    let total = rows.len();
    let ok = rows
        .iter()
        .filter(|r| r.status == ConnectionStatus::Ok)
        .count();
    let mut items = Vec::new();
    for r in rows.iter().filter(|r| r.needs_attention()) {
        let name = &r.title;
        let href = format!("/tenants/{}", r.id);
        if r.status == ConnectionStatus::Failing {
            items.push((
                href.clone(),
                format!(
                    "{name}: connection failing — {}",
                    r.status_detail.clone().unwrap_or_default()
                ),
                "bad",
            ));
        }
        let (text, class) = crate::tenants::expiry_text(r.secret_expires_on.as_deref(), r.expiry);
        if !class.is_empty() {
            items.push((href, format!("{name}: client secret {text}"), class));
        }
    }
    for run in &sync.failing_twice {
        let cause = run
            .error
            .as_ref()
            .map(|e| e.cause.clone())
            .unwrap_or_default();
        items.push((
            format!("/sync-log/{}", run.id),
            format!(
                "{}: the last two syncs failed — {cause}",
                run.connection_title
            ),
            "bad",
        ));
    }
    for run in &sync.held {
        let why = if run.preview {
            "a preview waits to be applied or discarded"
        } else {
            "a sync is held until someone confirms or discards it"
        };
        items.push((
            format!("/sync-log/{}", run.id),
            format!("{}: {why}", run.connection_title),
            "warn",
        ));
    }
    if sync.to_review > 0 {
        items.push((
            "/review/contacts".to_owned(),
            format!("{} user(s) wait in Review for a decision", sync.to_review),
            "warn",
        ));
    }
    for (id, title) in &sync.never_synced {
        items.push((
            format!("/tenants/{id}"),
            format!("{title}: never synced yet"),
            "",
        ));
    }
    let list = if items.is_empty() {
        view! { <p>"Nothing needs attention."</p> }.into_any()
    } else {
        let lis = items
            .into_iter()
            .map(|(href, text, class)| view! { <li class=class><a href=href>{text}</a></li> })
            .collect_view();
        view! { <ul class="attention">{lis}</ul> }.into_any()
    };
    view! {
        <p>{connected_summary(total, ok)}</p>
        <h2>"Needs attention"</h2>
        {list}
    }
}

/// The page for an address that does not exist (answered with status 404).
#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Layout title="Page not found".into()>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <a href="/">"Go to the dashboard"</a>
            </p>
        </Layout>
    }
}

/// "3 tenants connected, all working." and its variants, in whole words.
fn connected_summary(total: usize, ok: usize) -> String {
    let tenants = if total == 1 {
        "1 tenant is connected".to_owned()
    } else {
        format!("{total} tenants are connected")
    };
    match (total, ok) {
        (0, _) => "No tenants are connected yet.".to_owned(),
        (1, 1) => format!("{tenants} and working."),
        (1, _) => format!("{tenants}; its connection is failing."),
        (t, o) if t == o => format!("{tenants}, all working."),
        (_, 0) => format!("{tenants}; none of them is working."),
        (_, o) => format!("{tenants}; {o} working."),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_dashboard_counts_in_words() {
        use super::connected_summary as s;
        assert_eq!(s(0, 0), "No tenants are connected yet.");
        assert_eq!(s(1, 1), "1 tenant is connected and working.");
        assert_eq!(s(1, 0), "1 tenant is connected; its connection is failing.");
        assert_eq!(s(3, 3), "3 tenants are connected, all working.");
        assert_eq!(s(3, 1), "3 tenants are connected; 1 working.");
        assert_eq!(s(2, 0), "2 tenants are connected; none of them is working.");
    }
}
