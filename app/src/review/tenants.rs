//! The tenant review page (/review): unmatched tenants with their suggestions and the actions on
//! them, "Match to…" by search, bulk accept with a preview, matched and ignored tenants; and the
//! match history shown on tenant and organization pages.

use leptos::prelude::*;
use roster_core::matching::{
    BulkPreview, DecisionView, IgnoredTenant, MatchedTenant, SuggestionView, TenantReview,
    UnmatchedTenant,
};
use roster_core::{CoreError, Principal};
use roster_domain::{ConnectionId, Permission};

use crate::context::{AppState, fmt_time, query_text};
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::CsrfField;
use crate::shell::list::{DataTable, EmptyState};
use crate::shell::load::for_member;

/// The default score for bulk accept.
const BULK_DEFAULT: f64 = 0.9;

/// The two review lists, with how many wait in each.
pub async fn review_tabs(state: &AppState, p: &Principal, current: &str) -> impl IntoView + use<> {
    let (tenants, contacts) = state.services.review_counts(p).await.unwrap_or_default();
    let tab = |href: &'static str, key: &str, label: String| {
        let here = (key == current).then_some("page");
        view! { <a href=href aria-current=here>{label}</a> }
    };
    view! {
        <nav class="tabs" aria-label="Review lists">
            {tab("/review", "tenants", format!("Tenants ({tenants})"))}
            {tab("/review/contacts", "contacts", format!("Contacts ({contacts})"))}
        </nav>
    }
}

fn score(s: f64) -> String {
    format!("{s:.2}")
}

fn suggestion_item(
    t: &UnmatchedTenant,
    s: &SuggestionView,
    can_decide: bool,
) -> impl IntoView + use<> {
    let accept = can_decide.then(|| {
        let label = format!("Accept {} for {}", s.name, t.name);
        view! {
            <form method="post" action="/api/accept_match" class="inline">
                <CsrfField />
                <input type="hidden" name="connection_id" value=t.connection.to_string() />
                <input type="hidden" name="organization_id" value=s.organization.to_string() />
                <button type="submit" aria-label=label>"Accept"</button>
            </form>
        }
    });
    let note = s
        .undone_note
        .clone()
        .map(|n| view! { <br /><small class="warn">{n}</small> });
    view! {
        <li>
            <a href=format!("/organizations/{}", s.organization)>{s.name.clone()}</a>
            " "
            <span class="score" title="Score from 0 to 1">{score(s.score)}</span>
            " "
            {accept}
            <br />
            <small class="muted">{s.why.clone()}</small>
            {note}
        </li>
    }
}

fn unmatched_row(t: &UnmatchedTenant, can_decide: bool) -> impl IntoView + use<> {
    let suggestions = if t.suggestions.is_empty() {
        view! { <p class="muted">"No organization looks like this tenant."</p> }.into_any()
    } else {
        let items = t
            .suggestions
            .iter()
            .map(|s| suggestion_item(t, s, can_decide))
            .collect_view();
        view! { <ol class="suggestions">{items}</ol> }.into_any()
    };
    let actions = can_decide.then(|| {
        view! {
            <a class="button secondary" href=format!("/review?match={}#match", t.connection)>"Match to…"</a>
            <form method="post" action="/api/create_organization_from_tenant" class="inline">
                <CsrfField />
                <input type="hidden" name="connection_id" value=t.connection.to_string() />
                <button type="submit" class="secondary">"Create organization"</button>
            </form>
            <form method="post" action="/api/ignore_tenant" class="inline">
                <CsrfField />
                <input type="hidden" name="connection_id" value=t.connection.to_string() />
                <input type="hidden" name="ignore" value="1" />
                <button type="submit" class="secondary">"Ignore"</button>
            </form>
        }
    });
    let domains = t.domains.join(", ");
    view! {
        <tr>
            <td>
                <a href=format!("/tenants/{}", t.connection)>{t.name.clone()}</a>
                <br />
                <small class="muted">{domains}</small>
                <br />
                <small class="muted"><code>{t.tenant_id.clone()}</code></small>
            </td>
            <td>{suggestions}</td>
            <td class="actions">{actions}</td>
        </tr>
    }
}

fn matched_row(m: &MatchedTenant, can_decide: bool) -> impl IntoView + use<> {
    let actions = can_decide.then(|| {
        view! {
            <a class="button secondary" href=format!("/review?match={}#match", m.connection)>"Change"</a>
            <form method="post" action="/api/undo_match" class="inline">
                <CsrfField />
                <input type="hidden" name="connection_id" value=m.connection.to_string() />
                <button type="submit" class="secondary">"Undo match"</button>
            </form>
        }
    });
    view! {
        <tr>
            <td><a href=format!("/tenants/{}", m.connection)>{m.name.clone()}</a></td>
            <td><a href=format!("/organizations/{}", m.organization)>{m.organization_name.clone()}</a></td>
            <td>{m.how.clone()}</td>
            <td>{m.at.map(|t| fmt_time(t.as_millisecond())).unwrap_or_default()}</td>
            <td class="actions">{actions}</td>
        </tr>
    }
}

fn ignored_row(i: &IgnoredTenant, can_decide: bool) -> impl IntoView + use<> {
    let actions = can_decide.then(|| {
        view! {
            <form method="post" action="/api/ignore_tenant" class="inline">
                <CsrfField />
                <input type="hidden" name="connection_id" value=i.connection.to_string() />
                <input type="hidden" name="ignore" value="0" />
                <button type="submit" class="secondary">"Stop ignoring"</button>
            </form>
        }
    });
    view! {
        <tr>
            <td><a href=format!("/tenants/{}", i.connection)>{i.name.clone()}</a></td>
            <td>{fmt_time(i.at.as_millisecond())}</td>
            <td class="actions">{actions}</td>
        </tr>
    }
}

/// "Match to…": a search for the organization to match a tenant to, and the results.
async fn match_to(
    state: &AppState,
    p: &Principal,
    review: &TenantReview,
    connection: ConnectionId,
) -> AnyView {
    let name = review
        .unmatched
        .iter()
        .find(|t| t.connection == connection)
        .map(|t| t.name.clone())
        .or_else(|| {
            review
                .matched
                .iter()
                .find(|m| m.connection == connection)
                .map(|m| m.name.clone())
        })
        .or_else(|| {
            review
                .ignored
                .iter()
                .find(|i| i.connection == connection)
                .map(|i| i.name.clone())
        });
    let Some(name) = name else {
        return view! { <p class="error" role="alert">"This tenant is not in this workspace any more."</p> }.into_any();
    };
    let q = query_text("q").unwrap_or_default();
    let results = if q.trim().is_empty() {
        None
    } else {
        Some(state.services.organizations_for_match(p, &q).await)
    };
    let results = match results {
        None => view! { <p class="hint">"Type part of the organization's name."</p> }.into_any(),
        Some(Err(e)) => load_error(e),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p>"No organization's name contains “" {q.clone()} "”."</p> }.into_any()
        }
        Some(Ok(list)) => {
            let items = list
                .into_iter()
                .map(|(id, org, taken)| {
                    let button = if taken {
                        view! { <span class="muted">" (already has a tenant)"</span> }.into_any()
                    } else {
                        view! {
                            <form method="post" action="/api/match_tenant" class="inline">
                                <CsrfField />
                                <input type="hidden" name="connection_id" value=connection.to_string() />
                                <input type="hidden" name="organization_id" value=id.to_string() />
                                <button type="submit">"Match"</button>
                            </form>
                        }
                        .into_any()
                    };
                    view! { <li><a href=format!("/organizations/{id}")>{org}</a> " " {button}</li> }
                })
                .collect_view();
            view! { <ul class="results">{items}</ul> }.into_any()
        }
    };
    view! {
        <section id="match" class="panel">
            <h2>{format!("Match {name} to an organization")}</h2>
            <form method="get" action="/review#match" role="search">
                <input type="hidden" name="match" value=connection.to_string() />
                <label for="match-q">"Organization name"</label>
                <input id="match-q" name="q" type="search" value=q.clone() autofocus />
                <button type="submit">"Search"</button>
                " "
                <a href="/review">"Cancel"</a>
            </form>
            {results}
        </section>
    }
    .into_any()
}

fn bulk_preview(preview: BulkPreview, min: f64) -> impl IntoView {
    let count = preview.picks.len();
    let contested = (!preview.contested.is_empty()).then(|| {
        let items = preview
            .contested
            .iter()
            .map(|(t, o)| view! { <li>{format!("{t} → {o}")}</li> })
            .collect_view();
        view! {
            <p>"Left for you, because another tenant's best suggestion is the same organization:"</p>
            <ul>{items}</ul>
        }
    });
    let body = if count == 0 {
        view! { <p>{format!("No unmatched tenant has a suggestion scoring {} or more.", score(min))}</p> }.into_any()
    } else {
        let rows = preview
            .picks
            .iter()
            .map(|p| {
                view! {
                    <tr>
                        <td>{p.tenant_name.clone()}</td>
                        <td>{p.organization_name.clone()}</td>
                        <td>{score(p.score)}</td>
                        <td><small>{p.why.clone()}</small></td>
                    </tr>
                }
            })
            .collect_view();
        let hidden = preview
            .picks
            .iter()
            .map(|p| view! { <input type="hidden" name="pick[]" value=format!("{}:{}", p.connection, p.organization) /> })
            .collect_view();
        view! {
            <DataTable headers=vec!["Tenant", "Organization", "Score", "Why"]>{rows}</DataTable>
            <form method="post" action="/api/bulk_accept" class="actions">
                <CsrfField />
                <input type="hidden" name="min_score" value=score(min) />
                {hidden}
                <button type="submit">{if count == 1 { "Accept this match".to_owned() } else { format!("Accept these {count} matches") }}</button>
                " "
                <a href="/review">"Cancel"</a>
            </form>
        }
        .into_any()
    };
    view! {
        <section id="bulk" class="panel">
            <h2>{format!("Bulk accept: best suggestions scoring {} or more", score(min))}</h2>
            {body}
            {contested}
        </section>
    }
}

#[component]
pub fn TenantReviewPage() -> impl IntoView {
    view! {
        <Layout title="Review".into()>
            {for_member(|p, state| async move {
                let can_decide = p.role().allows(Permission::Operate);
                let tabs = review_tabs(&state, &p, "tenants").await;
                let review = match state.services.tenant_review(&p).await {
                    Ok(r) => r,
                    Err(e) => return view! { {tabs} {load_error(e)} }.into_any(),
                };
                let matching = match query_text("match").and_then(|m| m.trim().parse::<ConnectionId>().ok()) {
                    Some(c) if can_decide => Some(match_to(&state, &p, &review, c).await),
                    _ => None,
                };
                let bulk_min = query_text("bulk").map(|b| b.trim().parse::<f64>());
                let shown_min = match &bulk_min {
                    Some(Ok(m)) if (0.0..=1.0).contains(m) => *m,
                    _ => BULK_DEFAULT,
                };
                let bulk = match bulk_min {
                    Some(Ok(min)) if can_decide && (0.0..=1.0).contains(&min) => {
                        match state.services.bulk_accept_preview(&p, min).await {
                            Ok(preview) => Some(bulk_preview(preview, min).into_any()),
                            Err(e) => Some(load_error(e)),
                        }
                    }
                    Some(_) if can_decide => Some(
                        load_error(CoreError::Conflict("Give a score between 0 and 1, such as 0.90.".into())),
                    ),
                    _ => None,
                };
                let unmatched = if review.unmatched.is_empty() {
                    view! {
                        <EmptyState>
                            <p>"Every connected tenant is matched to an organization or ignored. Tenants connected without an organization wait here, with the organizations that look like them."</p>
                        </EmptyState>
                    }
                    .into_any()
                } else {
                    let bulk_form = can_decide.then(|| view! {
                        <form method="get" action="/review#bulk" class="inline bulk">
                            <label for="bulk-min">"Accept every best suggestion scoring at least"</label>
                            " "
                            <input id="bulk-min" name="bulk" type="number" min="0" max="1" step="0.01" value=score(shown_min) />
                            " "
                            <button type="submit" class="secondary">"Preview"</button>
                        </form>
                    });
                    let rows = review.unmatched.iter().map(|t| unmatched_row(t, can_decide)).collect_view();
                    view! {
                        {bulk_form}
                        <DataTable headers=vec!["Tenant", "Suggested organizations (best first)", "Actions"]>{rows}</DataTable>
                    }
                    .into_any()
                };
                let matched = (!review.matched.is_empty()).then(|| {
                    let rows = review.matched.iter().map(|m| matched_row(m, can_decide)).collect_view();
                    view! {
                        <h2>{format!("Matched tenants ({})", review.matched.len())}</h2>
                        <DataTable headers=vec!["Tenant", "Organization", "How", "Since", "Actions"]>{rows}</DataTable>
                    }
                });
                let ignored = (!review.ignored.is_empty()).then(|| {
                    let rows = review.ignored.iter().map(|i| ignored_row(i, can_decide)).collect_view();
                    view! {
                        <h2>{format!("Ignored tenants ({})", review.ignored.len())}</h2>
                        <p class="hint">"Ignored tenants are neither suggested nor matched automatically, across syncs, until you stop ignoring them."</p>
                        <DataTable headers=vec!["Tenant", "Ignored since", "Actions"]>{rows}</DataTable>
                    }
                });
                view! {
                    {tabs}
                    {matching}
                    {bulk}
                    <h2>{format!("Unmatched tenants ({})", review.unmatched.len())}</h2>
                    <p class="hint">"A tenant is matched automatically only when an organization records its tenant ID or has one of its verified domains as primary domain. Otherwise the organizations that look most like it are suggested, with a score from 0 to 1 and the reasons."</p>
                    {unmatched}
                    {matched}
                    {ignored}
                }
                .into_any()
            })}
        </Layout>
    }
}

/// Whose match history is shown (the other side is named in each line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryOf {
    Tenant,
    Organization,
}

/// The match decisions about a tenant or an organization: who, when, what, the score and reasons.
pub fn match_history(history: Vec<DecisionView>, of: HistoryOf) -> impl IntoView {
    if history.is_empty() {
        return view! {
            <h2>"Tenant matching history"</h2>
            <p class="muted">"No matching decisions yet."</p>
        }
        .into_any();
    }
    let rows = history
        .into_iter()
        .map(|d| {
            let other = match of {
                HistoryOf::Tenant => d
                    .organization
                    .clone()
                    .map(|(id, name)| view! { <a href=format!("/organizations/{id}")>{name}</a> }.into_any())
                    .unwrap_or_else(|| view! { "—" }.into_any()),
                HistoryOf::Organization => {
                    view! { <a href=format!("/tenants/{}", d.connection)>{d.tenant_name.clone()}</a> }.into_any()
                }
            };
            view! {
                <tr>
                    <td>{fmt_time(d.at.as_millisecond())}</td>
                    <td>{d.actor.clone()}</td>
                    <td>{d.what.clone()}</td>
                    <td>{other}</td>
                    <td>{d.score.map(score).unwrap_or_default()}</td>
                    <td><small>{d.reasons.clone()}</small></td>
                </tr>
            }
        })
        .collect_view();
    let other = match of {
        HistoryOf::Tenant => "Organization",
        HistoryOf::Organization => "Tenant",
    };
    view! {
        <h2>"Tenant matching history"</h2>
        <DataTable headers=vec!["When", "Who", "What", other, "Score", "Reasons"]>{rows}</DataTable>
    }
    .into_any()
}
