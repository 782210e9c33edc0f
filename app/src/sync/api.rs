//! Server functions of syncing: Sync now.

use leptos::prelude::*;
use roster_core::CoreError;

use crate::context::{app_state, request_context};
use crate::shell::respond::{done, refuse};

#[server(endpoint = "sync_now")]
pub async fn sync_now(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/tenants/{}", urlencoding::encode(id.trim()));
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => state.services.sync_now(p, id).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(run) => done(
            "The sync was started; this page shows its progress and then its outcome.",
            &format!("/sync-log/{run}"),
        ),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "confirm_run")]
pub async fn confirm_run(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/sync-log/{}", urlencoding::encode(id.trim()));
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => state.services.confirm_run(p, id).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done("The run was confirmed and its plan applied.", &back),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "discard_run")]
pub async fn discard_run(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/sync-log/{}", urlencoding::encode(id.trim()));
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => state.services.discard_run(p, id).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done("The run was discarded; nothing of it was written.", &back),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "preview_sync")]
pub async fn preview_sync(#[server(default)] id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/tenants/{}", urlencoding::encode(id.trim()));
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => state.services.preview_sync(p, id).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(run) => done(
            "The preview is being prepared; nothing will be written unless you apply it.",
            &format!("/sync-log/{run}"),
        ),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "apply_picked")]
pub async fn apply_picked(
    #[server(default)] id: String,
    #[server(default)] pick: Vec<String>,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/sync-log/{}", urlencoding::encode(id.trim()));
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => state.services.apply_picked(p, id, &pick).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(n) => done(
            format!("{n} line(s) of the plan applied; the rest was not written."),
            &back,
        ),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}
