//! Paging completeness: every user exactly once, whatever the tenant size.

use std::collections::HashSet;

use crate::helpers::{TestEmu, one_tenant};

async fn every_user_exactly_once(users: u32, top: u32) {
    let t = TestEmu::start(one_tenant(users)).await;
    let token = t.token(0).await;
    let items = t
        .list_all(&token, &format!("users?$top={top}&$select=id"), &[])
        .await;
    let ids: HashSet<&str> = items.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(items.len(), users as usize, "items");
    assert_eq!(ids.len(), users as usize, "distinct ids");
    assert_eq!(t.creds(0).users, users as usize);
}

#[tokio::test]
async fn paging_an_empty_tenant_gives_one_empty_page() {
    let t = TestEmu::start(one_tenant(0)).await;
    let token = t.token(0).await;
    let (_, body) = t.get(&token, "users?$top=999").await;
    assert_eq!(body["value"].as_array().unwrap().len(), 0);
    assert!(body.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn paging_one_user_yields_it_once() {
    every_user_exactly_once(1, 999).await;
}

#[tokio::test]
async fn paging_999_users_yields_each_once() {
    every_user_exactly_once(999, 999).await;
}

#[tokio::test]
async fn paging_1000_users_yields_each_once_over_two_pages() {
    let t = TestEmu::start(one_tenant(1000)).await;
    let token = t.token(0).await;
    let (_, first) = t.get(&token, "users?$top=999").await;
    assert_eq!(first["value"].as_array().unwrap().len(), 999);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/v1.0/users?", t.emu.base_url())),
        "{next}"
    );
    assert!(next.contains("$skiptoken="));
    let (_, second) = t.get(&token, next).await;
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert!(second.get("@odata.nextLink").is_none());
    every_user_exactly_once(1000, 999).await;
}

// Completeness at 100,000 users is checked by `roster-bench emulator` (each listing must yield
// every user exactly once), which is too slow for the test suite on a debug build.

#[tokio::test]
async fn paging_20000_users_yields_each_once() {
    every_user_exactly_once(20_000, 999).await;
}

#[tokio::test]
async fn the_default_page_size_is_100() {
    let t = TestEmu::start(one_tenant(250)).await;
    let token = t.token(0).await;
    let (_, body) = t.get(&token, "users").await;
    assert_eq!(body["value"].as_array().unwrap().len(), 100);
    assert!(body["@odata.nextLink"].is_string());
}

#[tokio::test]
async fn a_skip_token_from_another_tenant_is_refused() {
    let t = TestEmu::start(roster_graph_emulator::Scenario::generated(2, 150, 9)).await;
    let (_, body) = t.get(&t.token(0).await, "users").await;
    let next = body["@odata.nextLink"].as_str().unwrap().to_owned();
    let (status, body) = t.get(&t.token(1).await, &next).await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{body}");
}
