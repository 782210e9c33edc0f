//! `/users/delta`: rounds, changes, removals and expiry.

use std::collections::HashSet;

use reqwest::StatusCode;
use roster_graph_emulator::UserSpec;
use serde_json::Value;

use crate::graph_error_snapshot;
use crate::helpers::{TestEmu, one_tenant};

/// Follows a delta round to its deltaLink; returns the items and the deltaLink.
async fn round(t: &TestEmu, token: &str, start: &str) -> (Vec<Value>, String) {
    round_with(t, token, start, &[]).await
}

/// [`round`] sending `headers` with every page.
async fn round_with(
    t: &TestEmu,
    token: &str,
    start: &str,
    headers: &[(&str, &str)],
) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut url = start.to_owned();
    loop {
        let (s, _, b) = t.get_with(token, &url, headers).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(!(b.get("@odata.nextLink").is_some() && b.get("@odata.deltaLink").is_some()));
        items.extend(b["value"].as_array().unwrap().iter().cloned());
        if let Some(n) = b["@odata.nextLink"].as_str() {
            url = n.to_owned();
        } else {
            return (items, b["@odata.deltaLink"].as_str().unwrap().to_owned());
        }
    }
}

#[tokio::test]
async fn a_first_round_returns_every_user_then_a_delta_link() {
    let t = TestEmu::start(one_tenant(250)).await;
    let token = t.token(0).await;
    let (items, link) = round(
        &t,
        &token,
        "users/delta?$select=displayName,givenName,surname",
    )
    .await;
    let ids: HashSet<&str> = items.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 250);
    assert!(items.iter().all(|u| u.as_object().unwrap().len() == 4));
    assert!(link.starts_with(&format!(
        "{}/v1.0/users/delta?$deltatoken=",
        t.emu.base_url()
    )));
    let (again, _) = round(&t, &token, &link).await;
    assert!(again.is_empty());
}

#[tokio::test]
async fn changes_and_removals_appear_in_the_next_round() {
    let t = TestEmu::start(one_tenant(20)).await;
    let token = t.token(0).await;
    let (items, link) = round(&t, &token, "users/delta?$select=displayName,jobTitle").await;
    let h = t.emu.handle();
    let tid = t.tid(0);
    let a = items[0]["id"].as_str().unwrap().to_owned();
    let b = items[1]["id"].as_str().unwrap().to_owned();
    let c = items[2]["id"].as_str().unwrap().to_owned();
    h.update_user(&tid, &a, &serde_json::json!({"job_title": "Chief Tester"}))
        .unwrap();
    h.remove_user(&tid, &b, false).unwrap();
    h.remove_user(&tid, &c, true).unwrap();
    let new = h
        .add_user(
            &tid,
            &UserSpec {
                display_name: "Nova Newhire".to_owned(),
                ..UserSpec::default()
            },
        )
        .unwrap();
    let (changes, _) = round(&t, &token, &link).await;
    assert_eq!(changes.len(), 4, "{changes:?}");
    let by_id = |id: &str| changes.iter().find(|x| x["id"] == id).unwrap().clone();
    assert_eq!(by_id(&a)["jobTitle"], "Chief Tester");
    assert_eq!(by_id(&b)["@removed"]["reason"], "changed");
    assert_eq!(by_id(&b).as_object().unwrap().len(), 2);
    assert_eq!(by_id(&c)["@removed"]["reason"], "deleted");
    assert_eq!(by_id(&new.to_string())["displayName"], "Nova Newhire");
}

#[tokio::test]
async fn an_expired_delta_link_gets_sync_state_not_found() {
    let t = TestEmu::start(one_tenant(5)).await;
    let token = t.token(0).await;
    let (_, link) = round(&t, &token, "users/delta").await;
    t.advance(7 * 86_400 + 1);
    let token = t.token(0).await;
    let (status, body) = t.get(&token, &link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "syncStateNotFound");
    graph_error_snapshot!("delta_expired", body);
    // The admin switch expires links at once.
    let (_, link) = round(&t, &token, "users/delta").await;
    t.emu.handle().expire_delta_tokens(&t.tid(0)).unwrap();
    assert_eq!(
        t.get(&token, &link).await.1["error"]["code"],
        "syncStateNotFound"
    );
}

#[tokio::test]
async fn delta_token_latest_starts_from_now() {
    let t = TestEmu::start(one_tenant(5)).await;
    let token = t.token(0).await;
    let (items, link) = round(&t, &token, "users/delta?$deltatoken=latest").await;
    assert!(items.is_empty());
    t.emu
        .handle()
        .add_user(
            &t.tid(0),
            &UserSpec {
                display_name: "Late Joiner".to_owned(),
                ..UserSpec::default()
            },
        )
        .unwrap();
    let (items, _) = round(&t, &token, &link).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["displayName"], "Late Joiner");
}

#[tokio::test]
async fn a_round_filtered_by_id_tracks_only_the_named_users() {
    let t = TestEmu::start(one_tenant(30)).await;
    let token = t.token(0).await;
    let (all, _) = round(&t, &token, "users/delta?$select=displayName").await;
    let id = |i: usize| all[i]["id"].as_str().unwrap().to_owned();
    let (a, b, outside) = (id(3), id(7), id(11));
    let (items, link) = round(
        &t,
        &token,
        &format!("users/delta?$select=displayName&$filter=id eq '{a}' or id eq '{b}'"),
    )
    .await;
    let ids: HashSet<&str> = items.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, HashSet::from([a.as_str(), b.as_str()]));
    assert!(
        link.contains("$deltatoken="),
        "the filter lives in the link"
    );

    let h = t.emu.handle();
    let tid = t.tid(0);
    for user in [&a, &outside] {
        h.update_user(&tid, user, &serde_json::json!({"job_title": "Auditor"}))
            .unwrap();
    }
    h.remove_user(&tid, &b, false).unwrap();
    let (changes, _) = round(&t, &token, &link).await;
    let changed: HashSet<&str> = changes.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(changed, HashSet::from([a.as_str(), b.as_str()]));
    assert_eq!(
        changes.iter().find(|u| u["id"] == b.as_str()).unwrap()["@removed"]["reason"],
        "changed"
    );
}

#[tokio::test]
async fn a_delta_filter_accepts_only_id_equality_for_at_most_50_ids() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    let (status, body) = t
        .get(&token, "users/delta?$filter=displayName eq 'Ada'")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");

    let clauses: Vec<String> = (0..51)
        .map(|i| format!("id eq '00000000-0000-4000-8000-{i:012}'"))
        .collect();
    let (status, body) = t
        .get(
            &token,
            &format!("users/delta?$filter={}", clauses.join(" or ")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    let (status, _) = t
        .get(
            &token,
            &format!("users/delta?$filter={}", clauses[..50].join(" or ")),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_minimal_round_shows_only_the_properties_that_changed() {
    let t = TestEmu::start(one_tenant(30)).await;
    let token = t.token(0).await;
    let minimal = [("Prefer", "return=minimal")];
    let (all, link) = round_with(
        &t,
        &token,
        "users/delta?$select=displayName,jobTitle,mobilePhone,city",
        &minimal,
    )
    .await;
    assert!(
        all.iter().all(|u| u.as_object().unwrap().len() == 5),
        "a first round is whole"
    );
    let phone = all.iter().find(|u| u["mobilePhone"].is_string()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let h = t.emu.handle();
    let tid = t.tid(0);
    h.update_user(
        &tid,
        &phone,
        &serde_json::json!({"job_title": "Archivist", "mobile_phone": null}),
    )
    .unwrap();
    h.update_user(&tid, &phone, &serde_json::json!({"city": "Lyon"}))
        .unwrap();
    let new = h
        .add_user(
            &tid,
            &UserSpec {
                display_name: "Wren Whole".to_owned(),
                ..UserSpec::default()
            },
        )
        .unwrap()
        .to_string();

    let (minimal_items, _) = round_with(&t, &token, &link, &minimal).await;
    let (full_items, _) = round(&t, &token, &link).await;

    let changed = minimal_items
        .iter()
        .find(|u| u["id"] == phone.as_str())
        .unwrap();
    let changed = changed.as_object().unwrap();
    let mut keys: Vec<&str> = changed.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["city", "id", "jobTitle", "mobilePhone"],
        "{changed:?}"
    );
    assert_eq!(
        changed["mobilePhone"],
        Value::Null,
        "a cleared value is null"
    );
    assert_eq!(changed["city"], "Lyon");
    let created = minimal_items
        .iter()
        .find(|u| u["id"] == new.as_str())
        .unwrap();
    assert_eq!(created.as_object().unwrap().len(), 5, "a new user is whole");
    let same_user_full = full_items
        .iter()
        .find(|u| u["id"] == phone.as_str())
        .unwrap();
    assert_eq!(
        same_user_full.as_object().unwrap().len(),
        5,
        "without the preference every selected property comes"
    );
}
