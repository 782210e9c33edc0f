//! Contacts: the list with search and filters, and a contact's own page.

pub mod api;
mod overlay;

use leptos::prelude::*;
use roster_core::MfaFilter;
use roster_core::contacts::{ContactDetail, ContactView};
use roster_core::{ContactFilter, CoreError};
use roster_domain::{ContactId, Permission};

use crate::context::{app_state, fmt_time, query_param, request_context};
use crate::organizations::route_id;
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::{CsrfField, Field, FormError};
use crate::shell::list::{DataTable, EmptyState, Pager, page_request};
use crate::shell::load::for_member;

/// Contacts per page of the list.
const CONTACTS_PER_PAGE: usize = 100;

/// The list's filters from the address; `stale_before` is when a sign-in becomes stale.
fn filter_from_query(stale_before: i64) -> (ContactFilter, String, String) {
    let q = query_param("q").unwrap_or_default();
    let show = query_param("show").unwrap_or_default();
    let mut f = ContactFilter {
        search: Some(q.clone()).filter(|s| !s.trim().is_empty()),
        organization_id: query_param("organization").and_then(|o| o.parse().ok()),
        licence: query_param("licence")
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty()),
        ..ContactFilter::default()
    };
    if query_param("sort").as_deref() == Some("changed") {
        f.sort = roster_core::ContactSort::RecentlyChanged;
    }
    match show.as_str() {
        "deleted" => f.deleted_in_entra = Some(true),
        "disabled" => f.disabled = Some(true),
        "conflicts" => f.with_conflicts = true,
        "not_linked" => f.not_linked = true,
        "mfa_registered" => f.mfa = Some(MfaFilter::Registered),
        "mfa_not_registered" => f.mfa = Some(MfaFilter::NotRegistered),
        "mfa_unknown" => f.mfa = Some(MfaFilter::Unknown),
        "stale" => f.no_sign_in_since = Some(stale_before),
        _ => {}
    }
    (f, q, show)
}

/// The MFA cell of a contact: registered, not registered, or unknown (never "no").
pub fn mfa_cell(c: &ContactView) -> AnyView {
    match (c.linked, c.facts.as_ref().and_then(|f| f.mfa)) {
        (false, _) => view! { <span class="muted">"—"</span> }.into_any(),
        (true, Some(true)) => view! { <span class="ok">"Registered"</span> }.into_any(),
        (true, Some(false)) => view! { <span class="bad">"Not registered"</span> }.into_any(),
        (true, None) => view! { <span class="unknown">"Unknown"</span> }.into_any(),
    }
}

/// The licence cell: the highest business plan or the first licence, and how many more.
pub fn licence_cell(c: &ContactView) -> String {
    match &c.facts {
        Some(f) => match (&f.licence, f.licences) {
            (Some(name), n) if n > 1 => format!("{name} (+{})", n - 1),
            (Some(name), _) => name.clone(),
            (None, _) => "None".into(),
        },
        None if c.linked => "Unknown".into(),
        None => "—".into(),
    }
}

fn flags(c: &ContactView) -> String {
    let mut out = Vec::new();
    if c.deleted_in_entra {
        out.push("Deleted in Entra".to_owned());
    }
    if c.disabled {
        out.push("Disabled".to_owned());
    }
    if c.conflicts > 0 {
        out.push(format!("{} conflict(s)", c.conflicts));
    }
    if !c.linked {
        out.push("Not linked".to_owned());
    }
    out.join(", ")
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <Layout title="Contacts".into()>
            {for_member(|p, state| async move {
                let (filter, q, show) = filter_from_query(state.services.stale_sign_in_before());
                let licence = filter.licence.clone().unwrap_or_default();
                let licences = state.services.licences_in_use(&p).await.unwrap_or_default();
                let req = page_request(CONTACTS_PER_PAGE);
                let first = req.after.is_none();
                let filtered = filter != ContactFilter::default();
                let mut query = Vec::new();
                if !q.is_empty() {
                    query.push(format!("q={}", urlencoding::encode(&q)));
                }
                if !show.is_empty() {
                    query.push(format!("show={}", urlencoding::encode(&show)));
                }
                if !licence.is_empty() {
                    query.push(format!("licence={}", urlencoding::encode(&licence)));
                }
                let by_change = filter.sort == roster_core::ContactSort::RecentlyChanged;
                if by_change {
                    query.push("sort=changed".to_owned());
                }
                let org = filter.organization_id.map(|o| o.to_string());
                if let Some(o) = &org {
                    query.push(format!("organization={o}"));
                }
                let org_input = org.map(|o| view! { <input type="hidden" name="organization" value=o /> });
                let option = |value: &'static str, label: &'static str| {
                    view! { <option value=value selected=show == value>{label}</option> }
                };
                let search = view! {
                    <form method="get" action="/contacts" class="search" role="search">
                        <label for="contacts-q">"Search"</label>
                        <input id="contacts-q" name="q" type="search" value=q.clone()
                            placeholder="Name, email or phone" maxlength=100 />
                        <label for="contacts-show">"Show"</label>
                        <select id="contacts-show" name="show">
                            {option("", "All contacts")}
                            {option("deleted", "Deleted in Entra")}
                            {option("disabled", "Disabled accounts")}
                            {option("conflicts", "With conflicts")}
                            {option("not_linked", "Not linked to Entra")}
                            {option("mfa_registered", "MFA registered")}
                            {option("mfa_not_registered", "MFA not registered")}
                            {option("mfa_unknown", "MFA unknown")}
                            {option("stale", "No sign-in in 90 days")}
                        </select>
                        <label for="contacts-licence">"Licence"</label>
                        <select id="contacts-licence" name="licence">
                            <option value="" selected=licence.is_empty()>"Any licence"</option>
                            {licences.into_iter().map(|(id, name)| {
                                let selected = id == licence;
                                view! { <option value=id selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                        <label for="contacts-sort">"Sort"</label>
                        <select id="contacts-sort" name="sort">
                            <option value="" selected=!by_change>"By name"</option>
                            <option value="changed" selected=by_change>"Recently changed first"</option>
                        </select>
                        {org_input}
                        <button type="submit">"Search"</button>
                    </form>
                };
                let import = p.role().allows(roster_domain::Permission::Operate).then(|| {
                    view! { <p><a href="/contacts/import">"Import contacts from CSV"</a></p> }
                });
                let content = match state.services.contacts_page(&p, &filter, &req).await {
                    Ok(page) if page.items.is_empty() && first && !filtered => view! {
                        <EmptyState>
                            <p>"Contacts are the people at your customers, kept in step with Entra ID by each sync."</p>
                            <p>"No contacts yet: they appear after the first sync of a connected tenant, or import those your PSA has. "
                                <a href="/tenants">"Go to Tenants"</a></p>
                        </EmptyState>
                    }
                    .into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        {search}
                        <p class="empty">"No contact matches. Try part of the name from its start, part of the email, or at least three digits of a phone number."</p>
                    }
                    .into_any(),
                    Ok(page) => {
                        let rows = page
                            .items
                            .into_iter()
                            .map(|c| {
                                let org = c.organization.clone().map(|(id, name)| {
                                    view! { <a href=format!("/organizations/{id}")>{name}</a> }
                                });
                                view! {
                                    <tr>
                                        <td><a href=format!("/contacts/{}", c.id)>{c.display_name.clone()}</a></td>
                                        <td>{org}</td>
                                        <td>{c.email.clone().unwrap_or_default()}</td>
                                        <td>{c.job_title.clone().unwrap_or_default()}</td>
                                        <td>{c.phone.clone().unwrap_or_default()}</td>
                                        <td>{mfa_cell(&c)}</td>
                                        <td>{licence_cell(&c)}</td>
                                        <td>{flags(&c)}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            {search}
                            <DataTable headers=vec!["Name", "Organization", "Email", "Job title", "Phone", "MFA", "Licence", "Flags"]>{rows}</DataTable>
                            <Pager path="/contacts" next=page.next first=first query=query.join("&") />
                        }
                        .into_any()
                    }
                    Err(e) => load_error(e),
                };
                view! { {import} {content} }.into_any()
            })}
        </Layout>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    let id = route_id::<ContactId>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let cx = cx.clone();
                let state = state.clone();
                Suspend::new(async move {
                    let loaded = match (cx.principal(), &state, id) {
                        (Ok(p), Ok(s), Some(id)) => match s.services.contact(p, id).await {
                            Ok(c) => {
                                let overlay = match (&c.tenant_id, &c.object_id) {
                                    (Some(t), Some(o)) => s.services.contact_overlay(p, t, o).await,
                                    _ => Ok(None),
                                };
                                overlay.map(|o| (p.role().allows(Permission::Operate), c, o))
                            }
                            Err(e) => Err(e),
                        },
                        (Err(e), _, _) => Err(e),
                        (_, Err(_), _) => Err(CoreError::Internal("no state".into())),
                        (_, _, None) => Err(CoreError::NotFound),
                    };
                    match loaded {
                        Ok((can_edit, c, o)) => contact_view(c, o, can_edit).into_any(),
                        Err(CoreError::NotFound) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(e) => view! { <Layout title="Contact".into()>{load_error(e)}</Layout> }.into_any(),
                    }
                })
            }
        </Suspense>
    }
}

fn contact_view(
    d: ContactDetail,
    overlay: Option<roster_core::facts::Overlay>,
    can_edit: bool,
) -> impl IntoView {
    let contact_id = d.contact.id.to_string();
    let c = d.contact.clone();
    let c = &c;
    let banner = (!flags(c).is_empty())
        .then(|| view! { <p class="banner warn" role="status">{flags(c)}</p> });
    let fields = d
        .fields
        .iter()
        .filter(|f| f.value.is_some() || f.conflict.is_some())
        .map(|f| {
            let conflict = f.conflict.clone().map(|x| {
                let choose = can_edit.then(|| {
                    let field = f.field.as_str();
                    view! {
                        <form method="post" action="/api/resolve_conflict" class="inline">
                            <CsrfField />
                            <input type="hidden" name="id" value=contact_id.clone() />
                            <input type="hidden" name="field" value=field />
                            <button type="submit" name="choice" value="entra" class="secondary">"Use Entra's value"</button>
                            <button type="submit" name="choice" value="mine" class="secondary">"Keep this value"</button>
                        </form>
                    }
                });
                view! { <br /><span class="bad">{format!("Entra has “{x}”: the value edited by hand is kept until someone chooses.")}</span> {choose} }
            });
            view! {
                <tr>
                    <th scope="row">{f.field.label()}</th>
                    <td>{f.value.clone().unwrap_or_default()}{conflict}</td>
                    <td class="muted">{f.source}</td>
                </tr>
            }
        })
        .collect_view();
    let org = c
        .organization
        .clone()
        .map(|(id, name)| view! { <a href=format!("/organizations/{id}")>{name}</a> });
    let link = match (&d.tenant_id, &d.object_id) {
        (Some(t), Some(o)) => format!("Tenant {t}, object {o}"),
        _ => "Not linked to an Entra user".to_owned(),
    };
    let events = if d.events.is_empty() {
        view! { <p class="muted">"No history yet."</p> }.into_any()
    } else {
        let rows = d
            .events
            .iter()
            .map(|e| view! { <tr><td>{fmt_time(e.at.as_millisecond())}</td><td>{e.who.clone()}</td><td>{e.what.clone()}</td></tr> })
            .collect_view();
        view! { <DataTable headers=vec!["When", "Who", "What"]>{rows}</DataTable> }.into_any()
    };
    let title = c.display_name.clone();
    let groups = if c.groups.is_empty() {
        "—".to_owned()
    } else {
        c.groups.join(", ")
    };
    let upn = d.upn.clone().unwrap_or_else(|| "—".into());
    let edit = can_edit.then(|| {
        let inputs = d
            .fields
            .iter()
            .map(|f| {
                let name = f.field.as_str();
                let value = f.value.clone().unwrap_or_default();
                view! { <Field form="contact" name=name label=f.field.label() maxlength=256 required=false value=value /> }
            })
            .collect_view();
        view! {
            <details class="edit" open=request_context().flash.form == "contact">
                <summary>"Edit contact"</summary>
                <p class="hint">"A field you change here is kept over Entra's value: a later sync flags the difference instead of overwriting it."</p>
                <FormError form="contact" />
                <form method="post" action="/api/edit_contact" novalidate>
                    <CsrfField />
                    <input type="hidden" name="id" value=contact_id.clone() />
                    {inputs}
                    <button type="submit">"Save contact"</button>
                </form>
            </details>
        }
    });
    view! {
        <Layout title=title>
            {banner}
            <dl class="facts">
                <dt>"Organization"</dt><dd>{org}</dd>
                <dt>"Entra user"</dt><dd>{link}</dd>
                <dt>"User principal name"</dt><dd>{upn}</dd>
                <dt>"Contact groups"</dt><dd>{groups}</dd>
            </dl>
            <h2>"Fields"</h2>
            <DataTable headers=vec!["Field", "Value", "Source"]>{fields}</DataTable>
            {edit}
            {overlay.as_ref().map(overlay::overlay_view)}
            <h2>"History"</h2>
            {events}
        </Layout>
    }
}

#[component]
pub fn NewContactPage() -> impl IntoView {
    let org = query_param("organization").unwrap_or_default();
    view! {
        <Layout title="New contact".into()>
            {for_member(move |p, state| {
                let org = org.clone();
                async move {
                    if !p.role().allows(Permission::Operate) {
                        return load_error(CoreError::Forbidden);
                    }
                    let Ok(id) = org.parse::<roster_domain::OrganizationId>() else {
                        return load_error(CoreError::NotFound);
                    };
                    let name = match state.services.organization(&p, id).await {
                        Ok(o) => o.name,
                        Err(e) => return load_error(e),
                    };
                    let inputs = roster_core::sync::fields::SyncField::ALL
                        .into_iter()
                        .map(|f| view! { <Field form="contact" name=f.as_str() label=f.label() maxlength=256 required=false /> })
                        .collect_view();
                    view! {
                        <p>{format!("A contact of {name}, entered by hand. A later sync links it to its Entra user when the email or the name matches.")}</p>
                        <FormError form="contact" />
                        <form method="post" action="/api/create_contact" novalidate>
                            <CsrfField />
                            <input type="hidden" name="organization_id" value=org.clone() />
                            {inputs}
                            <button type="submit">"Create contact"</button>
                        </form>
                    }
                    .into_any()
                }
            })}
        </Layout>
    }
}
