//! Settings: the workspace, its members and roles, the audit log, and the server administrator's workspaces page.

pub mod api;

use leptos::prelude::*;
use roster_core::{CoreError, Principal};
use roster_domain::{Permission, Role};

use crate::context::{app_state, fmt_time, request_context};
use crate::shell::Layout;
use crate::shell::forms::{CsrfField, Field, FormError};
use crate::shell::list::{DataTable, EmptyState, Pager, page_request};
use crate::shell::load::for_member;

/// Audit events per page of the log.
const AUDIT_EVENTS_PER_PAGE: usize = 100;

pub use crate::shell::load::load_error;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let principal = request_context().principal().ok().cloned();
    let manage = principal
        .as_ref()
        .is_some_and(|p| p.role().allows(Permission::ManageMembers));
    let name = principal
        .as_ref()
        .map(|p| p.workspace_name().to_owned())
        .unwrap_or_default();
    view! {
        <Layout title="Settings".into()>
            <dl class="facts">
                <dt>"Workspace"</dt>
                <dd>{name}</dd>
                <dt>"Your role"</dt>
                <dd>{principal.as_ref().map(|p| p.role().label())}</dd>
            </dl>
            <ul class="links">
                <li>
                    <a href="/settings/members">"Members"</a>
                    " — who can sign in to this workspace, and their roles."
                </li>
                {manage
                    .then(|| {
                        view! {
                            <li>
                                <a href="/settings/audit">"Audit log"</a>
                                " — who did what, and when."
                            </li>
                        }
                    })}
            </ul>
        </Layout>
    }
}

fn role_options(selected: Role, actor: &Principal) -> impl IntoView + use<> {
    let owners = actor.role().allows(Permission::ManageOwners);
    Role::ALL
        .into_iter()
        .filter(move |r| owners || *r != Role::Owner || *r == selected)
        .map(move |r| {
            view! {
                <option value=r.as_str() selected=r == selected>
                    {r.label()}
                </option>
            }
        })
        .collect_view()
}

#[component]
pub fn MembersPage() -> impl IntoView {
    view! {
        <Layout title="Members".into()>
            {for_member(|p, state| async move {
                match state.services.members(&p).await {
                    Ok(rows) => members_view(&p, rows),
                    Err(e) => load_error(e),
                }
            })}
        </Layout>
    }
}

fn members_view(actor: &Principal, rows: Vec<roster_core::members::MemberView>) -> AnyView {
    let manage = actor.role().allows(Permission::ManageMembers);
    let owners = actor.role().allows(Permission::ManageOwners);
    let body = rows
        .into_iter()
        .map(|m| {
            let role = m.role;
            let id = m.member_id.to_string();
            let status = if m.disabled {
                "Disabled"
            } else if !m.has_password {
                "Invited (no password yet)"
            } else {
                "Active"
            };
            let can_touch = manage && (owners || role != Role::Owner);
            let is_self = m.is_you;
            let actions = can_touch.then(|| {
                let select_id = format!("role-{id}");
                let toggle = (!is_self).then(|| {
                    let (label, value) = if m.disabled {
                        ("Enable", "false")
                    } else {
                        ("Disable", "true")
                    };
                    view! {
                        <form method="post" action="/api/set_member_disabled" class="inline">
                            <CsrfField />
                            <input type="hidden" name="member_id" value=id.clone() />
                            <input type="hidden" name="disabled" value=value />
                            <button type="submit" class="secondary" aria-label=format!("{label} {}", m.email)>
                                {label}
                            </button>
                        </form>
                    }
                });
                view! {
                    <form method="post" action="/api/change_role" class="inline">
                        <CsrfField />
                        <input type="hidden" name="member_id" value=id.clone() />
                        <label for=select_id.clone() class="visually-hidden">
                            {format!("Role of {}", m.email)}
                        </label>
                        <select id=select_id name="role">
                            {role_options(role, actor)}
                        </select>
                        <button type="submit" class="secondary" aria-label=format!("Change role of {}", m.email)>
                            "Change role"
                        </button>
                    </form>
                    {toggle}
                    <form method="post" action="/api/new_password_link" class="inline">
                        <CsrfField />
                        <input type="hidden" name="member_id" value=id.clone() />
                        <button type="submit" class="secondary" aria-label=format!("New set-password link for {}", m.email)>
                            "New set-password link"
                        </button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td>{m.name.clone()}</td>
                    <td>{m.email.clone()}</td>
                    <td>{role.label()}</td>
                    <td>{status}</td>
                    <td class="actions">{actions}</td>
                </tr>
            }
        })
        .collect_view();
    let add = manage.then(|| {
        let flash = request_context().flash;
        let chosen = flash
            .value("add_member", "role")
            .and_then(|r| r.parse().ok())
            .unwrap_or(Role::Technician);
        let role_error = flash
            .field_error("add_member", "role")
            .map(|e| view! { <p class="field-error" id="add_member-role-error">{e}</p> });
        view! {
            <section aria-labelledby="add-member-heading">
                <h2 id="add-member-heading">"Add a member"</h2>
                <p>
                    "Roster shows you a one-time link to send them; they choose their own password with it. Links last 7 days."
                </p>
                <FormError form="add_member" />
                <form method="post" action="/api/add_member" novalidate>
                    <CsrfField />
                    <Field form="add_member" name="name" label="Name" autocomplete="off" maxlength=100 />
                    <Field form="add_member" name="email" label="Email" kind="email" autocomplete="off" maxlength=254 />
                    <div class="field">
                        <label for="add_member-role">"Role"</label>
                        <select id="add_member-role" name="role">
                            {role_options(chosen, actor)}
                        </select>
                        {role_error}
                    </div>
                    <button type="submit">"Add member"</button>
                </form>
            </section>
        }
    });
    view! {
        <table>
            <caption class="visually-hidden">"Members of this workspace"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
        <details class="roles">
            <summary>"What each role may do"</summary>
            <ul>
                <li><strong>"Owner"</strong>": everything, including granting the owner role."</li>
                <li><strong>"Admin"</strong>": everything except changing owners."</li>
                <li><strong>"Technician"</strong>": run syncs, review matches, edit organizations and contacts."</li>
                <li><strong>"Viewer"</strong>": read only."</li>
            </ul>
        </details>
        {add}
    }
    .into_any()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Layout title="Audit log".into()>
            {for_member(|principal, state| async move {
                        let req = page_request(AUDIT_EVENTS_PER_PAGE);
                        let first = req.after.is_none();
                        match state.services.audit_page(&principal, &req).await {
                            Ok(page) if page.items.is_empty() && first => {
                                view! { <EmptyState><p>"Nothing recorded yet. Every change anyone makes in this workspace is listed here, newest first."</p></EmptyState> }.into_any()
                            }
                            Ok(page) => {
                                let next = page.next;
                                let body = page
                                    .items
                                    .into_iter()
                                    .map(|r| {
                                        let what = match r.link {
                                            Some(href) => view! { <a href=href>{r.what}</a> }.into_any(),
                                            None => view! { <span>{r.what}</span> }.into_any(),
                                        };
                                        let changes = (!r.changes.is_empty()).then(|| {
                                            let items = r
                                                .changes
                                                .into_iter()
                                                .map(|c| view! { <li>{c}</li> })
                                                .collect_view();
                                            view! { <ul class="changes">{items}</ul> }
                                        });
                                        view! {
                                            <tr>
                                                <td>{fmt_time(r.at_ms)}</td>
                                                <td>{r.who}</td>
                                                <td>{what}{changes}</td>
                                                <td>{r.from_address.unwrap_or_else(|| "—".into())}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view();
                                view! {
                                    <DataTable class="audit" headers=vec!["When", "Who", "What", "From"]>{body}</DataTable>
                                    <Pager path="/settings/audit" next=next first=first />
                                }
                                    .into_any()
                            }
                            Err(e) => load_error(e),
                        }
            })}
        </Layout>
    }
}

/// The server administrator's page: every workspace, and a form to create one.
#[component]
pub fn AdminPage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    view! {
        <Layout title="Workspaces".into()>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {
                    let cx = cx.clone();
                    let state = state.clone();
                    Suspend::new(async move {
                        let Ok(state) = state else {
                            return load_error(CoreError::Internal("no state".into()));
                        };
                        let Some(session) = cx.session.clone() else {
                            return load_error(CoreError::Unauthenticated);
                        };
                        let admin = match state.services.server_admin(&session) {
                            Ok(a) => a,
                            Err(e) => return load_error(e),
                        };
                        match state.services.all_workspaces(&admin).await {
                            Ok(list) => {
                                let rows = list
                                    .into_iter()
                                    .map(|w| view! { <tr><td>{w.name}</td><td>{fmt_time(w.created_at)}</td></tr> })
                                    .collect_view();
                                view! {
                                    <table>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Workspace"</th>
                                                <th scope="col">"Created"</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                    <section aria-labelledby="new-ws">
                                        <h2 id="new-ws">"New workspace"</h2>
                                        <FormError form="create_workspace" />
                                        <form method="post" action="/api/create_workspace" novalidate>
                                            <CsrfField />
                                            <Field form="create_workspace" name="workspace_name" label="Workspace name" maxlength=100 />
                                            <Field form="create_workspace" name="name" label="Owner name" maxlength=100 />
                                            <Field form="create_workspace" name="email" label="Owner email" kind="email" maxlength=254 />
                                            <button type="submit">"Create workspace"</button>
                                        </form>
                                    </section>
                                }
                                    .into_any()
                            }
                            Err(e) => load_error(e),
                        }
                    })
                }
            </Suspense>
        </Layout>
    }
}
