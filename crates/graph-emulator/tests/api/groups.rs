//! Groups and their direct and transitive members.

use std::collections::HashSet;

use reqwest::StatusCode;
use roster_graph_emulator::AppSpec;

use crate::helpers::{TestEmu, one_tenant};

async fn group_id(t: &TestEmu, token: &str, name: &str) -> String {
    let groups = t.list_all(token, "groups", &[]).await;
    groups.iter().find(|g| g["displayName"] == name).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn transitive_members_reach_two_levels_down_and_members_only_one() {
    let t = TestEmu::start(one_tenant(300)).await;
    let token = t.token(0).await;
    let all = group_id(&t, &token, "All Company").await;
    let (status, g) = t.get(&token, &format!("groups/{all}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(g["groupTypes"][0], "Unified");
    assert!(
        g["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#groups/$entity")
    );
    let direct = t
        .list_all(&token, &format!("groups/{all}/members"), &[])
        .await;
    let nested = t
        .list_all(
            &token,
            &format!("groups/{all}/transitiveMembers?$top=999"),
            &[],
        )
        .await;
    assert!(nested.len() > direct.len());
    let direct_groups: Vec<_> = direct
        .iter()
        .filter(|m| m["@odata.type"] == "#microsoft.graph.group")
        .collect();
    assert!(!direct_groups.is_empty());
    // A "- Regional" sub-team sits inside a department group, not directly in All Company.
    assert!(
        direct_groups
            .iter()
            .all(|g| !g["displayName"].as_str().unwrap().ends_with("- Regional"))
    );
    assert!(nested.iter().any(|g| {
        g["displayName"]
            .as_str()
            .is_some_and(|n| n.ends_with("- Regional"))
    }));
    let ids: HashSet<&str> = nested.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), nested.len(), "each member once");
    let (_, page) = t.get(&token, &format!("groups/{all}/members")).await;
    assert!(
        page["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#directoryObjects")
    );
}

#[tokio::test]
async fn members_of_other_types_come_back_limited() {
    let t = TestEmu::start(one_tenant(20)).await;
    let token = t.token(0).await;
    let pilot = group_id(&t, &token, "Device Compliance Pilot").await;
    let members = t
        .list_all(&token, &format!("groups/{pilot}/members"), &[])
        .await;
    let device = members
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.device")
        .unwrap();
    assert!(device["displayName"].is_null() && device["id"].is_string());
    let contact = members
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.orgContact")
        .unwrap();
    assert!(contact["displayName"].is_null());
    let user = members
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.user")
        .unwrap();
    assert!(user["displayName"].is_string());
}

#[tokio::test]
async fn without_user_read_all_user_members_are_limited_too() {
    let mut s = one_tenant(20);
    s.tenants[0].apps = vec![AppSpec {
        application_permissions: vec!["GroupMember.Read.All".to_owned()],
        ..AppSpec::default()
    }];
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    let pilot = group_id(&t, &token, "Device Compliance Pilot").await;
    let members = t
        .list_all(&token, &format!("groups/{pilot}/members"), &[])
        .await;
    let user = members
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.user")
        .unwrap();
    assert!(user["displayName"].is_null() && user["id"].is_string());
}
