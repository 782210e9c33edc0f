//! Organization, licences, Secure Score, MFA registration, usage reports, devices and GDAP customers.

use reqwest::StatusCode;
use roster_graph_emulator::{AppSpec, Scenario, TenantSpec};

use crate::graph_error_snapshot;
use crate::helpers::{TestEmu, one_tenant};

#[tokio::test]
async fn organization_is_a_collection_of_one_with_verified_domains() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    let (_, body) = t.get(&token, "organization").await;
    let orgs = body["value"].as_array().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["id"], t.tid(0));
    let domains = orgs[0]["verifiedDomains"].as_array().unwrap();
    assert_eq!(domains.iter().filter(|d| d["isInitial"] == true).count(), 1);
    assert_eq!(domains.iter().filter(|d| d["isDefault"] == true).count(), 1);
    assert!(domains.iter().any(
        |d| d["name"].as_str().unwrap().ends_with(".onmicrosoft.com") && d["isInitial"] == true
    ));
    let (_, one) = t.get(&token, &format!("organization/{}", t.tid(0))).await;
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#organization/$entity")
    );
}

#[tokio::test]
async fn subscribed_skus_count_the_seats_users_hold() {
    let t = TestEmu::start(one_tenant(300)).await;
    let token = t.token(0).await;
    let (_, body) = t.get(&token, "subscribedSkus").await;
    let users = t
        .list_all(&token, "users?$top=999&$select=assignedLicenses", &[])
        .await;
    let skus = body["value"].as_array().unwrap();
    assert!(
        skus.iter()
            .any(|s| s["skuPartNumber"] == "PREVIEW_ADDON_TRIAL"
                || s["skuPartNumber"] == "FLOW_FREE")
    );
    for s in skus {
        let sku = s["skuId"].as_str().unwrap();
        assert_eq!(s["id"], format!("{}_{sku}", t.tid(0)));
        let holders = users
            .iter()
            .filter(|u| {
                u["assignedLicenses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["skuId"] == sku)
            })
            .count();
        assert_eq!(s["consumedUnits"], holders, "{sku}");
    }
}

#[tokio::test]
async fn secure_scores_are_a_90_day_history_newest_first() {
    let t = TestEmu::start(one_tenant(10)).await;
    let token = t.token(0).await;
    let (_, body) = t.get(&token, "security/secureScores").await;
    let days = body["value"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    let dates: Vec<&str> = days
        .iter()
        .map(|d| d["createdDateTime"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] > w[1]));
    assert!(
        days[0]["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}_2026-03-01", t.tid(0)))
    );
    assert!(days[0]["currentScore"].as_f64().unwrap() <= days[0]["maxScore"].as_f64().unwrap());
    let (_, top) = t.get(&token, "security/secureScores?$top=1").await;
    assert_eq!(top["value"].as_array().unwrap().len(), 1);
    assert_eq!(top["value"][0]["id"], days[0]["id"]);
}

#[tokio::test]
async fn user_registration_details_need_p1() {
    let mut s = Scenario::generated(2, 30, 8);
    s.tenants[0].entra_p1 = Some(true);
    s.tenants[1].entra_p1 = Some(false);
    let t = TestEmu::start(s).await;
    let (status, body) = t
        .get(
            &t.token(0).await,
            "reports/authenticationMethods/userRegistrationDetails",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = body["value"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    assert!(
        rows.iter()
            .all(|r| r["userType"] == "member" || r["userType"] == "guest")
    );
    assert!(rows.iter().any(|r| r["isMfaRegistered"] == true));
    assert!(
        rows.iter()
            .any(|r| r["userPreferredMethodForSecondaryAuthentication"] == "")
    );
    let (status, body) = t
        .get(
            &t.token(1).await,
            "reports/authenticationMethods/userRegistrationDetails",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    graph_error_snapshot!("urd_not_premium", body);
}

#[tokio::test]
async fn usage_reports_redirect_to_a_short_lived_csv_with_concealed_names() {
    let t = TestEmu::start(one_tenant(40)).await;
    let token = t.token(0).await;
    let (_, settings) = t.get(&token, "admin/reportSettings").await;
    assert_eq!(settings["displayConcealedNames"], true);
    for (path, header) in [
        (
            "reports/getOffice365ActiveUserDetail(period='D30')",
            "Report Refresh Date,User Principal Name,Display Name,Is Deleted",
        ),
        (
            "reports/getMailboxUsageDetail(period='D7')",
            "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date",
        ),
    ] {
        let (status, headers, _) = t.get_with(&token, path, &[]).await;
        assert_eq!(status, StatusCode::FOUND);
        let location = headers["location"].to_str().unwrap().to_owned();
        let r = t.http.get(&location).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/octet-stream");
        let text = r.text().await.unwrap();
        let text = text.trim_start_matches('\u{feff}');
        assert!(text.starts_with(header), "{text}");
        let upn = text.lines().nth(1).unwrap().split(',').nth(1).unwrap();
        assert_eq!(upn.len(), 32);
        assert!(
            upn.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        t.advance(301);
        assert_eq!(
            t.http.get(&location).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
    }
    t.emu
        .handle()
        .set_concealed_names(&t.tid(0), false)
        .unwrap();
    let token = t.token(0).await;
    let (_, headers, _) = t
        .get_with(
            &token,
            "reports/getOffice365ActiveUserDetail(period='D30')",
            &[],
        )
        .await;
    let text = t
        .http
        .get(headers["location"].to_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .contains('@')
    );
    let (status, _) = t
        .get(&token, "reports/getOffice365ActiveUserDetail(period='D8')")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn managed_devices_need_an_intune_licence() {
    let mut s = Scenario::generated(2, 40, 8);
    s.tenants[0].entra_p1 = Some(true);
    s.tenants[1].entra_p1 = Some(false);
    let t = TestEmu::start(s).await;
    let (status, body) = t
        .get(&t.token(0).await, "deviceManagement/managedDevices")
        .await;
    assert_eq!(status, StatusCode::OK);
    let devices = body["value"].as_array().unwrap();
    assert!(!devices.is_empty());
    assert!(
        devices
            .iter()
            .all(|d| d["@odata.type"] == "#microsoft.graph.managedDevice")
    );
    let (status, _) = t
        .get(&t.token(1).await, "deviceManagement/managedDevices")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_partner_tenant_lists_its_gdap_customers() {
    let mut s = Scenario::generated(3, 2, 5);
    s.tenants.push(TenantSpec {
        partner: true,
        apps: vec![AppSpec {
            application_permissions: vec!["DelegatedAdminRelationship.Read.All".to_owned()],
            ..AppSpec::default()
        }],
        ..TenantSpec::default()
    });
    let t = TestEmu::start(s).await;
    let (_, body) = t
        .get(
            &t.token(3).await,
            "tenantRelationships/delegatedAdminCustomers",
        )
        .await;
    let customers = body["value"].as_array().unwrap();
    assert_eq!(customers.len(), 3);
    for (i, c) in customers.iter().enumerate() {
        assert_eq!(c["id"], c["tenantId"]);
        assert!(c["@odata.etag"].as_str().unwrap().starts_with("W/\""));
        assert_eq!(c["displayName"], t.creds(i).display_name);
    }
    let (status, _) = t
        .get(
            &t.token(3).await,
            "tenantRelationships/delegatedAdminCustomers?$top=301",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
