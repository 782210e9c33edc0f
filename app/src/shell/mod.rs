//! The document shell, the router with every page, the page layout and navigation.

pub mod chart;
pub mod forms;
pub mod list;
pub mod load;
pub mod respond;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::auth::{LoginPage, SetPasswordPage, SetupPage};
use crate::contacts::{ContactPage, ContactsPage, NewContactPage};
use crate::context::{request_context, request_uri};
use crate::organizations::{
    ImportContactsPage, ImportOrganizationsPage, NewOrganizationPage, OrganizationPage,
    OrganizationsPage,
};
use crate::pages::{DashboardPage, NotFound};
use crate::review::{ContactReviewPage, TenantReviewPage};
use crate::settings::{AdminPage, AuditPage, MembersPage, SettingsPage};
use crate::sync::{SyncLogPage, SyncRunPage};
use crate::tenants::settings::SyncSettingsPage;
use crate::tenants::{ConnectPage, ConnectionPage, RotatePage, TenantsPage};
use forms::CsrfField;

/// The HTML document around the app. No hydration scripts: every page is plain HTML and forms.
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.ico" />
                <link rel="stylesheet" href="/style/roster.css" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every route of the application.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/set-password") view=SetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/organizations") view=OrganizationsPage ssr=SsrMode::Async />
                <Route path=path!("/organizations/new") view=NewOrganizationPage ssr=SsrMode::Async />
                <Route path=path!("/organizations/import") view=ImportOrganizationsPage ssr=SsrMode::Async />
                <Route path=path!("/organizations/:id") view=OrganizationPage ssr=SsrMode::Async />
                <Route path=path!("/tenants") view=TenantsPage ssr=SsrMode::Async />
                <Route path=path!("/tenants/connect") view=ConnectPage ssr=SsrMode::Async />
                <Route path=path!("/tenants/:id") view=ConnectionPage ssr=SsrMode::Async />
                <Route path=path!("/tenants/:id/rotate") view=RotatePage ssr=SsrMode::Async />
                <Route path=path!("/tenants/:id/sync") view=SyncSettingsPage ssr=SsrMode::Async />
                <Route path=path!("/contacts") view=ContactsPage ssr=SsrMode::Async />
                <Route path=path!("/contacts/new") view=NewContactPage ssr=SsrMode::Async />
                <Route path=path!("/contacts/import") view=ImportContactsPage ssr=SsrMode::Async />
                <Route path=path!("/contacts/:id") view=ContactPage ssr=SsrMode::Async />
                <Route path=path!("/review") view=TenantReviewPage ssr=SsrMode::Async />
                <Route path=path!("/review/contacts") view=ContactReviewPage ssr=SsrMode::Async />
                <Route path=path!("/sync-log") view=SyncLogPage ssr=SsrMode::Async />
                <Route path=path!("/sync-log/:id") view=SyncRunPage ssr=SsrMode::Async />
                <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                <Route path=path!("/settings/members") view=MembersPage ssr=SsrMode::Async />
                <Route path=path!("/settings/audit") view=AuditPage ssr=SsrMode::Async />
                <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

const NAV: [(&str, &str); 7] = [
    ("/", "Dashboard"),
    ("/organizations", "Organizations"),
    ("/tenants", "Tenants"),
    ("/contacts", "Contacts"),
    ("/review", "Review"),
    ("/sync-log", "Sync log"),
    ("/settings", "Settings"),
];

fn is_current(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// The layout of a signed-in page: header with navigation and account, then the content.
#[component]
pub fn Layout(title: String, children: Children) -> impl IntoView {
    let cx = request_context();
    let path = request_uri().path().to_owned();
    let session = cx.session.clone();
    let in_workspace = session.as_ref().and_then(|s| s.principal.clone());
    let to_review = cx.to_review.filter(|n| *n > 0);
    let nav = in_workspace.is_some().then(|| {
        NAV.iter()
            .map(|(href, label)| {
                let current = is_current(href, &path).then_some("page");
                let count = (*href == "/review").then_some(to_review).flatten().map(|n| {
                    view! {
                        " "
                        <span class="count" aria-label=format!("{n} waiting")>{n.to_string()}</span>
                    }
                });
                view! {
                    <li>
                        <a href=*href aria-current=current>
                            {*label}
                            {count}
                        </a>
                    </li>
                }
            })
            .collect_view()
    });
    let account = session.map(|s| {
        // With other workspaces the switcher names the current one, so the text need not.
        let who = match &s.principal {
            Some(p) if !s.other_workspaces.is_empty() => {
                format!("{} · {}", s.name, p.role().label())
            }
            Some(p) => format!("{} · {} · {}", s.name, p.workspace_name(), p.role().label()),
            None => format!("{} · server administrator", s.name),
        };
        let switch = (!s.other_workspaces.is_empty()).then(|| {
            // The current workspace first and selected, so the control says where you are.
            let current = s.principal.as_ref().map(|p| {
                view! {
                    <option value=p.workspace_id().to_string() selected>
                        {p.workspace_name().to_owned()}
                    </option>
                }
            });
            let options = s
                .other_workspaces
                .iter()
                .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
                .collect_view();
            let options = view! { {current} {options} };
            view! {
                <form method="post" action="/api/switch_workspace" class="inline">
                    <CsrfField />
                    <label for="switch-workspace" class="visually-hidden">
                        "Workspace"
                    </label>
                    <select id="switch-workspace" name="workspace_id">
                        {options}
                    </select>
                    <button type="submit" class="secondary">
                        "Switch"
                    </button>
                </form>
            }
        });
        let admin_link = s
            .is_server_admin
            .then(|| view! { <a href="/admin">"Workspaces"</a> });
        view! {
            <div class="account">
                <span class="who">{who}</span>
                {admin_link}
                {switch}
                <form method="post" action="/api/logout" class="inline">
                    <CsrfField />
                    <button type="submit" class="secondary">
                        "Sign out"
                    </button>
                </form>
            </div>
        }
    });
    let signed_in_as = cx.session.as_ref().map(|s| s.email.clone());
    let demo = crate::context::app_state().ok().and_then(|s| s.demo).map(|d| {
        // The demo owner's password is shown to the demo owner only: people added to the demo
        // workspace sign in with their own.
        let who = match &signed_in_as {
            Some(email) if email.eq_ignore_ascii_case(&d.email) => view! {
                "Demo: signed in as " {d.email.clone()} " (password " <code>{d.password.clone()}</code> "). "
            }
            .into_any(),
            Some(email) => view! { "Demo: signed in as " {email.clone()} ". " }.into_any(),
            None => view! { "Demo. " }.into_any(),
        };
        view! {
            <aside class="demo" aria-label="Demo">
                {who}
                "Customer tenants are emulated: "
                <a href="/tenants/connect">"see their demo credentials"</a> " in the connect wizard. Data: " {d.data_dir} "."
            </aside>
        }
    });
    view! {
        <Title text=format!("{title} · Roster") />
        <a class="skip" href="#main">
            "Skip to content"
        </a>
        <header class="top">
            <a class="brand" href="/">
                "Roster"
            </a>
            <nav aria-label="Main">
                <ul>{nav}</ul>
            </nav>
            {account}
        </header>
        {demo}
        <main id="main">
            <h1>{title}</h1>
            <forms::Notices />
            {children()}
        </main>
    }
}

/// The layout of a page for visitors who are not signed in (setup, sign-in, set password).
#[component]
pub fn PublicLayout(title: String, children: Children) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Roster") />
        <main id="main" class="narrow">
            <p class="brand">"Roster"</p>
            <h1>{title}</h1>
            <forms::Notices />
            {children()}
        </main>
    }
}

/// Domain names as people read them, comma-separated (internationalized names in their own script).
pub fn domains_text(domains: &[String]) -> String {
    domains
        .iter()
        .map(|d| roster_domain::tenant::display_domain(d))
        .collect::<Vec<_>>()
        .join(", ")
}
