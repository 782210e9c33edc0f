//! Snapshots of success bodies for a small deterministic tenant (base URL masked).

use crate::helpers::{TestEmu, one_tenant};

async fn body(t: &TestEmu, token: &str, path: &str) -> serde_json::Value {
    let r = t
        .http
        .get(format!("{}/{path}", t.emu.graph_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}");
    let text = r
        .text()
        .await
        .unwrap()
        .replace(t.emu.base_url(), "https://emulator");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn success_bodies_keep_their_shape() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    insta::assert_json_snapshot!("ok_users", body(&t, &token, "users?$top=2").await);
    insta::assert_json_snapshot!(
        "ok_users_select",
        body(&t, &token, "users?$top=2&$select=displayName,mail,proxyAddresses,accountEnabled,assignedLicenses,userType").await
    );
    insta::assert_json_snapshot!("ok_organization", body(&t, &token, "organization").await);
    insta::assert_json_snapshot!(
        "ok_subscribed_skus",
        body(&t, &token, "subscribedSkus").await
    );
    insta::assert_json_snapshot!(
        "ok_secure_score_latest",
        body(&t, &token, "security/secureScores?$top=1").await
    );
    insta::assert_json_snapshot!(
        "ok_report_settings",
        body(&t, &token, "admin/reportSettings").await
    );
    insta::assert_json_snapshot!(
        "ok_user_registration_details",
        body(
            &t,
            &token,
            "reports/authenticationMethods/userRegistrationDetails"
        )
        .await
    );
    insta::assert_json_snapshot!("ok_groups", body(&t, &token, "groups?$top=2").await);
}

#[tokio::test]
async fn group_delta_and_device_bodies_keep_their_shape() {
    let t = TestEmu::start(one_tenant(6)).await;
    let token = t.token(0).await;
    let groups = body(&t, &token, "groups?$top=1").await;
    let gid = groups["value"][0]["id"].as_str().unwrap().to_owned();
    insta::assert_json_snapshot!(
        "ok_group_members",
        body(&t, &token, &format!("groups/{gid}/members")).await
    );
    insta::assert_json_snapshot!(
        "ok_group_transitive_members",
        body(&t, &token, &format!("groups/{gid}/transitiveMembers")).await
    );
    // Skip and delta tokens are opaque: only their presence and the link's shape matter.
    insta::assert_json_snapshot!(
        "ok_users_delta_first_page",
        body(&t, &token, "users/delta?$select=displayName,givenName,surname").await,
        {
            "[\"@odata.nextLink\"]" => insta::dynamic_redaction(|v, _| {
                let link = v.as_str().unwrap_or_default();
                assert!(link.starts_with("https://emulator/v1.0/users/delta?"), "{link}");
                "[next link]"
            }),
            "[\"@odata.deltaLink\"]" => insta::dynamic_redaction(|v, _| {
                let link = v.as_str().unwrap_or_default();
                assert!(link.starts_with("https://emulator/v1.0/users/delta?"), "{link}");
                "[delta link]"
            }),
        }
    );
    insta::assert_json_snapshot!(
        "ok_managed_devices",
        body(&t, &token, "deviceManagement/managedDevices").await
    );
}

#[tokio::test]
async fn a_usage_report_answers_with_a_redirect_to_a_csv_download() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    let r = t
        .http
        .get(format!(
            "{}/reports/getOffice365ActiveUserDetail(period='D30')",
            t.emu.graph_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(t.emu.base_url().trim_end_matches('/')),
        "{location}"
    );
    // The download needs no bearer token.
    let csv = t.http.get(&location).send().await.unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    insta::assert_snapshot!("ok_office365_active_user_detail_csv", text);
}
