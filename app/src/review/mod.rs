//! Review: tenants waiting for an organization (with suggestions), and users a sync left for a
//! person to decide (the contact review queue).

pub mod api;
mod tenants;

pub use tenants::{HistoryOf, TenantReviewPage, match_history, review_tabs};

use leptos::prelude::*;
use roster_domain::Permission;

use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::CsrfField;
use crate::shell::list::{DataTable, EmptyState};
use crate::shell::load::for_member;

#[component]
pub fn ContactReviewPage() -> impl IntoView {
    view! {
        <Layout title="Review".into()>
            {for_member(|p, state| async move {
                let can_decide = p.role().allows(Permission::Operate);
                let tabs = review_tabs(&state, &p, "contacts").await;
                let content = match state.services.contact_review(&p).await {
                    Ok(items) if items.is_empty() => view! {
                        <EmptyState>
                            <p>"Users a sync could not match to a contact with certainty, and new users of tenants whose policy is to review them, wait here for a decision."</p>
                            <p>"Nothing to review."</p>
                        </EmptyState>
                    }
                    .into_any(),
                    Ok(items) => {
                        let count = items.len();
                        let rows = items
                            .into_iter()
                            .enumerate()
                            .map(|(n, i)| {
                                let tick = can_decide.then(|| {
                                    let label = format!("Select {}", i.display_name);
                                    view! {
                                        <input type="checkbox" form="bulk-review" name=format!("pick[{n}]")
                                            value=format!("{}:{}", i.connection, i.object_id)
                                            checked=i.preselected aria-label=label />
                                    }
                                });
                                let who = [i.email.clone(), i.upn.clone()]
                                    .into_iter()
                                    .flatten()
                                    .next()
                                    .unwrap_or_default();
                                let actions = can_decide.then(|| {
                                    let link = (!i.candidates.is_empty()).then(|| {
                                        let options = i
                                            .candidates
                                            .iter()
                                            .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
                                            .collect_view();
                                        let label = format!("Contact for {}", i.display_name);
                                        view! {
                                            <form method="post" action="/api/decide_review" class="inline">
                                                <CsrfField />
                                                <input type="hidden" name="connection_id" value=i.connection.to_string() />
                                                <input type="hidden" name="object_id" value=i.object_id.clone() />
                                                <select name="contact_id" aria-label=label>{options}</select>
                                                <button type="submit" name="decision" value="link">"Link"</button>
                                            </form>
                                        }
                                    });
                                    view! {
                                        {link}
                                        <form method="post" action="/api/decide_review" class="inline">
                                            <CsrfField />
                                            <input type="hidden" name="connection_id" value=i.connection.to_string() />
                                            <input type="hidden" name="object_id" value=i.object_id.clone() />
                                            <button type="submit" name="decision" value="create" class="secondary">"Create contact"</button>
                                            <button type="submit" name="decision" value="ignore" class="secondary">"Ignore"</button>
                                        </form>
                                    }
                                });
                                view! {
                                    <tr>
                                        <td>{tick}</td>
                                        <td>{i.display_name.clone()}<br /><small class="muted">{who}</small></td>
                                        <td><a href=format!("/tenants/{}", i.connection)>{i.connection_title.clone()}</a></td>
                                        <td>{i.why.clone()}</td>
                                        <td>{actions}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        let bulk = can_decide.then(|| {
                            view! {
                                <form id="bulk-review" method="post" action="/api/decide_reviews" class="actions">
                                    <CsrfField />
                                    <button type="submit" name="decision" value="create">"Create contacts for the ticked users"</button>
                                    <button type="submit" name="decision" value="ignore" class="secondary">"Ignore the ticked users"</button>
                                </form>
                            }
                        });
                        view! {
                            <h2>{format!("Contacts: {count} user(s) to decide")}</h2>
                            <p class="hint">"New users not imported before start ticked."</p>
                            <DataTable headers=vec!["Pick", "User", "Tenant", "Why", "Decision"]>{rows}</DataTable>
                            {bulk}
                        }
                        .into_any()
                    }
                    Err(e) => load_error(e),
                };
                view! { {tabs} {content} }.into_any()
            })}
        </Layout>
    }
}
