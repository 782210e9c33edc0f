//! Organizations: the list, the form to create or edit one, and an organization's own page.

pub mod api;
mod facts;
mod import;

pub use import::{ImportContactsPage, ImportOrganizationsPage};

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use roster_core::{ConnectionSummary, CoreError, OrganizationView};
use roster_domain::Permission;
use roster_domain::tenant::ConnectionStatus;

use crate::context::{app_state, request_context};
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::{CsrfField, Field, FormError};
use crate::shell::list::{DataTable, EmptyState, Pager, page_request};
use crate::shell::load::for_member;

/// Organizations per page of the list.
const ORGANIZATIONS_PER_PAGE: usize = 100;

/// A textarea of the organization form, keeping what was typed across a refused submit.
fn text_area(
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    current: Option<String>,
    rows: u8,
) -> impl IntoView + use<> {
    let flash = request_context().flash;
    let id = format!("organization-{name}");
    let value = flash
        .value("organization", name)
        .or(current)
        .unwrap_or_default();
    let error = flash
        .field_error("organization", name)
        .map(|e| view! { <p class="field-error" id=format!("{id}-error")>{e}</p> });
    let described = if error.is_some() {
        Some(format!("{id}-error"))
    } else {
        hint.map(|_| format!("{id}-hint"))
    };
    let hint = hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> });
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint}
            <textarea id=id name=name rows=rows.to_string() aria-describedby=described>{value}</textarea>
            {error}
        </div>
    }
}

fn status_label(connection: Option<&ConnectionSummary>) -> &'static str {
    match connection.map(|c| c.status) {
        Some(ConnectionStatus::Ok) => "Connected",
        Some(ConnectionStatus::Failing) => "Failing",
        Some(ConnectionStatus::Never) => "Not checked yet",
        None => "No tenant",
    }
}

/// The id in the route, if it is an id of the kind the page expects.
pub fn route_id<T: std::str::FromStr>() -> Option<T> {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|s| s.parse().ok())
}

#[component]
pub fn OrganizationsPage() -> impl IntoView {
    view! {
        <Layout title="Organizations".into()>
            {for_member(|principal, state| async move {
                let actions = principal.role().allows(Permission::Operate).then(|| {
                    view! {
                        <form method="get" action="/organizations/new" class="inline">
                            <button type="submit">"New organization"</button>
                        </form>
                        <form method="get" action="/organizations/import" class="inline">
                            <button type="submit" class="secondary">"Import from CSV"</button>
                        </form>
                    }
                });
                let req = page_request(ORGANIZATIONS_PER_PAGE);
                let first = req.after.is_none();
                match state.services.organizations_page(&principal, &req).await {
                    Ok(page) if page.items.is_empty() && first => view! {
                        {actions}
                        <EmptyState>
                            <p>"Organizations are your customers. Each can be linked to one Microsoft tenant."</p>
                            <p>"No organizations yet. Create one for each customer, then connect its tenant from its page."</p>
                        </EmptyState>
                    }
                    .into_any(),
                    Ok(page) => view! {
                        {actions}
                        {organization_table(page.items)}
                        <Pager path="/organizations" next=page.next first=first />
                    }
                    .into_any(),
                    Err(e) => load_error(e),
                }
            })}
        </Layout>
    }
}

fn organization_table(rows: Vec<OrganizationView>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|o| {
            let domains = crate::shell::domains_text(&o.domains);
            view! {
                <tr>
                    <td><a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a></td>
                    <td>{domains}</td>
                    <td>{o.connection.as_ref().and_then(|c| c.name.clone()).unwrap_or_default()}</td>
                    <td>{if o.archived_at.is_some() { "Archived" } else { status_label(o.connection.as_ref()) }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable headers=vec!["Organization", "Domains", "Tenant", "Status"]>{body}</DataTable>
    }
}

/// The organization form, for a new one (`org` is `None`) or an existing one.
fn organization_form(org: Option<&OrganizationView>) -> impl IntoView + use<> {
    let action = match org {
        Some(_) => "/api/update_organization".to_owned(),
        None => "/api/create_organization".to_owned(),
    };
    let id = org.map(|o| o.id.to_string()).unwrap_or_default();
    let button = if org.is_some() {
        "Save changes"
    } else {
        "Create organization"
    };
    let notes = text_area("notes", "Notes", None, org.map(|o| o.notes.clone()), 4);
    let aliases = text_area(
        "aliases",
        "Aliases",
        Some(
            "Other names the customer goes by, one per line (a trading name, an old name). Roster uses them to suggest the customer's tenant.",
        ),
        org.map(|o| o.aliases.join("\n")),
        3,
    );
    view! {
        <FormError form="organization" />
        <form method="post" action=action novalidate>
            <CsrfField />
            <input type="hidden" name="id" value=id />
            <Field form="organization" name="name" label="Name" maxlength=100 value=org.map(|o| o.name.clone()).unwrap_or_default() />
            <Field
                form="organization"
                name="domains"
                label="Domains"
                required=false
                hint="The customer's e-mail domains, separated by commas; the first is the primary domain."
                value=org.map(|o| crate::shell::domains_text(&o.domains)).unwrap_or_default()
            />
            <Field
                form="organization"
                name="website"
                label="Website"
                required=false
                maxlength=500
                value=org.and_then(|o| o.website.clone()).unwrap_or_default()
            />
            <Field
                form="organization"
                name="tenant_id"
                label="Microsoft tenant ID (if known)"
                required=false
                maxlength=36
                hint="Recording it lets Roster match the customer's tenant automatically."
                value=org.and_then(|o| o.tenant_id.clone()).unwrap_or_default()
            />
            {aliases}
            <Field
                form="organization"
                name="external_id"
                label="External ID"
                required=false
                maxlength=100
                hint="The customer's ID in your PSA, so imports update this organization."
                value=org.and_then(|o| o.external_id.clone()).unwrap_or_default()
            />
            {notes}
            <button type="submit">{button}</button>
        </form>
    }
}

#[component]
pub fn NewOrganizationPage() -> impl IntoView {
    let allowed = request_context()
        .principal()
        .is_ok_and(|p| p.role().allows(Permission::Operate));
    view! {
        <Layout title="New organization".into()>
            {if allowed {
                organization_form(None).into_any()
            } else {
                load_error(CoreError::Forbidden)
            }}
        </Layout>
    }
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    let id = route_id::<roster_domain::OrganizationId>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let cx = cx.clone();
                let state = state.clone();
                Suspend::new(async move {
                    let loaded = match (cx.principal(), &state, id) {
                        (Ok(p), Ok(s), Some(id)) => load_organization(&s.services, p, id).await,
                        (Err(e), _, _) => Err(e),
                        (_, Err(_), _) => Err(CoreError::Internal("no state".into())),
                        (_, _, None) => Err(CoreError::NotFound),
                    };
                    match loaded {
                        Ok(page) => organization_view(page).into_any(),
                        Err(CoreError::NotFound) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(e) => view! { <Layout title="Organization".into()>{load_error(e)}</Layout> }.into_any(),
                    }
                })
            }
        </Suspense>
    }
}

/// How many contacts the organization page lists (the contacts list has them all).
const CONTACTS_ON_PAGE: usize = 25;

/// What the organization page shows.
struct OrganizationPageData {
    principal: roster_core::Principal,
    org: OrganizationView,
    history: Vec<roster_core::matching::DecisionView>,
    facts: Option<roster_core::facts::TenantFacts>,
    contacts: roster_core::Page<roster_core::contacts::ContactView>,
}

async fn load_organization(
    services: &roster_core::Services,
    p: &roster_core::Principal,
    id: roster_domain::OrganizationId,
) -> Result<OrganizationPageData, CoreError> {
    let org = services.organization(p, id).await?;
    let history = services
        .match_history(p, roster_core::matching::DecisionsOf::Organization(id))
        .await?;
    let facts = services.organization_facts(p, id).await?;
    let contacts = services
        .contacts_page(
            p,
            &roster_core::ContactFilter {
                organization_id: Some(id.as_uuid()),
                ..roster_core::ContactFilter::default()
            },
            &roster_core::PageRequest::first(CONTACTS_ON_PAGE),
        )
        .await?;
    Ok(OrganizationPageData {
        principal: p.clone(),
        org,
        history,
        facts,
        contacts,
    })
}

fn contacts_table(
    id: roster_domain::OrganizationId,
    page: roster_core::Page<roster_core::contacts::ContactView>,
) -> AnyView {
    if page.items.is_empty() {
        return view! { <p>"No contacts yet."</p> }.into_any();
    }
    let more = page.next.is_some().then(|| {
        view! { <p><a href=format!("/contacts?organization={id}")>"All contacts of this organization"</a></p> }
    });
    let rows = page
        .items
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td><a href=format!("/contacts/{}", c.id)>{c.display_name.clone()}</a></td>
                    <td>{c.email.clone().unwrap_or_default()}</td>
                    <td>{crate::contacts::mfa_cell(c)}</td>
                    <td>{crate::contacts::licence_cell(c)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <crate::shell::list::DataTable headers=vec!["Name", "Email", "MFA", "Licence"] class="compact">{rows}</crate::shell::list::DataTable>
        {more}
    }
    .into_any()
}

fn organization_view(page: OrganizationPageData) -> impl IntoView + use<> {
    let OrganizationPageData {
        principal,
        org,
        history,
        facts,
        contacts,
    } = page;
    let principal = &principal;
    let can_edit = principal.role().allows(Permission::Operate);
    let can_connect = principal.role().allows(Permission::ManageCredentials);
    let tenant = match &org.connection {
        Some(c) => view! {
            <p>
                "Tenant: "
                <a href=format!("/tenants/{}", c.id)>{c.name.clone().unwrap_or_else(|| "(name not known yet)".into())}</a>
                " — "
                {status_label(Some(c))}
            </p>
        }
        .into_any(),
        None if org.archived_at.is_some() => view! {
            <p>"Archived organizations are not matched to tenants."</p>
        }
        .into_any(),
        None if can_connect => view! {
            <p>"No Microsoft tenant is connected to this organization."</p>
            <p>"A tenant already connected can be matched to it on the " <a href="/review">"Review"</a> " page."</p>
            <p>
                <a class="button" href=format!("/tenants/connect?organization={}", org.id)>"Connect a tenant"</a>
            </p>
        }
        .into_any(),
        None => view! { <p>"No Microsoft tenant is connected to this organization."</p> }.into_any(),
    };
    let domains = crate::shell::domains_text(&org.domains);
    let website = org.website.clone().map(|w| {
        let text = w.clone();
        view! { <a href=w rel="noopener noreferrer">{text}</a> }
    });
    let edit = can_edit.then(|| {
        view! {
            <details class="edit" open=request_context().flash.form == "organization">
                <summary>"Edit organization"</summary>
                {organization_form(Some(&org))}
            </details>
        }
    });
    let people = view! {
        <h2>"Contacts"</h2>
        <p>
            <a href=format!("/contacts?organization={}", org.id)>"Contacts of this organization"</a>
            {can_edit.then(|| view! { " · " <a href=format!("/contacts/new?organization={}", org.id)>"Add a contact"</a> })}
        </p>
        {contacts_table(org.id, contacts)}
    };
    let facts = match (facts, &org.connection) {
        (Some(f), _) => facts::tenant_facts(f).into_any(),
        (None, Some(_)) => view! {
            <h2>"Tenant facts"</h2>
            <p>"Secure Score, licences, MFA coverage and activity appear after the tenant's first successful sync."</p>
        }
        .into_any(),
        (None, None) => ().into_any(),
    };
    let archived = org.archived_at.map(|at| {
        let restore = can_edit.then(|| {
            view! {
                <form method="post" action="/api/archive_organization" class="inline">
                    <CsrfField />
                    <input type="hidden" name="id" value=org.id.to_string() />
                    <input type="hidden" name="archive" value="0" />
                    <button type="submit" class="secondary">"Restore"</button>
                </form>
            }
        });
        view! {
            <p class="banner warn" role="status">
                {format!("Archived on {}. It keeps its contacts and history, and is no longer suggested for tenants. ", crate::context::fmt_time(at.as_millisecond()))}
                {restore}
            </p>
        }
    });
    let archive = (can_edit && org.archived_at.is_none()).then(|| {
        view! {
            <form method="post" action="/api/archive_organization" class="inline">
                <CsrfField />
                <input type="hidden" name="id" value=org.id.to_string() />
                <input type="hidden" name="archive" value="1" />
                <button type="submit" class="secondary">"Archive organization"</button>
            </form>
        }
    });
    let aliases = if org.aliases.is_empty() {
        "—".to_owned()
    } else {
        org.aliases.join("; ")
    };
    view! {
        <Layout title=org.name.clone()>
            {archived}
            <dl class="facts">
                <dt>"Aliases"</dt>
                <dd>{aliases}</dd>
                <dt>"External ID"</dt>
                <dd>{org.external_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Domains"</dt>
                <dd>{if domains.is_empty() { "—".to_owned() } else { domains }}</dd>
                <dt>"Website"</dt>
                <dd>{website}</dd>
                <dt>"Microsoft tenant ID"</dt>
                <dd>{org.tenant_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Notes"</dt>
                <dd class="notes">{org.notes.clone()}</dd>
            </dl>
            <h2>"Microsoft tenant"</h2>
            {tenant}
            {facts}
            {people}
            {crate::review::match_history(history, crate::review::HistoryOf::Organization)}
            {edit}
            {archive}
        </Layout>
    }
}
