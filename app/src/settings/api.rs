//! Server functions of the settings pages. Each one: context, one `Services` call (which checks the role), the answer.

use leptos::prelude::*;
use roster_core::CoreError;

use crate::context::{app_state, base_url, request_context};
use crate::flash::Flash;
use crate::shell::respond::{done, flash_redirect, refuse};

const MEMBERS: &str = "/settings/members";

fn link(state: &crate::AppState, token: &str) -> String {
    format!("{}/set-password?token={token}", base_url(state))
}

fn parse_member(id: &str) -> Result<roster_domain::MemberId, CoreError> {
    id.parse().map_err(|_| CoreError::NotFound)
}

#[server(endpoint = "add_member")]
pub async fn add_member(
    #[server(default)] name: String,
    #[server(default)] email: String,
    #[server(default)] role: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match cx.principal() {
        Ok(p) => state.services.add_member(p, &email, &name, &role).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(added) => {
            let mut flash = Flash::notice(format!(
                "{} was added. Send them the link below so they can choose a password.",
                added.member.email
            ));
            flash.reveal = Some(link(&state, &added.link_token));
            flash_redirect(&flash, MEMBERS);
        }
        Err(e) => refuse(
            "add_member",
            &e,
            &[("name", &name), ("email", &email), ("role", &role)],
            MEMBERS,
        ),
    }
    Ok(())
}

#[server(endpoint = "change_role")]
pub async fn change_role(
    #[server(default)] member_id: String,
    #[server(default)] role: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), parse_member(&member_id)) {
        (Ok(p), Ok(m)) => state.services.change_role(p, m, &role).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done("The role was changed.", MEMBERS),
        Err(e) => refuse("", &e, &[], MEMBERS),
    }
    Ok(())
}

#[server(endpoint = "set_member_disabled")]
pub async fn set_member_disabled(
    #[server(default)] member_id: String,
    #[server(default)] disabled: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let disabled = disabled == "true";
    let result = match (cx.principal(), parse_member(&member_id)) {
        (Ok(p), Ok(m)) => state.services.set_member_disabled(p, m, disabled).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) if disabled => done("The member was disabled and signed out.", MEMBERS),
        Ok(()) => done("The member can sign in again.", MEMBERS),
        Err(e) => refuse("", &e, &[], MEMBERS),
    }
    Ok(())
}

#[server(endpoint = "new_password_link")]
pub async fn new_password_link(#[server(default)] member_id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), parse_member(&member_id)) {
        (Ok(p), Ok(m)) => state.services.new_password_link(p, m).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(token) => {
            let mut flash = Flash::notice("A new set-password link was created.");
            flash.reveal = Some(link(&state, &token));
            flash_redirect(&flash, MEMBERS);
        }
        Err(e) => refuse("", &e, &[], MEMBERS),
    }
    Ok(())
}

#[server(endpoint = "create_workspace")]
pub async fn create_workspace(
    #[server(default)] workspace_name: String,
    #[server(default)] name: String,
    #[server(default)] email: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match cx.session.as_ref().map(|s| state.services.server_admin(s)) {
        Some(Ok(admin)) => {
            state
                .services
                .create_workspace(&admin, &workspace_name, &name, &email)
                .await
        }
        Some(Err(e)) => Err(e),
        None => Err(CoreError::Unauthenticated),
    };
    match result {
        Ok((_, link_token)) => {
            let mut flash = Flash::notice(format!("Workspace {workspace_name:?} was created."));
            flash.reveal = link_token.map(|t| link(&state, &t));
            flash_redirect(&flash, "/admin");
        }
        Err(e) => refuse(
            "create_workspace",
            &e,
            &[
                ("workspace_name", &workspace_name),
                ("name", &name),
                ("email", &email),
            ],
            "/admin",
        ),
    }
    Ok(())
}
