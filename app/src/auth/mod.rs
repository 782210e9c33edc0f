//! Setup, sign-in and set-password pages.

pub mod api;

use leptos::prelude::*;

use crate::context::query_param;
use crate::shell::PublicLayout;
use crate::shell::forms::{CsrfField, Field, FormError};

/// First run: creates the first workspace and its owner.
#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <PublicLayout title="Set up Roster".into()>
            <p>
                "Create the workspace for your MSP and your own owner account. You can invite your team afterwards."
            </p>
            <FormError form="setup" />
            <form method="post" action="/api/setup" novalidate>
                <CsrfField />
                <Field form="setup" name="workspace_name" label="Workspace name" autocomplete="organization" maxlength=100 />
                <Field form="setup" name="name" label="Your name" autocomplete="name" maxlength=100 />
                <Field form="setup" name="email" label="Email" kind="email" autocomplete="email" maxlength=254 />
                <Field
                    form="setup"
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 12 characters."
                    maxlength=256
                />
                <button type="submit">"Create workspace"</button>
            </form>
        </PublicLayout>
    }
}

/// Sign-in form.
#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <PublicLayout title="Sign in".into()>
            {crate::context::app_state().ok().and_then(|s| s.demo).map(|d| view! {
                <p class="demo-credentials" role="note">
                    "This is the Roster demo. Sign in as " <code>{d.email}</code>
                    " with the password " <code>{d.password}</code> "."
                </p>
            })}
            <FormError form="login" />
            <form method="post" action="/api/login" novalidate>
                <CsrfField />
                <Field form="login" name="email" label="Email" kind="email" autocomplete="username" maxlength=254 />
                <Field form="login" name="password" label="Password" kind="password" autocomplete="current-password" maxlength=256 />
                <button type="submit">"Sign in"</button>
            </form>
        </PublicLayout>
    }
}

/// Choosing a password through a one-time link.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let token = query_param("token").unwrap_or_default();
    let state = crate::context::app_state();
    view! {
        <PublicLayout title="Choose your password".into()>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {
                    let token = token.clone();
                    let state = state.clone();
                    Suspend::new(async move {
                        let email = match &state {
                            Ok(s) if !token.is_empty() => {
                                s.services.password_link_email(&token).await.ok().flatten()
                            }
                            _ => None,
                        };
                        match email {
                            Some(email) => {
                                view! {
                                    <p>"Signing in as " <strong>{email}</strong> "."</p>
                                    <FormError form="set_password" />
                                    <form method="post" action="/api/set_password" novalidate>
                                        <CsrfField />
                                        <input type="hidden" name="token" value=token.clone() />
                                        <Field
                                            form="set_password"
                                            name="password"
                                            label="Password"
                                            kind="password"
                                            autocomplete="new-password"
                                            hint="At least 12 characters."
                                            maxlength=256
                                        />
                                        <Field
                                            form="set_password"
                                            name="confirm"
                                            label="Confirm password"
                                            kind="password"
                                            autocomplete="new-password"
                                            maxlength=256
                                        />
                                        <button type="submit">"Set password"</button>
                                    </form>
                                }
                                    .into_any()
                            }
                            None => {
                                view! {
                                    <p class="error" role="alert">
                                        "This link has expired or was already used. Ask an owner or admin of your workspace for a new one."
                                    </p>
                                    <p>
                                        <a href="/login">"Go to sign in"</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }
            </Suspense>
        </PublicLayout>
    }
}
