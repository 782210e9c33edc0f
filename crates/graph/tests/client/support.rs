//! Shared test helpers: fixture loading, JWT construction, and client configuration with a
//! manual clock and a recording sleeper.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use roster_graph::GraphConfig;
use roster_graph::config::RetryPolicy;
use roster_graph::testing::{FixedRandom, ManualClock, RecordingSleep};

/// Reads a fixture from `tests/client/fixtures/` at compile time.
#[macro_export]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/", $name))
    };
}

/// Decodes a fixture, panicking with the serde path on failure.
pub fn decode<T: serde::de::DeserializeOwned>(json: &str) -> T {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(error) => panic!("decoding failed at {}: {}", error.path(), error.inner()),
    }
}

/// An unsigned JWT with the given header and payload JSON.
pub fn jwt(header: &str, payload: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
        URL_SAFE_NO_PAD.encode(header.as_bytes()),
        URL_SAFE_NO_PAD.encode(payload.as_bytes())
    )
}

/// A payload with `roles`.
pub fn payload_with_roles(roles: &[&str]) -> String {
    serde_json::json!({
        "aud": "https://graph.microsoft.com",
        "tid": "2c7e1f0a-5b3d-4e9a-8f21-6d4c0b9a7e35",
        "appid": "5b1f0e2a-7c3d-4e8f-9a0b-1c2d3e4f5a6b",
        "idtyp": "app",
        "ver": "1.0",
        "iat": 1_700_000_000,
        "nbf": 1_700_000_000,
        "exp": 1_700_003_900,
        "roles": roles,
    })
    .to_string()
}

pub const START: &str = "2024-05-01T08:00:00Z";

/// Test doubles handed to the client.
pub struct Doubles {
    pub clock: ManualClock,
    pub sleep: RecordingSleep,
}

/// A configuration for a fake server at `base`: login under `/login`, Graph under `/graph`,
/// manual clock, recording sleeper, mid-range jitter, short timeout.
pub fn config(base: &str) -> (GraphConfig, Doubles) {
    let mut config =
        GraphConfig::with_bases(&format!("{base}/login"), &format!("{base}/graph")).unwrap();
    let clock = ManualClock::new(START.parse::<Timestamp>().unwrap());
    let sleep = RecordingSleep::advancing(clock.clone());
    config.clock = Arc::new(clock.clone());
    config.sleeper = Arc::new(sleep.clone());
    config.random = Arc::new(FixedRandom::fraction(0.5));
    config.timeout = Duration::from_secs(5);
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(8),
        max_retry_after: Duration::from_secs(60),
    };
    (config, Doubles { clock, sleep })
}
