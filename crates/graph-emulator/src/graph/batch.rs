//! `POST /$batch`: up to 20 requests, answered in a shuffled order, with `dependsOn` and 424.

use std::collections::{HashMap, HashSet};

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Ctx, GraphRequest, R, Reply, dispatch, reply_parts, split_query, to_json};

#[derive(Debug, Deserialize)]
struct BatchBody {
    requests: Vec<BatchItem>,
}

#[derive(Debug, Deserialize)]
struct BatchItem {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default, rename = "dependsOn")]
    depends_on: Vec<String>,
}

fn item_response(id: &str, reply: &Reply) -> Value {
    let (status, body) = reply_parts(reply);
    let mut headers = Map::new();
    if !matches!(reply.body, super::ReplyBody::Empty) {
        headers.insert(
            "Content-Type".to_owned(),
            Value::String(reply.content_type().to_owned()),
        );
    }
    for (k, v) in &reply.headers {
        headers.insert(k.as_str().to_owned(), Value::String(v.clone()));
    }
    let mut obj = Map::new();
    obj.insert("id".to_owned(), Value::String(id.to_owned()));
    obj.insert("status".to_owned(), json!(status));
    obj.insert("headers".to_owned(), Value::Object(headers));
    if !body.is_null() {
        obj.insert("body".to_owned(), body);
    }
    Value::Object(obj)
}

/// Runs a batch.
pub(crate) fn run(ctx: &Ctx<'_>) -> R {
    let batch: BatchBody = serde_json::from_slice(&ctx.req.body)
        .map_err(|_| ctx.bad_request("BadRequest", "Invalid batch payload format."))?;
    if batch.requests.is_empty() {
        return Err(ctx.bad_request("BadRequest", "Invalid batch payload format: no requests."));
    }
    if batch.requests.len() > 20 {
        return Err(ctx.bad_request(
            "BadRequest",
            "The number of requests in a batch cannot exceed 20.",
        ));
    }
    let mut ids = HashSet::new();
    for r in &batch.requests {
        if !ids.insert(r.id.to_lowercase()) {
            return Err(ctx.bad_request(
                "BadRequest",
                &format!(
                    "Batch request ids must be unique: '{}' appears twice.",
                    r.id
                ),
            ));
        }
        if r.body.is_some()
            && !r
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            return Err(ctx.bad_request(
                "BadRequest",
                &format!("Request '{}' has a body but no Content-Type header.", r.id),
            ));
        }
    }
    for r in &batch.requests {
        for d in &r.depends_on {
            if !ids.contains(&d.to_lowercase()) {
                return Err(ctx.bad_request(
                    "BadRequest",
                    &format!("Request '{}' depends on unknown request '{d}'.", r.id),
                ));
            }
        }
    }
    // Run in dependency order; a request whose dependency failed gets 424.
    let mut done: HashMap<String, u16> = HashMap::new();
    let mut results: Vec<(String, Value)> = Vec::new();
    let mut pending: Vec<&BatchItem> = batch.requests.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for item in pending {
            let deps: Option<Vec<u16>> = item
                .depends_on
                .iter()
                .map(|d| done.get(&d.to_lowercase()).copied())
                .collect();
            let Some(deps) = deps else {
                rest.push(item);
                continue;
            };
            let reply = if deps.iter().any(|s| *s >= 400) {
                ctx.err(
                    StatusCode::FAILED_DEPENDENCY,
                    "FailedDependency",
                    "A request this request depends on failed.",
                )
            } else {
                run_item(ctx, item)
            };
            done.insert(item.id.to_lowercase(), reply.status.as_u16());
            results.push((item.id.clone(), item_response(&item.id, &reply)));
        }
        if rest.len() == before {
            // A dependency cycle: fail what is left.
            for item in &rest {
                let reply = ctx.err(
                    StatusCode::FAILED_DEPENDENCY,
                    "FailedDependency",
                    "The dependencies of this request form a cycle.",
                );
                results.push((item.id.clone(), item_response(&item.id, &reply)));
            }
            break;
        }
        pending = rest;
    }
    // Answers come back out of order: sort by a hash of the id.
    results.sort_by_key(|(id, _)| {
        id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    });
    let responses: Vec<Value> = results.into_iter().map(|(_, v)| v).collect();
    Ok(Reply::ok_json(to_json(&json!({ "responses": responses }))))
}

fn run_item(ctx: &Ctx<'_>, item: &BatchItem) -> Reply {
    let Ok(method) = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes()) else {
        return ctx.bad_request("BadRequest", &format!("Invalid method '{}'.", item.method));
    };
    let url = item.url.trim();
    if url.starts_with("http://") || url.starts_with("https://") {
        return ctx.bad_request("BadRequest", "Batch request URLs must be relative.");
    }
    let url = url.trim_start_matches('/');
    let url = url.strip_prefix("v1.0/").unwrap_or(url);
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("$batch"))
    {
        return ctx.bad_request("BadRequest", "A batch cannot contain another batch.");
    }
    let mut headers = HeaderMap::new();
    for (k, v) in &item.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.insert(k, v);
        }
    }
    let sub = GraphRequest {
        method,
        segments,
        query: split_query(query),
        headers,
        body: item
            .body
            .as_ref()
            .map(|b| bytes::Bytes::from(to_json(b)))
            .unwrap_or_default(),
        ids: ctx.req.ids.clone(),
    };
    dispatch(ctx.shared, ctx.caller, &sub, ctx.now)
}
