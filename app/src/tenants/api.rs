//! Server functions of the tenant pages: check and save in the wizard, re-check, rotate the secret.
//! The secret is never put into a flash, a URL or a log line.

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::connections::ConnectForm;

use crate::context::{app_state, request_context};
use crate::shell::respond::{done, refuse};

fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, CoreError> {
    s.trim().parse().map_err(|_| CoreError::NotFound)
}

#[server(endpoint = "check_connection")]
pub async fn check_connection(
    #[server(default)] draft_id: String,
    #[server(default)] organization_id: String,
    #[server(default)] tenant: String,
    #[server(default)] client_id: String,
    #[server(default)] secret: String,
    #[server(default)] secret_expires_on: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let form = ConnectForm {
        draft_id: draft_id.clone(),
        organization_id: organization_id.clone(),
        tenant: tenant.clone(),
        client_id: client_id.clone(),
        secret,
        secret_expires_on: secret_expires_on.clone(),
    };
    let result = match cx.principal() {
        Ok(p) => state.services.check_draft(p, &form, None).await,
        Err(e) => Err(e),
    };
    let back = if draft_id.trim().is_empty() {
        "/tenants/connect".to_owned()
    } else {
        format!(
            "/tenants/connect?draft={}",
            urlencoding::encode(draft_id.trim())
        )
    };
    match result {
        Ok(id) => leptos_axum::redirect(&format!("/tenants/connect?draft={id}")),
        Err(e) => refuse(
            "connect",
            &e,
            &[
                ("organization_id", &organization_id),
                ("tenant", &tenant),
                ("client_id", &client_id),
                ("secret_expires_on", &secret_expires_on),
            ],
            &back,
        ),
    }
    Ok(())
}

#[server(endpoint = "save_connection")]
pub async fn save_connection(#[server(default)] draft_id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), parse_id(&draft_id)) {
        (Ok(p), Ok(d)) => state.services.save_connection(p, d).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    // A new connection matched to an organization syncs at once: its first run is queued and
    // the person follows it on the run's page.
    let first = match (&result, cx.principal()) {
        (Ok(id), Ok(p)) => match state.services.first_sync(p, *id).await {
            Ok(run) => run,
            Err(e) => {
                tracing::warn!(error = %e, "the first sync of a new connection was not queued");
                None
            }
        },
        _ => None,
    };
    match result {
        Ok(id) => done(
            if first.is_some() {
                "The tenant connection was saved. Its first sync has started: its progress and outcome are in the sync log."
            } else {
                "The tenant connection was saved."
            },
            &format!("/tenants/{id}"),
        ),
        Err(e) => refuse(
            "",
            &e,
            &[],
            &format!(
                "/tenants/connect?draft={}",
                urlencoding::encode(draft_id.trim())
            ),
        ),
    }
    Ok(())
}

#[server(endpoint = "recheck_connection")]
pub async fn recheck_connection(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/tenants/{}", urlencoding::encode(id.trim()));
    let result = match (cx.principal(), parse_id(&id)) {
        (Ok(p), Ok(id)) => state.services.recheck_connection(p, id).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(report) => done(format!("Connection checked: {}", report.summary), &back),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "check_rotation")]
pub async fn check_rotation(
    #[server(default)] id: String,
    #[server(default)] draft_id: String,
    #[server(default)] secret: String,
    #[server(default)] secret_expires_on: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/tenants/{}/rotate", urlencoding::encode(id.trim()));
    let form = ConnectForm {
        draft_id: draft_id.clone(),
        secret,
        secret_expires_on: secret_expires_on.clone(),
        ..ConnectForm::default()
    };
    let result = match (cx.principal(), parse_id(&id)) {
        (Ok(p), Ok(conn)) => state.services.check_draft(p, &form, Some(conn)).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(d) => leptos_axum::redirect(&format!("{back}?draft={d}")),
        Err(e) => {
            let back = if draft_id.trim().is_empty() {
                back
            } else {
                format!("{back}?draft={}", urlencoding::encode(draft_id.trim()))
            };
            refuse(
                "rotate",
                &e,
                &[("secret_expires_on", &secret_expires_on)],
                &back,
            )
        }
    }
    Ok(())
}

#[server(endpoint = "finish_rotation")]
pub async fn finish_rotation(#[server(default)] draft_id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), parse_id(&draft_id)) {
        (Ok(p), Ok(d)) => state.services.finish_rotation(p, d).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(id) => done(
            "The new secret is in use. You can now delete the old secret in Entra.",
            &format!("/tenants/{id}"),
        ),
        Err(e) => refuse("", &e, &[], "/tenants"),
    }
    Ok(())
}
