//! Loading a page's data on the server: the acting member, the application state, one async load,
//! and a plain message (with the operation id for internal failures) when it fails.

use leptos::prelude::*;
use roster_core::{CoreError, Principal};
use std::future::Future;

use crate::context::{AppState, app_state, request_context};

/// Shows a failed page load: a plain message and, for internal failures, the operation id (logged too).
pub fn load_error(err: CoreError) -> AnyView {
    let op_id = request_context().op_id;
    let text = match &err {
        CoreError::Forbidden => "Your role does not allow you to see this page.".to_owned(),
        CoreError::NotFound => "That does not exist.".to_owned(),
        CoreError::Unauthenticated => "Please sign in.".to_owned(),
        CoreError::Internal(_) => {
            tracing::error!(op_id = %op_id, error = ?err, "page failed to load");
            format!("Something went wrong while loading this page. Operation id: {op_id}.")
        }
        other => other.to_string(),
    };
    let status = match &err {
        CoreError::Forbidden => http::StatusCode::FORBIDDEN,
        CoreError::NotFound => http::StatusCode::NOT_FOUND,
        CoreError::Unauthenticated => http::StatusCode::UNAUTHORIZED,
        CoreError::Internal(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
        _ => http::StatusCode::BAD_REQUEST,
    };
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
    view! { <p class="error" role="alert">{text}</p> }.into_any()
}

/// Renders what `load` produces for the signed-in member; the page is sent once it has resolved.
pub fn for_member<F, Fut>(load: F) -> impl IntoView
where
    F: Fn(Principal, AppState) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = AnyView> + Send + 'static,
{
    let cx = request_context();
    let state = app_state();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let principal = cx.principal().cloned();
                let state = state.clone();
                let load = load.clone();
                Suspend::new(async move {
                    match (principal, state) {
                        (Ok(p), Ok(s)) => load(p, s).await,
                        (Err(e), _) => load_error(e),
                        (_, Err(_)) => load_error(CoreError::Internal("no application state".into())),
                    }
                })
            }
        </Suspense>
    }
}
