//! Server functions of the account pages: setup, sign-in, sign-out, set password, switch workspace.

use leptos::prelude::*;

use crate::{
    SESSION_COOKIE,
    context::{app_state, request_context},
    shell::respond::{cookie, done, refuse, set_cookie},
};

/// Sets the session cookie for a newly started session.
fn start(token: &str) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let max_age = roster_core::SessionPolicy::default().absolute.as_secs();
    set_cookie(&cookie(
        SESSION_COOKIE,
        token,
        Some(max_age),
        state.secure_cookies,
    ));
    Ok(())
}

#[server(endpoint = "setup")]
pub async fn setup(
    #[server(default)] workspace_name: String,
    #[server(default)] name: String,
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let form = roster_core::auth::SetupForm {
        workspace_name: workspace_name.clone(),
        name: name.clone(),
        email: email.clone(),
        password,
    };
    match state.services.setup(&form).await {
        Ok(started) => {
            start(&started.token)?;
            done(
                "Your workspace is ready. Connect your first tenant from the Tenants page.",
                "/",
            );
        }
        Err(e) => refuse(
            "setup",
            &e,
            &[
                ("workspace_name", &workspace_name),
                ("name", &name),
                ("email", &email),
            ],
            "/setup",
        ),
    }
    Ok(())
}

#[server(endpoint = "login")]
pub async fn login(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    match state
        .services
        .login(&email, &password, &cx.client_addr)
        .await
    {
        Ok(started) => {
            // A fresh session id at every sign-in; the old session, if any, is ended.
            if let Some(old) = &cx.session_token {
                let _ = state.services.logout(old).await;
            }
            start(&started.token)?;
            leptos_axum::redirect(if started.principal.is_some() {
                "/"
            } else {
                "/admin"
            });
        }
        Err(e) => refuse("login", &e, &[("email", &email)], "/login"),
    }
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    if let Some(token) = &cx.session_token
        && let Err(e) = state.services.logout(token).await
    {
        tracing::warn!(op_id = %cx.op_id, error = %e, "could not delete a session");
    }
    set_cookie(&cookie(SESSION_COOKIE, "", Some(0), state.secure_cookies));
    done("You are signed out.", "/login");
    Ok(())
}

#[server(endpoint = "set_password")]
pub async fn set_password(
    #[server(default)] token: String,
    #[server(default)] password: String,
    #[server(default)] confirm: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let back = format!("/set-password?token={}", urlencoding::encode(&token));
    match state
        .services
        .redeem_password_link(&token, &password, &confirm)
        .await
    {
        Ok(()) => done("Your password is set. Sign in with it now.", "/login"),
        Err(e) => refuse("set_password", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "switch_workspace")]
pub async fn switch_workspace(
    #[server(default)] workspace_id: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let (Some(session), Some(token)) = (&cx.session, &cx.session_token) else {
        refuse("", &roster_core::CoreError::Unauthenticated, &[], "/login");
        return Ok(());
    };
    let Ok(target) = workspace_id.parse() else {
        refuse("", &roster_core::CoreError::NotFound, &[], "/");
        return Ok(());
    };
    match state
        .services
        .switch_workspace(token, session, target)
        .await
    {
        Ok(started) => {
            start(&started.token)?;
            leptos_axum::redirect("/");
        }
        Err(e) => refuse("", &e, &[], "/"),
    }
    Ok(())
}
