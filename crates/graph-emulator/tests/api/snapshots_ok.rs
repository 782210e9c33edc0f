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
