//! The admin API under `/_emulator/`: tenants and credentials, users, groups, secrets, roles,
//! faults, settings and the request log.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::faults::Faults;
use crate::scenario::{GroupSpec, UserSpec};
use crate::state::{AdminError, EmulatorHandle, NewSecret, Settings, Shared};

type S = State<Arc<Shared>>;

fn handle(s: &Arc<Shared>) -> EmulatorHandle {
    EmulatorHandle { shared: s.clone() }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::TenantNotFound(_) | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

fn done(r: Result<(), AdminError>) -> Response {
    match r {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

fn json_or<T: serde::Serialize>(r: Result<T, AdminError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/tenants", get(tenants))
        .route("/tenants/{t}", get(tenant))
        .route("/tenants/{t}/users", post(add_user))
        .route(
            "/tenants/{t}/users/{u}",
            axum::routing::patch(update_user).delete(remove_user),
        )
        .route("/tenants/{t}/users/{u}/restore", post(restore_user))
        .route("/tenants/{t}/groups", post(add_group))
        .route(
            "/tenants/{t}/groups/{g}",
            axum::routing::patch(update_group).delete(remove_group),
        )
        .route("/tenants/{t}/groups/{g}/members", post(add_member))
        .route("/tenants/{t}/groups/{g}/members/{m}", delete(remove_member))
        .route("/tenants/{t}/apps/{a}/secrets", post(add_secret))
        .route("/tenants/{t}/apps/{a}/secrets/{k}", delete(remove_secret))
        .route(
            "/tenants/{t}/apps/{a}/secrets/{k}/expire",
            post(expire_secret),
        )
        .route(
            "/tenants/{t}/apps/{a}/roles/{r}",
            put(grant_role).delete(revoke_role),
        )
        .route("/tenants/{t}/apps/{a}/consent", put(set_consent))
        .route(
            "/tenants/{t}/faults",
            get(get_faults).put(set_faults).delete(clear_faults),
        )
        .route("/tenants/{t}/delta/expire", post(expire_delta))
        .route("/tenants/{t}/report-settings", put(report_settings))
        .route("/settings", get(get_settings).put(set_settings))
        .route("/requests", get(requests).delete(clear_requests))
}

async fn tenants(State(s): S) -> Response {
    Json(handle(&s).credentials()).into_response()
}

async fn tenant(State(s): S, Path(t): Path<String>) -> Response {
    json_or(handle(&s).tenant_credentials(&t))
}

async fn add_user(State(s): S, Path(t): Path<String>, Json(spec): Json<UserSpec>) -> Response {
    match handle(&s).add_user(&t, &spec) {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn update_user(
    State(s): S,
    Path((t, u)): Path<(String, String)>,
    Json(patch): Json<Value>,
) -> Response {
    done(handle(&s).update_user(&t, &u, &patch))
}

#[derive(Debug, Deserialize)]
struct HardQuery {
    #[serde(default)]
    hard: bool,
}

async fn remove_user(
    State(s): S,
    Path((t, u)): Path<(String, String)>,
    Query(q): Query<HardQuery>,
) -> Response {
    done(handle(&s).remove_user(&t, &u, q.hard))
}

async fn restore_user(State(s): S, Path((t, u)): Path<(String, Uuid)>) -> Response {
    done(handle(&s).restore_user(&t, u))
}

async fn add_group(State(s): S, Path(t): Path<String>, Json(spec): Json<GroupSpec>) -> Response {
    match handle(&s).add_group(&t, &spec) {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupPatch {
    display_name: Option<String>,
    description: Option<String>,
}

async fn update_group(
    State(s): S,
    Path((t, g)): Path<(String, Uuid)>,
    Json(p): Json<GroupPatch>,
) -> Response {
    done(handle(&s).update_group(&t, g, p.display_name, p.description))
}

async fn remove_group(State(s): S, Path((t, g)): Path<(String, Uuid)>) -> Response {
    done(handle(&s).remove_group(&t, g))
}

#[derive(Debug, Deserialize)]
struct MemberBody {
    member: String,
}

async fn add_member(
    State(s): S,
    Path((t, g)): Path<(String, Uuid)>,
    Json(m): Json<MemberBody>,
) -> Response {
    done(handle(&s).add_member(&t, g, &m.member))
}

async fn remove_member(State(s): S, Path((t, g, m)): Path<(String, Uuid, Uuid)>) -> Response {
    done(handle(&s).remove_member(&t, g, m))
}

async fn add_secret(
    State(s): S,
    Path((t, a)): Path<(String, Uuid)>,
    body: Option<Json<NewSecret>>,
) -> Response {
    let req = body.map(|Json(b)| b).unwrap_or_default();
    match handle(&s).add_secret(&t, a, &req) {
        Ok(c) => (StatusCode::CREATED, Json(c)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn remove_secret(State(s): S, Path((t, a, k)): Path<(String, Uuid, Uuid)>) -> Response {
    done(handle(&s).remove_secret(&t, a, k))
}

async fn expire_secret(State(s): S, Path((t, a, k)): Path<(String, Uuid, Uuid)>) -> Response {
    done(handle(&s).expire_secret(&t, a, k))
}

async fn grant_role(State(s): S, Path((t, a, r)): Path<(String, Uuid, String)>) -> Response {
    done(handle(&s).grant_role(&t, a, &r))
}

async fn revoke_role(State(s): S, Path((t, a, r)): Path<(String, Uuid, String)>) -> Response {
    done(handle(&s).revoke_role(&t, a, &r))
}

#[derive(Debug, Deserialize)]
struct ConsentBody {
    granted: bool,
}

async fn set_consent(
    State(s): S,
    Path((t, a)): Path<(String, Uuid)>,
    Json(b): Json<ConsentBody>,
) -> Response {
    done(handle(&s).set_consent(&t, a, b.granted))
}

async fn get_faults(State(s): S, Path(t): Path<String>) -> Response {
    json_or(handle(&s).faults(&t))
}

async fn set_faults(State(s): S, Path(t): Path<String>, Json(f): Json<Faults>) -> Response {
    done(handle(&s).set_faults(&t, f))
}

async fn clear_faults(State(s): S, Path(t): Path<String>) -> Response {
    done(handle(&s).set_faults(&t, Faults::default()))
}

async fn expire_delta(State(s): S, Path(t): Path<String>) -> Response {
    done(handle(&s).expire_delta_tokens(&t))
}

#[derive(Debug, Deserialize)]
struct ReportSettingsBody {
    concealed_names: bool,
}

async fn report_settings(
    State(s): S,
    Path(t): Path<String>,
    Json(b): Json<ReportSettingsBody>,
) -> Response {
    done(handle(&s).set_concealed_names(&t, b.concealed_names))
}

async fn get_settings(State(s): S) -> Response {
    Json(handle(&s).settings()).into_response()
}

async fn set_settings(State(s): S, Json(settings): Json<Settings>) -> Response {
    handle(&s).set_settings(settings);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    tenant: Option<Uuid>,
    limit: Option<usize>,
}

async fn requests(State(s): S, Query(q): Query<LogQuery>) -> Response {
    let mut log = handle(&s).requests();
    if let Some(t) = q.tenant {
        log.retain(|e| e.tenant == Some(t));
    }
    if let Some(n) = q.limit {
        let skip = log.len().saturating_sub(n);
        log.drain(..skip);
    }
    Json(log).into_response()
}

async fn clear_requests(State(s): S) -> Response {
    handle(&s).clear_requests();
    StatusCode::NO_CONTENT.into_response()
}
