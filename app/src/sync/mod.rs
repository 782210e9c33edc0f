//! The sync log: every run with its outcome and counts, and a run's own page.

pub mod api;

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::contacts::RunView;
use roster_domain::{Permission, SyncRunId};

use crate::context::{app_state, fmt_time, query_param, request_context};
use crate::organizations::route_id;
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::CsrfField;
use crate::shell::list::{DataTable, EmptyState, Pager, page_request};
use crate::shell::load::for_member;

/// Runs per page of the log.
const RUNS_PER_PAGE: usize = 50;

/// Contact changes listed on a run's page.
const CHANGES_SHOWN: i64 = 500;

fn status_words(r: &RunView) -> (&'static str, &'static str) {
    match r.status.as_str() {
        "succeeded" => ("Succeeded", "ok"),
        "failed" => ("Failed", "bad"),
        "held" if r.preview => ("Preview: nothing written", "warn"),
        "held" => ("Held: waiting for a person", "warn"),
        "running" => ("Running", ""),
        "queued" => ("Waiting to run", ""),
        "discarded" => ("Discarded", "muted"),
        _ => ("Unknown", ""),
    }
}

/// A run's outcome in words.
pub fn status_label(r: &RunView) -> &'static str {
    status_words(r).0
}

/// The counts of a run in one line.
fn counts_line(r: &RunView) -> String {
    match &r.counts {
        Some(c) => {
            let n = &c.counts;
            format!(
                "{} listed · {} created · {} updated · {} unchanged · {} flagged deleted · {} reactivated · {} to review · {} conflicts",
                c.listed,
                n.created,
                n.updated,
                n.unchanged,
                n.flagged,
                n.reactivated,
                n.review,
                n.conflicts
            )
        }
        None => "—".to_owned(),
    }
}

#[component]
pub fn SyncLogPage() -> impl IntoView {
    view! {
        <Layout title="Sync log".into()>
            {for_member(|p, state| async move {
                let req = page_request(RUNS_PER_PAGE);
                let first = req.after.is_none();
                let tenant = query_param("tenant").and_then(|t| t.parse::<roster_domain::ConnectionId>().ok());
                let outcome = query_param("outcome").filter(|o| {
                    ["succeeded", "failed", "held", "discarded", "running"].contains(&o.as_str())
                });
                let filtered = tenant.is_some() || outcome.is_some();
                let tenants = state.services.connections(&p).await.unwrap_or_default();
                let mut query = Vec::new();
                if let Some(t) = tenant {
                    query.push(format!("tenant={t}"));
                }
                if let Some(o) = &outcome {
                    query.push(format!("outcome={o}"));
                }
                let tenant_options = tenants
                    .iter()
                    .map(|c| view! { <option value=c.id.to_string() selected=tenant == Some(c.id)>{c.title.clone()}</option> })
                    .collect_view();
                let outcome_option = |value: &'static str, label: &'static str| {
                    view! { <option value=value selected=outcome.as_deref() == Some(value)>{label}</option> }
                };
                let filters = view! {
                    <form method="get" action="/sync-log" class="search">
                        <label for="log-tenant">"Tenant"</label>
                        <select id="log-tenant" name="tenant">
                            <option value="">"All tenants"</option>
                            {tenant_options}
                        </select>
                        <label for="log-outcome">"Outcome"</label>
                        <select id="log-outcome" name="outcome">
                            {outcome_option("", "Any outcome")}
                            {outcome_option("succeeded", "Succeeded")}
                            {outcome_option("failed", "Failed")}
                            {outcome_option("held", "Held or preview")}
                            {outcome_option("discarded", "Discarded")}
                        </select>
                        <button type="submit">"Show"</button>
                    </form>
                };
                match state.services.sync_runs_with(&p, tenant, outcome.as_deref(), &req).await {
                    Ok(page) if page.items.is_empty() && first && filtered => view! {
                        {filters}
                        <p class="empty">"No run matches these filters."</p>
                    }
                    .into_any(),
                    Ok(page) if page.items.is_empty() && first => view! {
                        <EmptyState>
                            <p>"Every sync run is recorded here with its outcome, counts and changes."</p>
                            <p>"No syncs have run yet. Open a connected tenant and choose Sync now."</p>
                        </EmptyState>
                    }
                    .into_any(),
                    Ok(page) => {
                        let rows = page
                            .items
                            .into_iter()
                            .map(|r| {
                                let (status, class) = status_words(&r);
                                view! {
                                    <tr>
                                        <td><a href=format!("/sync-log/{}", r.id)>{fmt_time(r.queued_at.as_millisecond())}</a></td>
                                        <td><a href=format!("/tenants/{}", r.connection)>{r.connection_title.clone()}</a></td>
                                        <td>{r.requested_by.clone()}</td>
                                        <td class=class>{status}</td>
                                        <td>{counts_line(&r)}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            {filters}
                            <DataTable headers=vec!["When", "Tenant", "Started by", "Outcome", "Counts"]>{rows}</DataTable>
                            <Pager path="/sync-log" next=page.next first=first query=query.join("&") />
                        }
                        .into_any()
                    }
                    Err(e) => load_error(e),
                }
            })}
        </Layout>
    }
}

#[component]
pub fn SyncRunPage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    let id = route_id::<SyncRunId>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let cx = cx.clone();
                let state = state.clone();
                Suspend::new(async move {
                    let loaded = match (cx.principal(), &state, id) {
                        (Ok(p), Ok(s), Some(id)) => match s.services.sync_run(p, id).await {
                            Ok(r) => s
                                .services
                                .run_changes(p, id, CHANGES_SHOWN + 1)
                                .await
                                .map(|c| (p.role().allows(Permission::Operate), r, c)),
                            Err(e) => Err(e),
                        },
                        (Err(e), _, _) => Err(e),
                        (_, Err(_), _) => Err(CoreError::Internal("no state".into())),
                        (_, _, None) => Err(CoreError::NotFound),
                    };
                    match loaded {
                        Ok((can_decide, run, changes)) => run_view(run, can_decide, changes).into_any(),
                        Err(CoreError::NotFound) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(e) => view! { <Layout title="Sync run".into()>{load_error(e)}</Layout> }.into_any(),
                    }
                })
            }
        </Suspense>
    }
}

fn run_view(
    r: RunView,
    can_decide: bool,
    mut changes: Vec<(roster_domain::ContactId, String, String)>,
) -> impl IntoView {
    let more = changes.len() as i64 > CHANGES_SHOWN;
    changes.truncate(CHANGES_SHOWN as usize);
    let changes = if changes.is_empty() {
        view! { <p class="muted">"This run changed no contact."</p> }.into_any()
    } else {
        let rows = changes
            .into_iter()
            .map(|(id, name, what)| view! { <tr><td><a href=format!("/contacts/{id}")>{name}</a></td><td>{what}</td></tr> })
            .collect_view();
        let note = more.then(|| view! { <p class="hint">{format!("The first {CHANGES_SHOWN} changes are shown; each contact's page lists its own.")}</p> });
        view! { <DataTable headers=vec!["Contact", "Change"]>{rows}</DataTable> {note} }.into_any()
    };
    let (status, class) = status_words(&r);
    // While the run waits for a decision, a person may tick lines and apply just those.
    let ticks = can_decide && r.held_because.is_some();
    let run_id = r.id.to_string();
    let planned = (!r.planned.is_empty()).then(|| {
        let rows =
            r.planned
                .iter()
                .enumerate()
                .map(|(n, l)| {
                    let who = match l.contact {
                        Some(id) => view! { <a href=format!("/contacts/{id}")>{l.who.clone()}</a> }
                            .into_any(),
                        None => view! { <span>{l.who.clone()}</span> }.into_any(),
                    };
                    let tick = ticks.then(|| {
                        let id = format!("pick-{n}");
                        let label = format!("Apply: {}", l.who);
                        view! {
                            <td>{l.object_id.clone().map(|o| view! {
                                <input type="checkbox" id=id form="apply-picked" name=format!("pick[{n}]") value=o aria-label=label />
                            })}</td>
                        }
                    });
                    view! { <tr>{tick}<td>{who}</td><td>{l.what.clone()}</td></tr> }
                })
                .collect_view();
        let headers = if ticks {
            vec!["Apply", "Contact or user", "What the plan does"]
        } else {
            vec!["Contact or user", "What the plan does"]
        };
        let apply = ticks.then(|| view! {
            <form method="post" action="/api/apply_picked" id="apply-picked" class="inline">
                <CsrfField />
                <input type="hidden" name="id" value=run_id.clone() />
                <button type="submit" class="secondary">"Apply the ticked lines only"</button>
            </form>
        });
        view! {
            <h2>"Planned"</h2>
            <DataTable headers=headers>{rows}</DataTable>
            {apply}
        }
    });
    let error = r.error.clone().map(|e| {
        let id = e.request_id.map(|id| view! { <p class="hint">"Microsoft's request id: " <code>{id}</code></p> });
        view! {
            <section class="problem" role="alert">
                <p><strong>{e.cause}</strong></p>
                <p>{e.fix}</p>
                {id}
                <p class="hint">"Nothing was changed: contacts are written only from a complete listing."</p>
            </section>
        }
    });
    let id = r.id.to_string();
    let decide = (can_decide && r.held_because.is_some()).then(|| {
        view! {
            <div class="actions">
                <form method="post" action="/api/confirm_run" class="inline">
                    <CsrfField />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit">"Confirm and apply"</button>
                </form>
                <form method="post" action="/api/discard_run" class="inline">
                    <CsrfField />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="secondary">"Discard"</button>
                </form>
            </div>
        }
    });
    let held = r
        .held_because
        .clone()
        .map(|h| view! { <p class="banner warn" role="status">{h}</p> {decide} });
    let excluded = r
        .counts
        .as_ref()
        .filter(|c| !c.excluded.is_empty())
        .map(|c| {
            let items = c
                .excluded
                .iter()
                .map(|(rule, n)| view! { <li>{format!("{}: {n}", rule.label())}</li> })
                .collect_view();
            view! { <h2>"Left out by the filters"</h2><ul>{items}</ul> }
        });
    let facts = r.counts.as_ref().filter(|c| !c.facts.is_empty()).map(|c| {
        let items = c
            .facts
            .iter()
            .map(|(source, note)| {
                let (class, said) = if note.read {
                    ("ok", "read".to_owned())
                } else {
                    let id = note
                        .request_id
                        .as_deref()
                        .map(|r| format!(" (request-id {r})"))
                        .unwrap_or_default();
                    ("warn", format!("unknown: {}{id}", note.reason.clone().unwrap_or_default()))
                };
                view! { <li><strong>{source.label()}</strong>": "<span class=class>{said}</span></li> }
            })
            .collect_view();
        view! {
            <h2>"Tenant facts"</h2>
            <p class="hint">"A source that could not be read leaves its facts unknown for this run; contacts still sync, and earlier values are kept."</p>
            <ul>{items}</ul>
        }
    });
    let meanwhile = r
        .counts
        .as_ref()
        .filter(|c| c.changed_meanwhile > 0)
        .map(|c| view! {
            <p class="banner warn" role="status">{format!(
                "{} contact(s) were changed by someone while this run worked; they were left as they were, and the next sync looks at them again.",
                c.changed_meanwhile
            )}</p>
        });
    let finished = r
        .finished_at
        .map(|t| fmt_time(t.as_millisecond()))
        .unwrap_or_else(|| "—".into());
    let active = matches!(r.status.as_str(), "queued" | "running");
    let progress = active.then(|| {
        let p = r.progress.unwrap_or_default();
        let words = if r.status == "queued" {
            "Waiting for a worker to start it.".to_owned()
        } else {
            format!(
                "{}: {} page(s) fetched, {} user(s) read{}.",
                p.phase.label(),
                p.pages,
                p.users,
                if r.attempts > 1 { format!(" (attempt {})", r.attempts) } else { String::new() }
            )
        };
        view! {
            <section id="run-progress" class="banner" role="status" aria-live="polite">
                <p><strong>{if r.status == "queued" { "Queued" } else { "Running" }}</strong>" · "{words}</p>
                <p class="hint">"This page updates itself until the run is done."</p>
                <noscript><meta http-equiv="refresh" content="2" /></noscript>
            </section>
            <script src="/assets/progress.js" defer></script>
        }
    });
    view! {
        <Layout title=format!("{} of {}", if r.preview { "Preview" } else { "Sync" }, r.connection_title)>
            {progress}
            {meanwhile}
            {held}
            {error}
            <dl class="facts">
                <dt>"Tenant"</dt><dd><a href=format!("/tenants/{}", r.connection)>{r.connection_title.clone()}</a></dd>
                <dt>"Outcome"</dt><dd class=class>{status}</dd>
                <dt>"Started by"</dt><dd>{r.requested_by.clone()}</dd>
                <dt>"Queued"</dt><dd>{fmt_time(r.queued_at.as_millisecond())}</dd>
                <dt>"Finished"</dt><dd>{finished}</dd>
                <dt>"Counts"</dt><dd>{counts_line(&r)}</dd>
                <dt>"Listing"</dt><dd>{r.counts.as_ref().and_then(|c| c.listing).map(|m| m.label()).unwrap_or("—")}</dd>
            </dl>
            {excluded}
            {facts}
            {planned}
            <h2>"Changes"</h2>
            {changes}
            <p><a href="/sync-log">"All runs"</a>" · "<a href="/contacts">"Contacts"</a></p>
        </Layout>
    }
}
