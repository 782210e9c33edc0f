//! The token endpoint and OIDC discovery.

use reqwest::StatusCode;
use roster_graph_emulator::{
    AppSpec, Faults, GenerateSpec, NewSecret, Scenario, SecretSpec, Settings, TenantSpec,
};

use crate::helpers::{TestEmu, jwt_payload, one_tenant};
use crate::sts_error_snapshot;

fn form<'a>(client: &'a str, secret: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client),
        ("client_secret", secret),
        ("scope", "https://graph.microsoft.com/.default"),
        ("grant_type", "client_credentials"),
    ]
}

#[tokio::test]
async fn a_valid_secret_gets_a_bearer_token_with_the_consented_roles() {
    let t = TestEmu::start(one_tenant(3)).await;
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    let (status, headers, body) = t
        .token_request(&t.tid(0), &form(&client, c.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store, no-cache");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let claims = jwt_payload(body["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(
        claims["iss"],
        format!("https://sts.windows.net/{}/", c.tenant_id)
    );
    assert_eq!(claims["tid"], c.tenant_id.to_string());
    assert_eq!(claims["appid"], client);
    assert_eq!(claims["idtyp"], "app");
    assert!(claims["iat"].is_i64() && claims["nbf"].is_i64() && claims["exp"].is_i64());
    let now = t.clock.clone();
    let now = roster_graph_emulator::Clock::now(&now).as_second();
    assert!(claims["exp"].as_i64().unwrap() > now && claims["nbf"].as_i64().unwrap() <= now);
    let roles: Vec<&str> = claims["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(roles.contains(&"User.Read.All"));
    assert_eq!(roles.len(), c.apps[0].roles.len());
}

#[tokio::test]
async fn a_tenant_can_be_addressed_by_its_verified_domain() {
    let t = TestEmu::start(one_tenant(1)).await;
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    for domain in &c.domains {
        let (status, _, body) = t
            .token_request(domain, &form(&client, c.client_secret().unwrap()))
            .await;
        assert_eq!(status, StatusCode::OK, "{domain}: {body}");
        assert_eq!(
            jwt_payload(body["access_token"].as_str().unwrap())["tid"],
            c.tenant_id.to_string()
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_gets_aadsts7000215() {
    let t = TestEmu::start(one_tenant(1)).await;
    let client = t.creds(0).client_id().unwrap().to_string();
    let (status, _, body) = t
        .token_request(&t.tid(0), &form(&client, "not-the-secret"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    let description = body["error_description"].as_str().unwrap();
    assert!(description.starts_with("AADSTS7000215: Invalid client secret provided."));
    assert!(description.contains("\r\nTrace ID: ") && description.contains("\r\nCorrelation ID: "));
    let ts = body["timestamp"].as_str().unwrap();
    assert_eq!(ts.len(), 20);
    assert_eq!(&ts[10..11], " ");
    sts_error_snapshot!("token_wrong_secret", body);
}

#[tokio::test]
async fn the_secret_id_is_not_accepted_as_the_secret() {
    let t = TestEmu::start(one_tenant(1)).await;
    let c = t.creds(0);
    let key_id = c.apps[0].secrets[0].key_id.to_string();
    let client = c.client_id().unwrap().to_string();
    let (status, _, body) = t.token_request(&t.tid(0), &form(&client, &key_id)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_codes"][0], 7_000_215);
}

#[tokio::test]
async fn an_expired_secret_gets_aadsts7000222() {
    let mut s = one_tenant(1);
    s.tenants[0].apps = vec![AppSpec {
        secrets: vec![SecretSpec {
            expires_in_days: Some(-1),
            ..SecretSpec::default()
        }],
        ..AppSpec::default()
    }];
    let t = TestEmu::start(s).await;
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    let (status, _, body) = t
        .token_request(&t.tid(0), &form(&client, c.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"][0], 7_000_222);
    sts_error_snapshot!("token_expired_secret", body);
}

#[tokio::test]
async fn a_secret_about_to_expire_stops_working_when_it_expires() {
    let mut s = one_tenant(1);
    s.tenants[0].apps = vec![AppSpec {
        secrets: vec![SecretSpec {
            expires_in_days: Some(5),
            ..SecretSpec::default()
        }],
        ..AppSpec::default()
    }];
    let t = TestEmu::start(s).await;
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    let (status, _, _) = t
        .token_request(&t.tid(0), &form(&client, c.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    t.advance(5 * 86_400);
    let (status, _, body) = t
        .token_request(&t.tid(0), &form(&client, c.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_codes"][0], 7_000_222);
}

#[tokio::test]
async fn an_unknown_tenant_gets_aadsts90002() {
    let t = TestEmu::start(one_tenant(1)).await;
    let (status, _, body) = t.token_request("nobody.example.com", &form("x", "y")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_tenant");
    assert_eq!(body["error_codes"][0], 90002);
    sts_error_snapshot!("token_unknown_tenant", body);
    let (status, _, body) = t
        .token_request("8f1f7a4e-0000-4000-8000-000000000000", &form("x", "y"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_codes"][0], 90002);
}

#[tokio::test]
async fn a_malformed_tenant_gets_aadsts900023() {
    let t = TestEmu::start(one_tenant(1)).await;
    let (status, _, body) = t.token_request("undefined", &form("x", "y")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_codes"][0], 900_023);
    sts_error_snapshot!("token_malformed_tenant", body);
}

#[tokio::test]
async fn an_application_not_in_the_tenant_gets_aadsts700016() {
    let t = TestEmu::start(Scenario::generated(2, 1, 3)).await;
    let other = t.creds(1);
    let client = other.client_id().unwrap().to_string();
    let (status, _, body) = t
        .token_request(&t.tid(0), &form(&client, other.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
    assert_eq!(body["error_codes"][0], 700_016);
    sts_error_snapshot!("token_app_not_in_tenant", body);
}

#[tokio::test]
async fn bad_scopes_get_invalid_scope() {
    let t = TestEmu::start(one_tenant(1)).await;
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    let secret = c.client_secret().unwrap();
    for (scope, code) in [
        ("https://graph.microsoft.com/User.Read.All", 1_002_012),
        ("https://management.azure.com/.default", 70011),
        (
            "https://graph.microsoft.com/.default https://vault.azure.net/.default",
            700_022,
        ),
    ] {
        let (status, _, body) = t
            .token_request(
                &t.tid(0),
                &[
                    ("client_id", &client),
                    ("client_secret", secret),
                    ("scope", scope),
                    ("grant_type", "client_credentials"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{scope}");
        assert_eq!(body["error"], "invalid_scope", "{scope}");
        assert_eq!(body["error_codes"][0], code, "{scope}");
    }
}

#[tokio::test]
async fn a_missing_or_unsupported_grant_type_is_refused() {
    let t = TestEmu::start(one_tenant(1)).await;
    let (status, _, body) = t
        .token_request(
            &t.tid(0),
            &[
                ("client_id", "x"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_codes"][0], 900_144);
    sts_error_snapshot!("token_missing_grant_type", body);
    let (status, _, body) = t
        .token_request(&t.tid(0), &[("grant_type", "password"), ("client_id", "x")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(body["error_codes"][0], 70003);
    let url = format!(
        "{}?grant_type=client_credentials",
        t.emu.token_url(&t.tid(0))
    );
    let r = t
        .http
        .post(url)
        .form(&[("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_codes"][0], 900_144);
}

#[tokio::test]
async fn secrets_in_http_basic_auth_are_accepted() {
    let t = TestEmu::start(one_tenant(1)).await;
    let c = t.creds(0);
    let r = t
        .http
        .post(t.emu.token_url(&t.tid(0)))
        .basic_auth(c.client_id().unwrap(), Some(c.client_secret().unwrap()))
        .form(&[
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_delegated_only_app_gets_a_token_without_roles_and_graph_refuses_it() {
    let mut s = one_tenant(2);
    s.tenants[0].apps = vec![AppSpec::delegated_only()];
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    let claims = jwt_payload(&token);
    assert!(claims.get("roles").is_none(), "{claims}");
    let (status, body) = t.get(&token, "users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
}

#[tokio::test]
async fn an_app_without_admin_consent_gets_a_token_without_roles() {
    let mut s = one_tenant(1);
    s.tenants[0].apps = vec![AppSpec {
        admin_consent: false,
        ..AppSpec::default()
    }];
    let t = TestEmu::start(s).await;
    assert!(jwt_payload(&t.token(0).await).get("roles").is_none());
    let c = t.creds(0);
    t.emu
        .handle()
        .set_consent(&t.tid(0), c.client_id().unwrap(), true)
        .unwrap();
    assert!(
        jwt_payload(&t.token(0).await)["roles"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[tokio::test]
async fn a_new_secret_works_only_after_the_activation_delay() {
    let mut s = one_tenant(1);
    s.settings = Settings {
        secret_activation_delay_seconds: 60,
        ..Settings::default()
    };
    let t = TestEmu::start(s).await;
    let c = t.creds(0);
    let client = c.client_id().unwrap();
    let created = t
        .emu
        .handle()
        .add_secret(&t.tid(0), client, &NewSecret::default())
        .unwrap();
    let client_s = client.to_string();
    let (status, _, body) = t
        .token_request(&t.tid(0), &form(&client_s, &created.value))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_codes"][0], 7_000_215);
    t.advance(61);
    let (status, _, _) = t
        .token_request(&t.tid(0), &form(&client_s, &created.value))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The old secret still works until it is expired.
    let (status, _, _) = t
        .token_request(&t.tid(0), &form(&client_s, c.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    t.emu
        .handle()
        .expire_secret(&t.tid(0), client, c.apps[0].secrets[0].key_id)
        .unwrap();
    let (status, _, body) = t
        .token_request(&t.tid(0), &form(&client_s, c.client_secret().unwrap()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_codes"][0], 7_000_222);
}

#[tokio::test]
async fn a_short_token_lifetime_makes_graph_refuse_the_token_once_expired() {
    let t = TestEmu::start(one_tenant(2)).await;
    t.emu
        .handle()
        .set_faults(
            &t.tid(0),
            Faults {
                token_lifetime_seconds: Some(30),
                ..Faults::default()
            },
        )
        .unwrap();
    let token = t.token(0).await;
    let claims = jwt_payload(&token);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - (claims["iat"].as_i64().unwrap() + 300),
        30
    );
    assert_eq!(t.get(&token, "organization").await.0, StatusCode::OK);
    t.advance(31);
    let (status, body) = t.get(&token, "organization").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
}

#[tokio::test]
async fn openid_discovery_names_the_tenant_token_endpoint() {
    let t = TestEmu::start(Scenario {
        tenants: vec![TenantSpec {
            generate: Some(GenerateSpec {
                users: 1,
                seed: Some(1),
            }),
            ..TenantSpec::default()
        }],
        ..Scenario::default()
    })
    .await;
    let tid = t.tid(0);
    let url = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        t.emu.base_url(),
        t.creds(0).domains[0]
    );
    let body: serde_json::Value = t.http.get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        body["token_endpoint"],
        format!("{}/{tid}/oauth2/v2.0/token", t.emu.base_url())
    );
    assert_eq!(
        body["issuer"],
        format!("https://login.microsoftonline.com/{tid}/v2.0")
    );
    let url = format!(
        "{}/unknown.example.org/v2.0/.well-known/openid-configuration",
        t.emu.base_url()
    );
    let r = t.http.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_tenant");
}
