//! `/users`: default properties, `$select`, `$top`, filters, counts and signInActivity.

use reqwest::StatusCode;
use serde_json::Value;

use crate::graph_error_snapshot;
use crate::helpers::{TestEmu, one_tenant};

const DEFAULTS: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

#[tokio::test]
async fn the_default_listing_has_exactly_the_eleven_default_properties() {
    let t = TestEmu::start(one_tenant(40)).await;
    let (status, body) = t.get(&t.token(0).await, "users").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["@odata.context"],
        format!("{}/v1.0/$metadata#users", t.emu.base_url())
    );
    for u in body["value"].as_array().unwrap() {
        let mut keys: Vec<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, DEFAULTS);
        assert!(u["businessPhones"].is_array());
    }
}

#[tokio::test]
async fn selected_properties_without_value_are_null_and_others_absent() {
    let t = TestEmu::start(one_tenant(60)).await;
    let token = t.token(0).await;
    let (_, body) = t
        .get(
            &token,
            "users?$select=displayName,mobilePhone,accountEnabled,proxyAddresses,userType",
        )
        .await;
    let users = body["value"].as_array().unwrap();
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users(displayName,mobilePhone,accountEnabled,proxyAddresses,userType)",
            t.emu.base_url()
        )
    );
    for u in users {
        let o = u.as_object().unwrap();
        assert_eq!(o.len(), 6, "{u}");
        assert!(o.contains_key("mobilePhone"));
        assert!(!o.contains_key("mail"));
        assert!(u["proxyAddresses"].is_array());
        assert!(u["userType"] == "Member" || u["userType"] == "Guest");
    }
    assert!(
        users.iter().any(|u| u["mobilePhone"].is_null()),
        "some user lacks a mobile phone"
    );
    assert!(users.iter().any(|u| u["mobilePhone"].is_string()));
}

#[tokio::test]
async fn unknown_and_unselectable_properties_are_refused() {
    let t = TestEmu::start(one_tenant(2)).await;
    let token = t.token(0).await;
    let (status, body) = t.get(&token, "users?$select=displayName,shoeSize").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    let (status, _) = t.get(&token, "users?$select=aboutMe").await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
}

#[tokio::test]
async fn top_outside_1_to_999_gets_400_request_unsupported_query() {
    let t = TestEmu::start(one_tenant(2)).await;
    let token = t.token(0).await;
    for top in ["0", "1000"] {
        let (status, body) = t.get(&token, &format!("users?$top={top}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
        assert_eq!(
            body["error"]["message"],
            format!("Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.")
        );
    }
    graph_error_snapshot!("users_top_1000", t.get(&token, "users?$top=1000").await.1);
    assert_eq!(t.get(&token, "users?$top=1").await.0, StatusCode::OK);
}

async fn all_users(t: &TestEmu, token: &str) -> Vec<Value> {
    t.list_all(
        token,
        "users?$top=999&$select=id,accountEnabled,userType,assignedLicenses,userPrincipalName",
        &[],
    )
    .await
}

#[tokio::test]
async fn filters_on_account_enabled_and_user_type_match_the_full_listing() {
    let t = TestEmu::start(one_tenant(400)).await;
    let token = t.token(0).await;
    let all = all_users(&t, &token).await;
    let disabled = all.iter().filter(|u| u["accountEnabled"] == false).count();
    let guests = all.iter().filter(|u| u["userType"] == "Guest").count();
    assert!(disabled > 0 && guests > 0);
    let got = t
        .list_all(
            &token,
            "users?$top=999&$filter=accountEnabled eq false",
            &[],
        )
        .await;
    assert_eq!(got.len(), disabled);
    let got = t
        .list_all(
            &token,
            "users?$top=999&$filter=userType eq 'Guest'&$select=userPrincipalName",
            &[],
        )
        .await;
    assert_eq!(got.len(), guests);
    assert!(
        got.iter()
            .all(|u| u["userPrincipalName"].as_str().unwrap().contains("#EXT#"))
    );
    let got = t
        .list_all(
            &token,
            "users?$top=999&$filter=accountEnabled eq true and userType eq 'Member'",
            &[],
        )
        .await;
    let expected = all
        .iter()
        .filter(|u| u["accountEnabled"] == true && u["userType"] == "Member")
        .count();
    assert_eq!(got.len(), expected);
}

#[tokio::test]
async fn the_licensed_users_filter_needs_advanced_query_parameters() {
    let t = TestEmu::start(one_tenant(300)).await;
    let token = t.token(0).await;
    let (status, body) = t
        .get(&token, "users?$filter=assignedLicenses/$count ne 0")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    let all = all_users(&t, &token).await;
    let licensed = all
        .iter()
        .filter(|u| !u["assignedLicenses"].as_array().unwrap().is_empty())
        .count();
    let h = [("ConsistencyLevel", "eventual")];
    let (_, _, first) = t
        .get_with(
            &token,
            "users?$filter=assignedLicenses/$count ne 0&$count=true&$top=100",
            &h,
        )
        .await;
    assert_eq!(first["@odata.count"], licensed);
    let got = t
        .list_all(
            &token,
            "users?$filter=assignedLicenses/$count ne 0&$count=true&$top=100",
            &h,
        )
        .await;
    assert_eq!(got.len(), licensed);
    // The header is not carried into next links: without it page 2 is refused.
    let next = first["@odata.nextLink"].as_str().unwrap();
    let (_, _, second) = t.get_with(&token, next, &h).await;
    assert!(second.get("@odata.count").is_none());
    assert_eq!(t.get(&token, next).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn count_true_without_consistency_level_is_silently_ignored() {
    let t = TestEmu::start(one_tenant(30)).await;
    let token = t.token(0).await;
    let (status, body) = t.get(&token, "users?$count=true").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("@odata.count").is_none());
    let (_, _, body) = t
        .get_with(
            &token,
            "users?$count=true",
            &[("ConsistencyLevel", "eventual")],
        )
        .await;
    assert_eq!(body["@odata.count"], 30);
    let (status, body) = t.get(&token, "users/$count").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "$count is not currently supported."
    );
    let (status, h, body) = t
        .get_with(&token, "users/$count", &[("ConsistencyLevel", "eventual")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(body, 30);
}

#[tokio::test]
async fn a_guest_can_be_read_by_its_percent_encoded_upn() {
    let t = TestEmu::start(one_tenant(200)).await;
    let token = t.token(0).await;
    let guests = t
        .list_all(
            &token,
            "users?$filter=userType eq 'Guest'&$select=userPrincipalName,id",
            &[],
        )
        .await;
    let upn = guests[0]["userPrincipalName"].as_str().unwrap();
    let (status, body) = t
        .get(&token, &format!("users/{}", upn.replace('#', "%23")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], guests[0]["id"]);
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#users/$entity")
    );
}

#[tokio::test]
async fn sign_in_activity_needs_p1_and_caps_pages_at_500() {
    let mut s = roster_graph_emulator::Scenario::generated(2, 700, 4);
    s.tenants[0].entra_p1 = Some(true);
    s.tenants[1].entra_p1 = Some(false);
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    let (status, body) = t
        .get(&token, "users?$select=displayName,signInActivity&$top=999")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let users = body["value"].as_array().unwrap();
    assert_eq!(users.len(), 500);
    let with = users
        .iter()
        .filter(|u| u["signInActivity"].is_object())
        .count();
    assert!(with > 0);
    assert!(
        users
            .iter()
            .any(|u| u["signInActivity"]["lastNonInteractiveSignInDateTime"]
                == "0001-01-01T00:00:00Z")
    );
    assert!(
        users
            .iter()
            .any(|u| u["signInActivity"]["lastSuccessfulSignInDateTime"] == "")
    );
    let (status, body) = t
        .get(
            &t.token(1).await,
            "users?$select=displayName,signInActivity",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["error"]["code"],
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    );
    graph_error_snapshot!("users_signin_not_premium", body);
}
