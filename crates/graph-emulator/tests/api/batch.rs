//! `POST /$batch`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestEmu, one_tenant};

async fn batch(t: &TestEmu, token: &str, body: &Value) -> (StatusCode, Value) {
    let r = t
        .http
        .post(format!("{}/$batch", t.emu.graph_url()))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_batch_answers_each_request_with_its_own_status() {
    let t = TestEmu::start(one_tenant(5)).await;
    let token = t.token(0).await;
    let (status, body) = batch(
        &t,
        &token,
        &json!({"requests": [
            {"id": "1", "method": "GET", "url": "/organization"},
            {"id": "2", "method": "GET", "url": "users/00000000-0000-4000-8000-000000000000"},
            {"id": "3", "method": "GET", "url": "/users?$top=1000"},
            {"id": "4", "method": "GET", "url": "/users?$top=2&$select=displayName"},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 4);
    let status_of = |id: &str| {
        responses.iter().find(|r| r["id"] == id).unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(status_of("1"), 200);
    assert_eq!(status_of("2"), 404);
    assert_eq!(status_of("3"), 400);
    assert_eq!(status_of("4"), 200);
    let four = responses.iter().find(|r| r["id"] == "4").unwrap();
    assert!(
        four["body"]["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with(t.emu.base_url())
    );
    let order: Vec<&str> = responses
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_ne!(order, ["1", "2", "3", "4"], "answers come out of order");
}

#[tokio::test]
async fn a_failed_dependency_gives_424() {
    let t = TestEmu::start(one_tenant(5)).await;
    let token = t.token(0).await;
    let (_, body) = batch(
        &t,
        &token,
        &json!({"requests": [
            {"id": "a", "method": "GET", "url": "/groups/00000000-0000-4000-8000-000000000000"},
            {"id": "b", "method": "GET", "url": "/organization", "dependsOn": ["a"]},
            {"id": "c", "method": "GET", "url": "/organization"},
            {"id": "d", "method": "GET", "url": "/subscribedSkus", "dependsOn": ["c"]},
        ]}),
    )
    .await;
    let responses = body["responses"].as_array().unwrap();
    let status_of = |id: &str| {
        responses.iter().find(|r| r["id"] == id).unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(status_of("a"), 404);
    assert_eq!(status_of("b"), 424);
    assert_eq!(status_of("d"), 200);
}

#[tokio::test]
async fn malformed_batches_are_refused_whole() {
    let t = TestEmu::start(one_tenant(1)).await;
    let token = t.token(0).await;
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/organization"}))
        .collect();
    let (status, _) = batch(&t, &token, &json!({ "requests": many })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = batch(
        &t,
        &token,
        &json!({"requests": [
            {"id": "x", "method": "GET", "url": "/organization"},
            {"id": "X", "method": "GET", "url": "/organization"},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
