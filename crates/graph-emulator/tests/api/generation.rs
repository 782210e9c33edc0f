//! Deterministic generation, scenario files and the admin API.

use std::collections::HashSet;

use reqwest::StatusCode;
use roster_graph_emulator::Scenario;
use serde_json::Value;

use crate::helpers::{TestEmu, one_tenant};

async fn snapshot_of(seed: u64) -> (Vec<Value>, Vec<Value>) {
    let mut s = Scenario::generated(2, 120, seed);
    s.settings.throttling.enabled = false;
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    let users = t
        .list_all(&token, "users?$top=999&$select=id,displayName,userPrincipalName,mail,proxyAddresses,jobTitle,department,mobilePhone,businessPhones,accountEnabled,userType,assignedLicenses,city,country", &[])
        .await;
    let creds = serde_json::to_value(t.emu.handle().credentials()).unwrap();
    (users, vec![creds])
}

#[tokio::test]
async fn the_same_seed_generates_the_same_tenants() {
    let a = snapshot_of(11).await;
    let b = snapshot_of(11).await;
    assert_eq!(a, b);
    let c = snapshot_of(12).await;
    assert_ne!(a.0, c.0);
}

#[tokio::test]
async fn generated_users_are_realistically_messy() {
    let t = TestEmu::start(one_tenant(2000)).await;
    let token = t.token(0).await;
    let users = t
        .list_all(&token, "users?$top=999&$select=displayName,userPrincipalName,mail,proxyAddresses,mobilePhone,businessPhones,accountEnabled,userType,givenName,assignedLicenses", &[])
        .await;
    assert!(
        users.iter().any(|u| u["userType"] == "Guest"
            && u["userPrincipalName"].as_str().unwrap().contains("#EXT#"))
    );
    assert!(users.iter().any(|u| u["accountEnabled"] == false));
    assert!(
        users
            .iter()
            .any(|u| u["givenName"].is_null() && u["userType"] == "Member"),
        "service accounts"
    );
    assert!(users.iter().any(|u| u["mobilePhone"].is_null()));
    assert!(users.iter().any(|u| u["mail"].is_null()));
    assert!(
        users
            .iter()
            .any(|u| u["businessPhones"].as_array().unwrap().is_empty())
    );
    assert!(
        users
            .iter()
            .any(|u| { !u["displayName"].as_str().unwrap().is_ascii() })
    );
    let primary_ok = users.iter().filter(|u| u["mail"].is_string()).all(|u| {
        let p = u["proxyAddresses"].as_array().unwrap();
        p.iter()
            .filter(|a| a.as_str().unwrap().starts_with("SMTP:"))
            .count()
            == 1
    });
    assert!(primary_ok);
    assert!(users.iter().any(|u| {
        u["proxyAddresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("smtp:"))
    }));
    let upns: HashSet<String> = users
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(upns.len(), users.len());
    let licensed = users
        .iter()
        .filter(|u| !u["assignedLicenses"].as_array().unwrap().is_empty())
        .count();
    assert!(licensed > users.len() / 2 && licensed < users.len());
}

#[tokio::test]
async fn a_scenario_file_describes_tenants_users_and_groups() {
    let text = r#"
        seed = 3
        [[tenants]]
        display_name = "Fabrikam Ltd"
        domains = ["fabrikam.example"]
        entra_p1 = false
        concealed_names = false
        [[tenants.skus]]
        part_number = "O365_BUSINESS_PREMIUM"
        enabled = 10
        [[tenants.users]]
        display_name = "Ada Lovelace"
        given_name = "Ada"
        surname = "Lovelace"
        mail = "ada@fabrikam.example"
        job_title = "Analyst"
        licenses = ["O365_BUSINESS_PREMIUM"]
        [[tenants.users]]
        display_name = "Charles Babbage"
        user_principal_name = "charles@fabrikam.example"
        account_enabled = false
        [[tenants.groups]]
        display_name = "Engineers"
        members = ["ada.lovelace@fabrikam.example", "charles@fabrikam.example"]
        [[tenants.apps]]
        display_name = "Roster"
        application_permissions = ["User.Read.All", "GroupMember.Read.All", "Organization.Read.All"]
        [[tenants.apps.secrets]]
        value = "abc8Q~fixed-secret-for-tests"
    "#;
    let scenario = Scenario::from_toml(text).unwrap();
    let t = TestEmu::start(scenario).await;
    let c = t.creds(0);
    assert_eq!(c.display_name, "Fabrikam Ltd");
    assert_eq!(c.domains[0], "fabrikam.example");
    assert!(!c.entra_p1);
    assert_eq!(c.client_secret(), Some("abc8Q~fixed-secret-for-tests"));
    let token = t.token(0).await;
    let users = t
        .list_all(
            &token,
            "users?$select=displayName,accountEnabled,jobTitle",
            &[],
        )
        .await;
    assert_eq!(users.len(), 2);
    let (_, skus) = t.get(&token, "subscribedSkus").await;
    assert_eq!(skus["value"][0]["consumedUnits"], 1);
    let groups = t.list_all(&token, "groups", &[]).await;
    let id = groups[0]["id"].as_str().unwrap();
    assert_eq!(
        t.list_all(&token, &format!("groups/{id}/members"), &[])
            .await
            .len(),
        2
    );
    assert!(Scenario::from_toml("[[tenants]]\nbogus = 1").is_err());
}

#[tokio::test]
async fn the_admin_api_adds_changes_and_removes_users() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    let base = t.admin_url(&format!("tenants/{}/users", t.tid(0)));
    let r = t
        .http
        .post(&base)
        .json(&serde_json::json!({"display_name": "Grace Hopper", "mail": "grace@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, u) = t
        .get(
            &token,
            &format!("users/{id}?$select=displayName,mail,jobTitle"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(u["mail"], "grace@example.org");
    let r = t
        .http
        .patch(format!("{base}/{id}"))
        .json(&serde_json::json!({"job_title": "Rear Admiral", "mail": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, u) = t
        .get(
            &token,
            &format!("users/{id}?$select=displayName,mail,jobTitle"),
        )
        .await;
    assert_eq!(u["jobTitle"], "Rear Admiral");
    assert!(u["mail"].is_null());
    assert_eq!(
        t.http
            .delete(format!("{base}/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.get(&token, &format!("users/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let r = t
        .http
        .post(format!("{base}/{id}/restore"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        t.get(&token, &format!("users/{id}")).await.0,
        StatusCode::OK
    );
    let log: Vec<Value> = t
        .http
        .get(t.admin_url("requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e["uri"].as_str().unwrap().contains(&format!("users/{id}")))
    );
    let creds: Vec<Value> = t
        .http
        .get(t.admin_url("tenants"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(creds[0]["tenant_id"], t.tid(0));
}

#[tokio::test]
async fn https_serves_a_certificate_clients_can_trust() {
    let tls = roster_graph_emulator::TlsConfig::self_signed().unwrap();
    let pem = tls.cert_pem().unwrap();
    let emu = roster_graph_emulator::Emulator::builder()
        .scenario(one_tenant(1))
        .tls(tls)
        .start("127.0.0.1:0")
        .await
        .unwrap();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let r = client
        .get(format!("{}/_emulator/health", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let url = emu.base_url().replace("127.0.0.1", "localhost");
    assert_eq!(
        client
            .get(format!("{url}/_emulator/health"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let untrusting = reqwest::Client::new();
    assert!(
        untrusting
            .get(format!("{}/_emulator/health", emu.base_url()))
            .send()
            .await
            .is_err()
    );
}
