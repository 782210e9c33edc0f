//! Bearer token checks and the application permission of every endpoint.

use reqwest::StatusCode;
use roster_graph_emulator::token::{Claims, encode};
use roster_graph_emulator::{AppSpec, Scenario, TenantSpec};

use crate::graph_error_snapshot;
use crate::helpers::{TestEmu, jwt_payload, one_tenant};

/// Every endpoint with a role that is enough for it.
const ENDPOINTS: &[(&str, &str)] = &[
    ("organization", "Organization.Read.All"),
    ("users", "User.Read.All"),
    ("users/delta", "User.Read.All"),
    ("subscribedSkus", "Organization.Read.All"),
    ("security/secureScores", "SecurityEvents.Read.All"),
    (
        "reports/authenticationMethods/userRegistrationDetails",
        "AuditLog.Read.All",
    ),
    (
        "reports/getOffice365ActiveUserDetail(period='D30')",
        "Reports.Read.All",
    ),
    (
        "reports/getMailboxUsageDetail(period='D7')",
        "Reports.Read.All",
    ),
    ("admin/reportSettings", "ReportSettings.Read.All"),
    (
        "deviceManagement/managedDevices",
        "DeviceManagementManagedDevices.Read.All",
    ),
    ("groups", "GroupMember.Read.All"),
];

#[tokio::test]
async fn a_request_without_a_token_gets_401_invalid_authentication_token() {
    let t = TestEmu::start(one_tenant(1)).await;
    let r = t
        .http
        .get(format!("{}/users", t.emu.graph_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer realm=\"\"")
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Access token is empty.");
    graph_error_snapshot!("graph_401_empty", body);
}

#[tokio::test]
async fn malformed_forged_and_foreign_tokens_are_refused() {
    let t = TestEmu::start(one_tenant(1)).await;
    let (s, b) = t.get("not-a-jwt", "users").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("CompactToken parsing failed")
    );
    graph_error_snapshot!("graph_401_malformed", b);

    let good = t.token(0).await;
    let claims: Claims = serde_json::from_value(jwt_payload(&good)).unwrap();
    let forged = encode(&[9; 32], &claims);
    let (s, b) = t.get(&forged, "users").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["error"]["code"], "InvalidAuthenticationToken");

    let foreign = encode(
        &[7; 32],
        &Claims {
            aud: "https://graph.windows.net".to_owned(),
            ..claims
        },
    );
    let (s, b) = t.get(&foreign, "users").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        b["error"]["message"],
        "Access token validation failure. Invalid audience."
    );
}

#[tokio::test]
async fn every_endpoint_refuses_a_token_without_roles() {
    let mut s = one_tenant(3);
    s.tenants[0].apps = vec![AppSpec {
        admin_consent: false,
        ..AppSpec::default()
    }];
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    let group = t.emu.handle().credentials();
    assert_eq!(group.len(), 1);
    for (path, _) in ENDPOINTS {
        let (status, body) = t.get(&token, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(
            body["error"]["code"], "Authorization_RequestDenied",
            "{path}"
        );
    }
    graph_error_snapshot!("graph_403_no_roles", t.get(&token, "users").await.1);
}

#[tokio::test]
async fn every_endpoint_accepts_a_token_with_just_its_role() {
    for (path, role) in ENDPOINTS {
        let mut s = one_tenant(60);
        s.tenants[0].entra_p1 = Some(true);
        s.tenants[0].apps = vec![AppSpec {
            application_permissions: vec![(*role).to_owned()],
            ..AppSpec::default()
        }];
        let t = TestEmu::start(s).await;
        let token = t.token(0).await;
        let (status, body) = t.get(&token, path).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::FOUND,
            "{path} with {role}: {status} {body}"
        );
        // Another endpoint's role is not enough.
        let other = ENDPOINTS.iter().find(|(_, r)| r != role).unwrap();
        let (status, _) = t.get(&token, other.0).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{} with {role}", other.0);
    }
}

#[tokio::test]
async fn partner_customers_need_the_gdap_role() {
    let mut s = Scenario::generated(2, 2, 5);
    s.tenants.push(TenantSpec {
        partner: true,
        apps: vec![AppSpec {
            application_permissions: vec!["DelegatedAdminRelationship.Read.All".to_owned()],
            ..AppSpec::default()
        }],
        ..TenantSpec::default()
    });
    let t = TestEmu::start(s).await;
    let (status, _) = t
        .get(
            &t.token(2).await,
            "tenantRelationships/delegatedAdminCustomers",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = t
        .get(
            &t.token(0).await,
            "tenantRelationships/delegatedAdminCustomers",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn responses_carry_request_id_and_echo_client_request_id() {
    let t = TestEmu::start(one_tenant(1)).await;
    let token = t.token(0).await;
    let (_, h, _) = t
        .get_with(
            &token,
            "organization",
            &[("client-request-id", "0b2c6a3e-1111-4222-8333-444455556666")],
        )
        .await;
    assert_eq!(
        h["client-request-id"],
        "0b2c6a3e-1111-4222-8333-444455556666"
    );
    let rid = h["request-id"].to_str().unwrap();
    assert!(uuid::Uuid::try_parse(rid).is_ok());
    let (_, h, _) = t.get_with(&token, "organization", &[]).await;
    assert_eq!(h["client-request-id"], h["request-id"]);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json;odata.metadata=minimal")
    );
}

#[tokio::test]
async fn an_unknown_object_gets_404_request_resource_not_found() {
    let t = TestEmu::start(one_tenant(2)).await;
    let token = t.token(0).await;
    for path in [
        "users/4f0e4a1e-0000-4000-8000-00000000abcd",
        "groups/4f0e4a1e-0000-4000-8000-00000000abcd",
        "users/nobody@nowhere.example",
    ] {
        let (status, body) = t.get(&token, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    }
    graph_error_snapshot!(
        "graph_404_user",
        t.get(&token, "users/4f0e4a1e-0000-4000-8000-00000000abcd")
            .await
            .1
    );
    let (status, body) = t.get(&token, "nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'nonsense'."
    );
}
