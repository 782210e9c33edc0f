//! Shared test scaffolding: a running emulator with a manual clock, token and request helpers.

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use roster_graph_emulator::{
    Emulator, GenerateSpec, ManualClock, RunningEmulator, Scenario, TenantCredentials, TenantSpec,
};
use serde_json::Value;

pub const START: &str = "2026-03-01T12:00:00Z";

pub struct TestEmu {
    pub emu: RunningEmulator,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

/// One generated tenant of `users` users.
pub fn one_tenant(users: u32) -> Scenario {
    Scenario {
        seed: 7,
        tenants: vec![TenantSpec {
            generate: Some(GenerateSpec { users, seed: None }),
            ..TenantSpec::default()
        }],
        ..Scenario::default()
    }
}

impl TestEmu {
    pub async fn start(scenario: Scenario) -> Self {
        let clock = ManualClock::new(START.parse::<Timestamp>().unwrap());
        let emu = Emulator::builder()
            .scenario(scenario)
            .clock(clock.clone())
            .signing_key([7; 32])
            .start("127.0.0.1:0")
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { emu, clock, http }
    }

    pub fn creds(&self, i: usize) -> TenantCredentials {
        self.emu.handle().credentials()[i].clone()
    }

    pub fn tid(&self, i: usize) -> String {
        self.creds(i).tenant_id.to_string()
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(jiff::SignedDuration::from_secs(secs));
    }

    pub async fn token_request(
        &self,
        tenant: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let r = self
            .http
            .post(self.emu.token_url(tenant))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.json().await.unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// A token for tenant `i` with its first app's newest secret.
    pub async fn token(&self, i: usize) -> String {
        let c = self.creds(i);
        let client = c.client_id().unwrap().to_string();
        let secret = c.client_secret().unwrap().to_owned();
        let (status, _, body) = self
            .token_request(
                &c.tenant_id.to_string(),
                &[
                    ("client_id", client.as_str()),
                    ("client_secret", secret.as_str()),
                    ("scope", "https://graph.microsoft.com/.default"),
                    ("grant_type", "client_credentials"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get_with(
        &self,
        token: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}/{path}", self.emu.graph_url())
        };
        let mut req = self.http.get(url).bearer_auth(token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, body)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.get_with(token, path, &[]).await;
        (s, b)
    }

    /// Follows next links from `path`; returns every item.
    pub async fn list_all(&self, token: &str, path: &str, headers: &[(&str, &str)]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut url = path.to_owned();
        loop {
            let (s, _, b) = self.get_with(token, &url, headers).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            out.extend(b["value"].as_array().unwrap().iter().cloned());
            match b["@odata.nextLink"].as_str() {
                Some(n) => url = n.to_owned(),
                None => break,
            }
        }
        out
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("{}/_emulator/{path}", self.emu.base_url())
    }
}

/// Decodes a JWT payload without checking it.
pub fn jwt_payload(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

/// Graph errors carry per-request ids and a date: mask them for snapshots.
#[macro_export]
macro_rules! graph_error_snapshot {
    ($name:expr, $value:expr) => {
        insta::assert_json_snapshot!($name, $value, {
            ".error.innerError.date" => "[date]",
            ".error.innerError[\"request-id\"]" => "[request-id]",
            ".error.innerError[\"client-request-id\"]" => "[client-request-id]",
        })
    };
}

/// Token errors carry trace ids and times: mask them for snapshots.
#[macro_export]
macro_rules! sts_error_snapshot {
    ($name:expr, $value:expr) => {
        insta::assert_json_snapshot!($name, $value, {
            ".error_description" => "[description]",
            ".trace_id" => "[trace-id]",
            ".correlation_id" => "[correlation-id]",
        })
    };
}
