//! Snapshots of success bodies for small deterministic tenants (base URL masked).
//!
//! The emulator runs on a manual clock, so dates in bodies are fixed. What stays volatile is
//! redacted: request ids, the `Date` header, and the opaque skip, delta and download tokens (their
//! links are checked for shape before they are masked).

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use roster_graph_emulator::{AppSpec, GroupSpec, Scenario, TenantSpec, UserSpec};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestEmu, one_tenant};

/// What `body` and friends put in place of the emulator's real base URL.
const MASKED_BASE: &str = "https://emulator";

async fn body(t: &TestEmu, token: &str, path: &str) -> Value {
    body_with(t, token, path, &[]).await
}

/// GETs `path` (relative to `/v1.0`, or a masked absolute link) with `headers`; the body must be
/// a success, and comes back with the base URL masked.
async fn body_with(t: &TestEmu, token: &str, path: &str, headers: &[(&str, &str)]) -> Value {
    let url = if path.starts_with(MASKED_BASE) {
        path.replacen(MASKED_BASE, t.emu.base_url(), 1)
    } else {
        format!("{}/{path}", t.emu.graph_url())
    };
    let mut request = t.http.get(url).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let r = request.send().await.unwrap();
    assert!(r.status().is_success(), "{path}");
    masked_json(t, &r.text().await.unwrap())
}

fn masked_json(t: &TestEmu, text: &str) -> Value {
    serde_json::from_str(&text.replace(t.emu.base_url(), MASKED_BASE)).unwrap()
}

/// Snapshot settings that mask `@odata.nextLink` and `@odata.deltaLink` wherever they sit, after
/// checking that each is an absolute link of the expected form.
fn link_redactions(next_prefix: &'static str, delta_prefix: &'static str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for selector in [
        "[\"@odata.nextLink\"]",
        ".responses[].body[\"@odata.nextLink\"]",
    ] {
        settings.add_dynamic_redaction(selector, move |value, _| {
            let link = value.as_str().unwrap_or_default();
            assert!(link.starts_with(next_prefix), "{link}");
            "[next link]"
        });
    }
    settings.add_dynamic_redaction("[\"@odata.deltaLink\"]", move |value, _| {
        let link = value.as_str().unwrap_or_default();
        assert!(link.starts_with(delta_prefix), "{link}");
        "[delta link]"
    });
    settings
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

/// A tenant of three generated users, plus a scripted user and group: "Pilot Steering" holds the
/// user and the generated "Device Compliance Pilot" group, which in turn holds users, an
/// organisational contact and a device.
fn nested_groups() -> (Scenario, Uuid) {
    let ada = Uuid::from_u128(0x0a0a_0000_0000_4000_8000_0000_0000_0001);
    let steering = Uuid::from_u128(0x0a0a_0000_0000_4000_8000_0000_0000_0002);
    let mut scenario = one_tenant(3);
    let tenant = &mut scenario.tenants[0];
    tenant.users = vec![UserSpec {
        id: Some(ada),
        display_name: "Ada Lovelace".to_owned(),
        given_name: Some("Ada".to_owned()),
        surname: Some("Lovelace".to_owned()),
        user_principal_name: Some("ada.lovelace@lindqvist.co.uk".to_owned()),
        mail: Some("ada.lovelace@lindqvist.co.uk".to_owned()),
        ..UserSpec::default()
    }];
    tenant.groups = vec![GroupSpec {
        id: Some(steering),
        display_name: "Pilot Steering".to_owned(),
        members: vec![ada.to_string(), "Device Compliance Pilot".to_owned()],
        ..GroupSpec::default()
    }];
    (scenario, steering)
}

#[tokio::test]
async fn members_of_a_group_with_a_nested_group_come_with_mixed_odata_types() {
    let (scenario, steering) = nested_groups();
    let t = TestEmu::start(scenario).await;
    let token = t.token(0).await;

    let direct = body(&t, &token, &format!("groups/{steering}/members")).await;
    let nested = body(&t, &token, &format!("groups/{steering}/transitiveMembers")).await;

    let types = |page: &Value| -> Vec<String> {
        page["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["@odata.type"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        types(&direct),
        ["#microsoft.graph.user", "#microsoft.graph.group"]
    );
    let nested_types = types(&nested);
    for kind in ["user", "group", "orgContact", "device"] {
        assert!(
            nested_types.contains(&format!("#microsoft.graph.{kind}")),
            "{nested_types:?}"
        );
    }
    insta::assert_json_snapshot!("ok_group_members_mixed", direct);
    insta::assert_json_snapshot!("ok_group_transitive_members_mixed", nested);
}

/// A scripted tenant of four named users.
fn four_users() -> Scenario {
    let user = |given: &str, surname: &str| UserSpec {
        display_name: format!("{given} {surname}"),
        given_name: Some(given.to_owned()),
        surname: Some(surname.to_owned()),
        mail: Some(format!(
            "{}.{}@contoso.example",
            given.to_lowercase(),
            surname.to_lowercase()
        )),
        ..UserSpec::default()
    };
    Scenario {
        seed: 7,
        tenants: vec![TenantSpec {
            display_name: Some("Contoso".to_owned()),
            domains: vec!["contoso.example".to_owned()],
            users: vec![
                user("Ada", "Lovelace"),
                user("Grace", "Hopper"),
                user("Alan", "Turing"),
                user("Katherine", "Johnson"),
            ],
            ..TenantSpec::default()
        }],
        ..Scenario::default()
    }
}

#[tokio::test]
async fn delta_pages_carry_a_next_link_then_a_delta_link_and_the_next_round_marks_removals() {
    let t = TestEmu::start(four_users()).await;
    let token = t.token(0).await;
    let links = link_redactions(
        "https://emulator/v1.0/users/delta?$skiptoken=",
        "https://emulator/v1.0/users/delta?$deltatoken=",
    );
    let two_per_page = [("Prefer", "odata.maxpagesize=2")];

    // Round one: four users in two pages; the query options go in the first call only.
    let first = body_with(
        &t,
        &token,
        "users/delta?$select=displayName,givenName,surname",
        &two_per_page,
    )
    .await;
    assert!(first.get("@odata.deltaLink").is_none());
    let next = first["@odata.nextLink"].as_str().unwrap().to_owned();
    let last = body_with(&t, &token, &next, &two_per_page).await;
    assert!(last.get("@odata.nextLink").is_none());
    let delta_link = last["@odata.deltaLink"].as_str().unwrap().to_owned();
    links.bind(|| {
        insta::assert_json_snapshot!("ok_users_delta_round1_first_page", first);
        insta::assert_json_snapshot!("ok_users_delta_round1_final_page", last);
    });

    // Between the rounds: a rename, a soft and a hard delete, a new user.
    let h = t.emu.handle();
    let tid = t.tid(0);
    h.update_user(
        &tid,
        "grace.hopper@contoso.example",
        &json!({"surname": "Murray Hopper", "display_name": "Grace Murray Hopper"}),
    )
    .unwrap();
    h.remove_user(&tid, "alan.turing@contoso.example", false)
        .unwrap();
    h.remove_user(&tid, "katherine.johnson@contoso.example", true)
        .unwrap();
    h.add_user(
        &tid,
        &UserSpec {
            display_name: "Dorothy Vaughan".to_owned(),
            given_name: Some("Dorothy".to_owned()),
            surname: Some("Vaughan".to_owned()),
            ..UserSpec::default()
        },
    )
    .unwrap();

    let changes = body(&t, &token, &delta_link).await;
    let removed: Vec<&str> = changes["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["@removed"]["reason"].as_str())
        .collect();
    assert_eq!(removed.len(), 2, "{changes}");
    assert!(removed.contains(&"changed") && removed.contains(&"deleted"));
    links.bind(|| insta::assert_json_snapshot!("ok_users_delta_round2_changes", changes));
}

#[tokio::test]
async fn a_partner_tenant_lists_its_gdap_customers_with_an_etag_each() {
    let customer = |name: &str, domain: &str| TenantSpec {
        display_name: Some(name.to_owned()),
        domains: vec![domain.to_owned()],
        ..TenantSpec::default()
    };
    let partner = TenantSpec {
        display_name: Some("Northwind IT Services".to_owned()),
        domains: vec!["northwind-it.example".to_owned()],
        partner: true,
        apps: vec![AppSpec {
            application_permissions: vec!["DelegatedAdminRelationship.Read.All".to_owned()],
            ..AppSpec::default()
        }],
        ..TenantSpec::default()
    };
    let t = TestEmu::start(Scenario {
        seed: 7,
        tenants: vec![
            customer("Contoso Dental", "contoso-dental.example"),
            customer("Fabrikam Law", "fabrikam-law.example"),
            partner,
        ],
        ..Scenario::default()
    })
    .await;
    let token = t.token(2).await;

    let customers = body(&t, &token, "tenantRelationships/delegatedAdminCustomers").await;

    let listed: Vec<&str> = customers["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tenantId"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [t.tid(0), t.tid(1)]);
    insta::assert_json_snapshot!("ok_delegated_admin_customers", customers);
}

#[tokio::test]
async fn a_batch_answers_out_of_order_and_fails_the_dependant_of_a_failed_request_with_424() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    let request = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/organization?$select=id,displayName"},
        {"id": "2", "method": "GET", "url": "/groups/00000000-0000-4000-8000-000000000000"},
        {"id": "3", "method": "GET", "url": "/subscribedSkus", "dependsOn": ["2"]},
        {"id": "4", "method": "GET", "url": "users?$top=1&$select=displayName", "dependsOn": ["1"]},
    ]});

    let r = t
        .http
        .post(format!("{}/$batch", t.emu.graph_url()))
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let answer = masked_json(&t, &r.text().await.unwrap());

    let status_of = |id: &str| {
        answer["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == id)
            .unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        [
            status_of("1"),
            status_of("2"),
            status_of("3"),
            status_of("4")
        ],
        [200, 404, 424, 200]
    );
    let mut settings = link_redactions("https://emulator/v1.0/users?", "");
    settings.add_redaction(
        ".responses[].body.error.innerError[\"request-id\"]",
        "[request-id]",
    );
    settings.add_redaction(
        ".responses[].body.error.innerError[\"client-request-id\"]",
        "[client-request-id]",
    );
    settings.bind(|| insta::assert_json_snapshot!("ok_batch_with_failed_dependency", answer));
}

/// The headers of a response, one entry per name (repeated values joined with ", ").
fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut map = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let value = value.to_str().unwrap().to_owned();
        map.entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

/// Asks for a usage report; returns the headers of its 302 and the download link.
async fn report_redirect(
    t: &TestEmu,
    token: &str,
    call: &str,
) -> (BTreeMap<String, String>, String) {
    let r = t
        .http
        .get(format!("{}/reports/{call}", t.emu.graph_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302, "{call}");
    let headers = header_map(r.headers());
    assert_eq!(
        headers["client-request-id"], headers["request-id"],
        "without a client-request-id of its own, the client gets the request-id back"
    );
    assert!(
        r.bytes().await.unwrap().is_empty(),
        "a redirect has no body"
    );
    let location = headers["location"].clone();
    (headers, location)
}

/// Snapshots the headers of a report's 302, with ids, the date and the download token masked.
fn assert_redirect_snapshot(t: &TestEmu, name: &str, headers: &BTreeMap<String, String>) {
    let masked = headers["location"].replacen(t.emu.base_url(), MASKED_BASE, 1);
    insta::assert_json_snapshot!(name, headers, {
        ".location" => insta::dynamic_redaction(move |_, _| {
            let token = masked.strip_prefix("https://emulator/data/download/").unwrap_or_default();
            assert!(
                !token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric()),
                "{masked}"
            );
            "https://emulator/data/download/[token]"
        }),
        "[\"request-id\"]" => "[request-id]",
        "[\"client-request-id\"]" => "[client-request-id]",
        ".date" => "[date]",
    });
}

/// Downloads a report CSV without a bearer token.
async fn report_csv(t: &TestEmu, location: &str) -> String {
    let r = t.http.get(location).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    r.text().await.unwrap()
}

/// The `User Principal Name` cells of a report CSV.
fn upn_column(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|line| line.split(',').nth(1).unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn usage_reports_redirect_to_a_csv_with_concealed_or_real_names() {
    let t = TestEmu::start(one_tenant(3)).await;
    let token = t.token(0).await;
    let reports = [
        (
            "getOffice365ActiveUserDetail(period='D30')",
            "ok_office365_active_user_detail",
        ),
        (
            "getMailboxUsageDetail(period='D7')",
            "ok_mailbox_usage_detail",
        ),
    ];

    // Generated tenants conceal names by default: 32 upper-case hex digits stand for each UPN.
    for (call, name) in reports {
        let (headers, location) = report_redirect(&t, &token, call).await;
        assert_redirect_snapshot(&t, &format!("{name}_redirect"), &headers);
        let csv = report_csv(&t, &location).await;
        let upns = upn_column(&csv);
        assert!(!upns.is_empty(), "{csv}");
        assert!(upns.iter().all(|u| {
            u.len() == 32
                && u.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        }));
        insta::assert_snapshot!(format!("{name}_csv"), csv);
    }

    t.emu
        .handle()
        .set_concealed_names(&t.tid(0), false)
        .unwrap();
    for (call, name) in reports {
        let (_, location) = report_redirect(&t, &token, call).await;
        let csv = report_csv(&t, &location).await;
        assert!(upn_column(&csv).iter().all(|u| u.contains('@')), "{csv}");
        insta::assert_snapshot!(format!("{name}_named_csv"), csv);
    }
}
