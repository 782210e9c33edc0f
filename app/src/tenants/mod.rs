//! Tenants: the list of connections, the connect wizard, a connection's page and the rotate-secret flow.

pub mod api;
mod report;
pub mod settings;

use leptos::prelude::*;
use roster_core::connections::{DraftView, Expiry, ExpiryLevel};
use roster_core::{ConnectionView, CoreError, OrganizationView, Principal};
use roster_domain::tenant::ConnectionStatus;
use roster_domain::{ConnectionId, DraftId, OrganizationId, Permission};

use crate::context::{app_state, query_param, request_context};
use crate::organizations::route_id;
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::{CsrfField, Field, FormError};
use crate::shell::list::{DataTable, EmptyState};
use crate::shell::load::for_member;
pub use report::CheckReportView;

/// Required and optional application permissions, as the wizard lists them.
pub const REQUIRED_PERMISSIONS: [&str; 6] = [
    "User.Read.All",
    "GroupMember.Read.All",
    "Organization.Read.All",
    "SecurityEvents.Read.All",
    "AuditLog.Read.All",
    "Reports.Read.All",
];
pub const OPTIONAL_PERMISSIONS: [&str; 2] = [
    "DeviceManagementManagedDevices.Read.All",
    "ReportSettings.Read.All",
];

/// Today on the services' clock (the earliest expiry date the forms offer).
fn today() -> jiff::civil::Date {
    app_state().map(|s| s.services.today()).unwrap_or_default()
}

/// The words and class for a secret's expiry.
pub fn expiry_text(expires_on: Option<&str>, expiry: Expiry) -> (String, &'static str) {
    let date = expires_on.unwrap_or("not recorded");
    match (expiry.level, expiry.days) {
        (ExpiryLevel::Expired, _) => (format!("{date} — expired: rotate the secret now"), "bad"),
        (ExpiryLevel::Within7, Some(d)) => (format!("{date} — expires in {d} days"), "bad"),
        (ExpiryLevel::Within14, Some(d)) => (format!("{date} — expires in {d} days"), "warn"),
        (ExpiryLevel::Within30, Some(d)) => (format!("{date} — expires in {d} days"), "warn"),
        _ => (date.to_owned(), ""),
    }
}

fn status_text(row: &ConnectionView) -> String {
    match row.status {
        ConnectionStatus::Ok => "OK".to_owned(),
        ConnectionStatus::Failing => {
            format!("Failing: {}", row.status_detail.clone().unwrap_or_default())
        }
        ConnectionStatus::Never => "Never checked".to_owned(),
    }
}

fn fmt_time(at: Option<jiff::Timestamp>) -> String {
    at.map(|t| crate::context::fmt_time(t.as_millisecond()))
        .unwrap_or_else(|| "never".into())
}

#[component]
pub fn TenantsPage() -> impl IntoView {
    view! {
        <Layout title="Tenants".into()>
            {for_member(|p, state| async move {
                let connect = p.role().allows(Permission::ManageCredentials).then(|| {
                    view! { <p><a class="button" href="/tenants/connect">"Connect a tenant"</a></p> }
                });
                match state.services.connections(&p).await {
                    Ok(rows) if rows.is_empty() => view! {
                        {connect}
                        <EmptyState>
                            <p>"A tenant connection lets Roster read a customer's Microsoft Entra ID users and tenant facts."</p>
                            <p>"No tenants are connected yet. Connect one for each customer; the wizard shows the exact steps in Entra."</p>
                        </EmptyState>
                    }
                    .into_any(),
                    Ok(rows) => view! { {connect} {connections_table(rows)} }.into_any(),
                    Err(e) => load_error(e),
                }
            })}
        </Layout>
    }
}

fn connections_table(rows: Vec<ConnectionView>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|r| {
            let (expires, class) = expiry_text(r.secret_expires_on.as_deref(), r.expiry);
            let org = match &r.organization {
                Some(o) => {
                    view! { <a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a> }
                        .into_any()
                }
                None => view! { <span class="muted">"Unmatched"</span> }.into_any(),
            };
            let status_class = match r.status {
                ConnectionStatus::Ok => "ok",
                ConnectionStatus::Failing => "bad",
                ConnectionStatus::Never => "",
            };
            view! {
                <tr>
                    <td>{org}</td>
                    <td>
                        <a href=format!("/tenants/{}", r.id)>{r.title.clone()}</a>
                        <br />
                        <small class="muted">{r.tenant_id.clone()}</small>
                    </td>
                    <td class=status_class>{status_text(&r)}</td>
                    <td>{fmt_time(r.last_check_at)}</td>
                    <td class=class>{expires}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable headers=vec!["Organization", "Tenant", "Status", "Last check", "Secret expires"]>
            {body}
        </DataTable>
    }
}

/// The steps in the Entra admin center, with the exact permissions.
#[component]
fn EntraSteps() -> impl IntoView {
    let required = REQUIRED_PERMISSIONS
        .map(|p| view! { <li><code>{p}</code></li> })
        .collect_view();
    let optional = OPTIONAL_PERMISSIONS
        .map(|p| view! { <li><code>{p}</code></li> })
        .collect_view();
    view! {
        <section aria-labelledby="steps-heading" class="steps">
            <h2 id="steps-heading">"In the customer's Microsoft Entra admin center"</h2>
            <ol>
                <li>"Sign in to entra.microsoft.com as an administrator of the customer's tenant."</li>
                <li>"Go to Identity → Applications → App registrations → New registration. Name it \"Roster\", keep \"Accounts in this organizational directory only\", and register."</li>
                <li>"On the app's Overview page, copy the Application (client) ID and the Directory (tenant) ID."</li>
                <li>
                    "Open API permissions → Add a permission → Microsoft Graph → "
                    <strong>"Application permissions"</strong>
                    " (not Delegated permissions) and add:"
                    <ul>{required}</ul>
                    "Optional, for devices and report settings:"
                    <ul>{optional}</ul>
                </li>
                <li>
                    "Click " <strong>"Grant admin consent for <tenant>"</strong>
                    " and confirm. Every permission must show a green tick under Status."
                </li>
                <li>
                    "Open Certificates & secrets → New client secret. Copy the secret's "
                    <strong>"Value"</strong>
                    " right away (it is shown only once) — not the Secret ID — and note its expiry date."
                </li>
            </ol>
            <p class="hint">"A new secret can take a few minutes before Microsoft accepts it."</p>
        </section>
    }
}

fn org_options(
    orgs: &[OrganizationView],
    selected: Option<OrganizationId>,
) -> impl IntoView + use<> {
    let none_selected = selected.is_none();
    // An organization has at most one tenant: those already connected are not offered.
    let opts = orgs
        .iter()
        .filter(|o| o.connection.is_none() || selected == Some(o.id))
        .map(|o| {
            view! { <option value=o.id.to_string() selected=selected == Some(o.id)>{o.name.clone()}</option> }
        })
        .collect_view();
    view! {
        <option value="" selected=none_selected>"— Leave unmatched for now —"</option>
        {opts}
    }
}

#[component]
pub fn ConnectPage() -> impl IntoView {
    let draft_param = query_param("draft").and_then(|d| d.parse::<DraftId>().ok());
    let org_param = query_param("organization").and_then(|d| d.parse::<OrganizationId>().ok());
    view! {
        <Layout title="Connect a tenant".into()>
            {for_member(move |p, state| async move {
                if !p.role().allows(Permission::ManageCredentials) {
                    return load_error(CoreError::Forbidden);
                }
                let draft = match draft_param {
                    Some(id) => match state.services.draft(&p, id).await {
                        Ok(d) => Some(d),
                        Err(CoreError::NotFound) => None,
                        Err(e) => return load_error(e),
                    },
                    None => None,
                };
                match state.services.organizations(&p).await {
                    Ok(orgs) => wizard(&p, draft, &orgs, org_param).into_any(),
                    Err(e) => load_error(e),
                }
            })}
        </Layout>
    }
}

fn wizard(
    _p: &Principal,
    draft: Option<DraftView>,
    orgs: &[OrganizationView],
    org_param: Option<OrganizationId>,
) -> impl IntoView + use<> {
    let flash = request_context().flash;
    let selected_org = flash
        .value("connect", "organization_id")
        .and_then(|v| v.parse().ok())
        .or(draft.as_ref().and_then(|d| d.organization_id))
        .or(org_param);
    let org_error = flash
        .field_error("connect", "organization_id")
        .map(|e| view! { <p class="field-error" id="connect-organization_id-error">{e}</p> });
    let draft_id = draft.as_ref().map(|d| d.id.to_string()).unwrap_or_default();
    let has_secret = draft.is_some();
    let secret_hint = if has_secret {
        "Leave empty to keep the secret you entered (it is kept encrypted on the server and never shown again)."
    } else {
        "The secret's Value, not the Secret ID. Roster encrypts it and never shows it again."
    };
    let report = draft.as_ref().and_then(|d| d.report.clone());
    let save = report.as_ref().filter(|r| r.tenant_id.is_some()).map(|r| {
        let warn = (!r.is_ok()).then(|| view! {
            <p class="hint">"You can save now and fix the remaining problems later; the tenant page can check the connection again at any time."</p>
        });
        let matched = draft.as_ref().is_some_and(|d| d.organization_id.is_some());
        let first = if matched {
            "Saving starts the first sync at once. Or preview it first: nothing is written until you apply the preview."
        } else {
            "This tenant is not matched to an organization yet, so nothing syncs until it is; the settings are kept for then."
        };
        let preview = matched.then(|| view! {
            <button type="submit" name="then" value="preview" class="secondary">"Save and preview the first sync"</button>
        });
        view! {
            <section aria-labelledby="save-heading">
                <h2 id="save-heading">"3. What to sync, then save"</h2>
                {warn}
                <FormError form="sync" />
                <form method="post" action="/api/save_connection" novalidate>
                    <CsrfField />
                    <input type="hidden" name="draft_id" value=draft_id.clone() />
                    {crate::tenants::settings::sync_fields(
                        roster_core::sync::engine::SyncSettings::default(),
                        None,
                        true,
                    )}
                    <p class="hint">{first}</p>
                    <div class="actions">
                        <button type="submit" name="then" value="sync">"Save connection"</button>
                        {preview}
                    </div>
                </form>
            </section>
        }
    });
    let no_orgs = orgs.is_empty().then(|| view! {
        <p class="hint">"No organizations yet: " <a href="/organizations/new">"create one"</a> " first, or leave the tenant unmatched and match it later."</p>
    });
    let demo = app_state().ok().and_then(|s| s.demo).map(|d| {
        let rows = d
            .tenants
            .into_iter()
            .map(|t| view! {
                <tr>
                    <td><span class="demo-name">{t.name}</span><br /><small class="muted">{t.note}</small></td>
                    <td><code>{t.tenant_id}</code><br /><small class="muted">{t.domain}</small></td>
                    <td><code>{t.client_id}</code></td>
                    <td><code>{t.secret}</code></td>
                    <td>{t.secret_expires_on}</td>
                    <td><code>{t.next_secret}</code></td>
                    <td>{t.next_secret_expires_on}</td>
                </tr>
            })
            .collect_view();
        view! {
            <details class="demo-credentials" open>
                <summary>"Demo credentials of the emulated customer tenants"</summary>
                <p class="hint">"In the demo, Microsoft is emulated. Copy these into the form below to try each case."</p>
                <table class="compact">
                    <thead><tr>
                        <th scope="col">"Tenant"</th><th scope="col">"Tenant ID"</th><th scope="col">"Application (client) ID"</th>
                        <th scope="col">"Client secret value"</th><th scope="col">"Secret expires on"</th>
                        <th scope="col">"Second secret (to try Rotate secret)"</th><th scope="col">"It expires on"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        }
    });
    view! {
        {demo}
        <EntraSteps />
        <section aria-labelledby="details-heading">
            <h2 id="details-heading">"1. Customer and credentials"</h2>
            <FormError form="connect" />
            <form method="post" action="/api/check_connection" novalidate>
                <CsrfField />
                <input type="hidden" name="draft_id" value=draft_id.clone() />
                <div class="field">
                    <label for="connect-organization_id">"Organization"</label>
                    <select id="connect-organization_id" name="organization_id">
                        {org_options(orgs, selected_org)}
                    </select>
                    {org_error}
                    {no_orgs}
                </div>
                <Field form="connect" name="tenant" label="Tenant ID" maxlength=253 autocomplete="off"
                    hint="Directory (tenant) ID, or a verified domain such as contoso.onmicrosoft.com."
                    value=draft.as_ref().map(|d| d.tenant.clone()).unwrap_or_default() />
                <Field form="connect" name="client_id" label="Application (client) ID" maxlength=36 autocomplete="off"
                    value=draft.as_ref().map(|d| d.client_id.clone()).unwrap_or_default() />
                <Field form="connect" name="secret" label="Client secret value" kind="password" maxlength=1024
                    autocomplete="off" required=!has_secret hint=secret_hint />
                <Field form="connect" name="secret_expires_on" label="Secret expires on" kind="date" min=today().to_string()
                    value=draft.as_ref().and_then(|d| d.secret_expires_on.clone()).unwrap_or_default() />
                <button type="submit">"Check connection"</button>
            </form>
        </section>
        {report.map(|r| view! {
            <section aria-labelledby="check-heading">
                <h2 id="check-heading">"2. Connection check"</h2>
                <CheckReportView report=r />
            </section>
        })}
        {save}
    }
}

#[component]
pub fn ConnectionPage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    let id = route_id::<ConnectionId>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let cx = cx.clone();
                let state = state.clone();
                Suspend::new(async move {
                    let loaded = match (cx.principal(), &state, id) {
                        (Ok(p), Ok(s), Some(id)) => match s.services.connection(p, id).await {
                            Ok(c) => match s.services.sync_summary(p, id).await {
                                Ok(sum) => s
                                    .services
                                    .match_history(p, roster_core::matching::DecisionsOf::Connection(id))
                                    .await
                                    .map(|h| (p.clone(), c, sum, h)),
                                Err(e) => Err(e),
                            },
                            Err(e) => Err(e),
                        },
                        (Err(e), _, _) => Err(e),
                        (_, Err(_), _) => Err(CoreError::Internal("no state".into())),
                        (_, _, None) => Err(CoreError::NotFound),
                    };
                    match loaded {
                        Ok((p, row, summary, history)) => connection_view(&p, row, summary, history).into_any(),
                        Err(CoreError::NotFound) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(e) => view! { <Layout title="Tenant".into()>{load_error(e)}</Layout> }.into_any(),
                    }
                })
            }
        </Suspense>
    }
}

fn connection_view(
    p: &Principal,
    row: ConnectionView,
    summary: roster_core::sync::jobs::SyncSummary,
    history: Vec<roster_core::matching::DecisionView>,
) -> impl IntoView + use<> {
    let failing = summary.failing_twice.then(|| {
        view! { <p class="banner bad" role="alert">"The last two syncs of this tenant failed. The sync log says why and what to do."</p> }
    });
    let latest = match &summary.latest {
        Some(r) => {
            let when = r.finished_at.or(r.started_at).unwrap_or(r.queued_at);
            view! {
                <a href=format!("/sync-log/{}", r.id)>{crate::sync::status_label(r)}</a>
                {format!(" · {}", fmt_time(Some(when)))}
            }
            .into_any()
        }
        None => view! { <span>"Never synced"</span> }.into_any(),
    };
    let next = match summary.next {
        Some(t) => fmt_time(Some(t)),
        None => "—".to_owned(),
    };
    let report = row.last_check.clone();
    let (expires, class) = expiry_text(row.secret_expires_on.as_deref(), row.expiry);
    let banner = (!class.is_empty()).then(|| {
        view! { <p class=format!("banner {class}") role="status">{format!("Client secret: {expires}.")}</p> }
    });
    let org = match &row.organization {
        Some(o) => {
            view! { <a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a> }.into_any()
        }
        None => view! {
            <span>"Unmatched: not linked to an organization yet. "</span>
            <a href="/review">"Match it on the Review page"</a>
        }
        .into_any(),
    };
    let id = row.id.to_string();
    let check = p.role().allows(Permission::Operate).then(|| {
        let sync = row.organization.is_some().then(|| {
            view! {
                <form method="post" action="/api/sync_now" class="inline">
                    <CsrfField />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit">"Sync now"</button>
                </form>
                <form method="post" action="/api/preview_sync" class="inline">
                    <CsrfField />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="secondary">"Preview sync"</button>
                </form>
            }
        });
        view! {
            {sync}
            <form method="post" action="/api/recheck_connection" class="inline">
                <CsrfField />
                <input type="hidden" name="id" value=id.clone() />
                <button type="submit" class="secondary">"Check connection"</button>
            </form>
        }
    });
    let sync_settings = view! {
        <form method="get" action=format!("/tenants/{id}/sync") class="inline">
            <button type="submit" class="secondary">"Sync settings"</button>
        </form>
    };
    let rotate = p.role().allows(Permission::ManageCredentials).then(|| {
        view! {
            <form method="get" action=format!("/tenants/{id}/rotate") class="inline">
                <button type="submit" class="secondary">"Rotate secret"</button>
            </form>
        }
    });
    let domains = crate::shell::domains_text(&row.verified_domains);
    view! {
        <Layout title=row.title.clone()>
            {banner}
            {failing}
            <dl class="facts">
                <dt>"Organization"</dt><dd>{org}</dd>
                <dt>"Tenant ID"</dt><dd><code>{row.tenant_id.clone()}</code></dd>
                <dt>"Application (client) ID"</dt><dd><code>{row.client_id.clone()}</code></dd>
                <dt>"Verified domains"</dt><dd>{if domains.is_empty() { "—".to_owned() } else { domains }}</dd>
                <dt>"Status"</dt><dd>{status_text(&row)}</dd>
                <dt>"Last check"</dt><dd>{fmt_time(row.last_check_at)}</dd>
                <dt>"Client secret"</dt><dd class=class>{format!("•••••••• (expires {expires})")}</dd>
                <dt>"Last sync"</dt><dd>{latest}</dd>
                <dt>"Schedule"</dt><dd>{summary.schedule.clone()}</dd>
                <dt>"Next scheduled sync"</dt><dd>{next}</dd>
            </dl>
            <div class="actions">{check} {sync_settings} {rotate}</div>
            {report.map(|r| view! { <h2>"Last connection check"</h2><CheckReportView report=r /> })}
            {crate::review::match_history(history, crate::review::HistoryOf::Tenant)}
        </Layout>
    }
}

#[component]
pub fn RotatePage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    let id = route_id::<ConnectionId>();
    let draft_param = query_param("draft").and_then(|d| d.parse::<DraftId>().ok());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let cx = cx.clone();
                let state = state.clone();
                Suspend::new(async move {
                    let (Ok(p), Ok(state), Some(id)) = (cx.principal().cloned(), state, id) else {
                        return view! { <crate::pages::NotFound /> }.into_any();
                    };
                    if !p.role().allows(Permission::ManageCredentials) {
                        return view! { <Layout title="Rotate secret".into()>{load_error(CoreError::Forbidden)}</Layout> }.into_any();
                    }
                    let row = match state.services.connection(&p, id).await {
                        Ok(row) => row,
                        Err(CoreError::NotFound) => return view! { <crate::pages::NotFound /> }.into_any(),
                        Err(e) => return view! { <Layout title="Rotate secret".into()>{load_error(e)}</Layout> }.into_any(),
                    };
                    let draft = match draft_param {
                        Some(d) => state.services.draft(&p, d).await.ok().filter(|d| d.connection_id == Some(id)),
                        None => None,
                    };
                    rotate_view(row, draft).into_any()
                })
            }
        </Suspense>
    }
}

fn rotate_view(row: ConnectionView, draft: Option<DraftView>) -> impl IntoView + use<> {
    let id = row.id.to_string();
    let draft_id = draft.as_ref().map(|d| d.id.to_string()).unwrap_or_default();
    let report = draft.as_ref().and_then(|d| d.report.clone());
    let accepted = report
        .as_ref()
        .is_some_and(|r| r.tenant_id.as_deref() == Some(row.tenant_id.as_str()));
    let replace = accepted.then(|| {
        view! {
            <form method="post" action="/api/finish_rotation">
                <CsrfField />
                <input type="hidden" name="draft_id" value=draft_id.clone() />
                <button type="submit">"Replace secret"</button>
            </form>
        }
    });
    let demo = app_state()
        .ok()
        .and_then(|s| s.demo)
        .and_then(|d| d.tenants.into_iter().find(|t| t.tenant_id == row.tenant_id))
        .filter(|t| !t.next_secret.is_empty())
        .map(|t| {
            view! {
                <p class="demo-credentials hint">
                    "Demo: this app's second secret is " <code>{t.next_secret}</code>
                    ", expiring " {t.next_secret_expires_on} "."
                </p>
            }
        });
    view! {
        <Layout title=format!("Rotate secret: {}", row.title)>
            {demo}
            <ol>
                <li>"In the app registration's Certificates & secrets, create a new client secret and copy its Value."</li>
                <li>"Paste it below and check it. The saved secret stays in use until the new one works."</li>
                <li>"Replace the secret, then delete the old one in Entra."</li>
            </ol>
            <FormError form="rotate" />
            <form method="post" action="/api/check_rotation" novalidate>
                <CsrfField />
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="draft_id" value=draft_id.clone() />
                <Field form="rotate" name="secret" label="Client secret value" kind="password" maxlength=1024 autocomplete="off"
                    required=draft.is_none()
                    hint=if draft.is_some() { "Leave empty to check the secret you entered again." } else { "The new secret's Value, not its Secret ID." } />
                <Field form="rotate" name="secret_expires_on" label="Secret expires on" kind="date" min=today().to_string()
                    value=draft.as_ref().and_then(|d| d.secret_expires_on.clone()).unwrap_or_default() />
                <button type="submit">"Check connection"</button>
            </form>
            {report.map(|r| view! { <h2>"Check of the new secret"</h2><CheckReportView report=r /> })}
            {replace}
        </Layout>
    }
}
