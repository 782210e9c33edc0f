//! Server functions of the tenant pages: check and save in the wizard, re-check, rotate the secret.
//! The secret is never put into a flash, a URL or a log line.
#![expect(
    clippy::too_many_arguments,
    reason = "forms post one field per setting"
)]

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
pub async fn save_connection(
    #[server(default)] draft_id: String,
    #[server(default)] then: String,
    #[server(default)] exclude_guests: Option<String>,
    #[server(default)] exclude_disabled: Option<String>,
    #[server(default)] exclude_unlicensed: Option<String>,
    #[server(default)] exclude_onmicrosoft_only: Option<String>,
    #[server(default)] contacts_only: Option<String>,
    #[server(default)] group_id: String,
    #[server(default)] service_accounts: String,
    #[server(default)] policy: String,
    #[server(default)] guard_percent: String,
    #[server(default)] schedule: String,
    #[server(default)] time: String,
    #[server(default)] time_zone: String,
    #[server(default)] every_hours: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let form = crate::tenants::settings::settings_form(
        [
            exclude_guests,
            exclude_disabled,
            exclude_unlicensed,
            exclude_onmicrosoft_only,
            contacts_only,
        ],
        [
            group_id,
            service_accounts,
            policy,
            guard_percent,
            schedule,
            time,
            time_zone,
            every_hours,
        ],
    );
    let result = match (cx.principal(), parse_id(&draft_id)) {
        // A post without any settings (not from the wizard's form) keeps the defaults.
        (Ok(p), Ok(d)) if form.policy.is_empty() && form.schedule.is_empty() => {
            state.services.save_connection(p, d).await
        }
        (Ok(p), Ok(d)) => {
            state
                .services
                .save_connection_with_settings(p, d, &form)
                .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    // A new connection matched to an organization syncs at once (or, when the person asked,
    // previews its first sync), as a queued run the person can follow.
    let preview = then == "preview";
    let first = match (&result, cx.principal()) {
        (Ok(id), Ok(p)) if preview => match state.services.preview_sync(p, *id).await {
            Ok(run) => Some(run),
            Err(e) => {
                tracing::warn!(error = %e, "the preview of a new connection's first sync was not queued");
                None
            }
        },
        (Ok(id), Ok(p)) => match state.services.first_sync(p, *id).await {
            Ok(run) => run,
            Err(e) => {
                tracing::warn!(error = %e, "the first sync of a new connection was not queued");
                None
            }
        },
        _ => None,
    };
    match (result, first) {
        (Ok(_), Some(run)) if preview => done(
            "The tenant connection was saved. Its first sync is being previewed: nothing is written until you apply it.",
            &format!("/sync-log/{run}"),
        ),
        (Ok(id), first) => done(
            if first.is_some() {
                "The tenant connection was saved. Its first sync has started: its progress and outcome are in the sync log."
            } else {
                "The tenant connection was saved."
            },
            &format!("/tenants/{id}"),
        ),
        (Err(e), _) => {
            let form_name = if matches!(e, CoreError::Invalid(_)) {
                "sync"
            } else {
                ""
            };
            refuse(
                form_name,
                &e,
                &crate::tenants::settings::kept(&form),
                &format!(
                    "/tenants/connect?draft={}",
                    urlencoding::encode(draft_id.trim())
                ),
            )
        }
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
