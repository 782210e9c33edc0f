//! Every fault switch.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use roster_graph_emulator::Faults;

use crate::helpers::{TestEmu, one_tenant};

async fn with_faults(users: u32, f: Faults) -> (TestEmu, String) {
    let t = TestEmu::start(one_tenant(users)).await;
    let token = t.token(0).await;
    t.emu.handle().set_faults(&t.tid(0), f).unwrap();
    (t, token)
}

#[tokio::test]
#[expect(
    clippy::disallowed_methods,
    reason = "a latency fault is a real delay, measured on the monotonic clock"
)]
async fn fixed_latency_delays_answers() {
    let (t, token) = with_faults(
        2,
        Faults {
            latency_ms: 150,
            ..Faults::default()
        },
    )
    .await;
    let start = Instant::now();
    assert_eq!(t.get(&token, "organization").await.0, StatusCode::OK);
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn an_error_rate_of_one_answers_503() {
    let (t, token) = with_faults(
        2,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    let (status, body) = t.get(&token, "organization").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "serviceNotAvailable");
    t.emu
        .handle()
        .set_faults(&t.tid(0), Faults::default())
        .unwrap();
    assert_eq!(t.get(&token, "organization").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_429_storm_lasts_the_given_number_of_requests() {
    let (t, token) = with_faults(
        2,
        Faults {
            storm_requests: 3,
            storm_retry_after_seconds: Some(2.128),
            ..Faults::default()
        },
    )
    .await;
    for _ in 0..3 {
        let (status, h, body) = t.get_with(&token, "users", &[]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(h["retry-after"], "2.128");
        assert_eq!(body["error"]["code"], "TooManyRequests");
    }
    assert_eq!(t.get(&token, "users").await.0, StatusCode::OK);
}

#[tokio::test]
async fn failure_at_page_k_breaks_only_that_page() {
    let (t, token) = with_faults(
        350,
        Faults {
            fail_at_page: Some(3),
            ..Faults::default()
        },
    )
    .await;
    let (_, p1) = t.get(&token, "users").await;
    let (s2, p2) = t.get(&token, p1["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(s2, StatusCode::OK);
    let (s3, _) = t.get(&token, p2["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(s3, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_truncated_body_is_not_valid_json() {
    let (t, token) = with_faults(
        5,
        Faults {
            truncate_body: true,
            ..Faults::default()
        },
    )
    .await;
    let r = t
        .http
        .get(format!("{}/users", t.emu.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
}

#[tokio::test]
async fn a_reset_connection_gives_no_answer() {
    let (t, token) = with_faults(
        2,
        Faults {
            reset_connection: true,
            ..Faults::default()
        },
    )
    .await;
    let err = t
        .http
        .get(format!("{}/users", t.emu.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout() && err.status().is_none(), "{err}");
    let log = t.emu.handle().requests();
    assert_eq!(log.last().unwrap().status, 0);
}

#[tokio::test]
#[expect(
    clippy::disallowed_methods,
    reason = "a latency fault is a real delay, measured on the monotonic clock"
)]
async fn a_hang_outlasts_the_client_timeout() {
    let (t, token) = with_faults(
        2,
        Faults {
            hang_ms: Some(30_000),
            ..Faults::default()
        },
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}/users", t.emu.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    // Shutting down ends the hung request rather than waiting 30 s.
    let start = Instant::now();
    t.emu.shutdown().await;
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn token_endpoint_faults_apply_only_when_asked() {
    let (t, _) = with_faults(
        2,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    t.token(0).await;
    t.emu
        .handle()
        .set_faults(
            &t.tid(0),
            Faults {
                error_rate: 1.0,
                token_endpoint: true,
                ..Faults::default()
            },
        )
        .unwrap();
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    let (status, _, body) = t
        .token_request(
            &t.tid(0),
            &[
                ("client_id", &client),
                ("client_secret", c.client_secret().unwrap()),
                ("scope", "https://graph.microsoft.com/.default"),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // The identity platform's own envelope, not Graph's.
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([90024]));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS90024:")
    );
}

#[tokio::test]
async fn a_storm_on_the_token_endpoint_lasts_the_given_number_of_requests() {
    let (t, _) = with_faults(
        1,
        Faults {
            storm_requests: 2,
            storm_retry_after_seconds: Some(4.5),
            token_endpoint: true,
            ..Faults::default()
        },
    )
    .await;
    let c = t.creds(0);
    let client = c.client_id().unwrap().to_string();
    let form = [
        ("client_id", client.as_str()),
        ("client_secret", c.client_secret().unwrap()),
        ("scope", "https://graph.microsoft.com/.default"),
        ("grant_type", "client_credentials"),
    ];
    for _ in 0..2 {
        let (status, headers, body) = t.token_request(&t.tid(0), &form).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers["retry-after"], "4.5");
        assert_eq!(body["error"], "temporarily_unavailable", "{body}");
        assert_eq!(body["error_codes"], serde_json::json!([90055]));
    }
    let (status, _, body) = t.token_request(&t.tid(0), &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(t.emu.handle().faults(&t.tid(0)).unwrap().storm_requests, 0);
}

#[tokio::test]
async fn faults_can_be_switched_through_the_admin_api() {
    let t = TestEmu::start(one_tenant(2)).await;
    let token = t.token(0).await;
    let url = t.admin_url(&format!("tenants/{}/faults", t.tid(0)));
    let r = t
        .http
        .put(&url)
        .json(&serde_json::json!({"error_rate": 1.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        t.get(&token, "users").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    t.http.delete(&url).send().await.unwrap();
    assert_eq!(t.get(&token, "users").await.0, StatusCode::OK);
}
