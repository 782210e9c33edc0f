//! Token responses (`expires_in` as number or string) and reading the JWT claims, `roles` above all.

use roster_graph::RolesClaim;
use roster_graph::token::{AccessToken, TokenResponse, decode_claims};
use secrecy::{ExposeSecret, SecretString};

use crate::fixture;
use crate::support::{decode, jwt, payload_with_roles};

#[test]
fn the_documented_token_response_has_a_numeric_lifetime() {
    let response: TokenResponse = decode(fixture!("token-success.json"));
    assert_eq!(response.token_type, "Bearer");
    assert_eq!(response.expires_in, 3599);
    assert_eq!(response.ext_expires_in, None);
}

#[test]
fn a_recorded_token_response_has_an_extended_lifetime() {
    let response: TokenResponse = decode(fixture!("token-success-recorded.json"));
    assert_eq!(response.ext_expires_in, Some(3599));
    assert_eq!(
        response.access_token.secret().expose_secret(),
        "recorded-token-redacted"
    );
}

#[test]
fn a_lifetime_sent_as_a_string_is_accepted() {
    let response: TokenResponse = decode(fixture!("token-success-v1-strings.json"));
    assert_eq!(response.expires_in, 3599);
    assert_eq!(response.ext_expires_in, Some(3599));
}

#[test]
fn a_lifetime_that_is_not_a_number_is_rejected() {
    let result = serde_json::from_str::<TokenResponse>(
        r#"{"token_type":"Bearer","expires_in":"soon","access_token":"x"}"#,
    );
    assert!(result.is_err());
}

#[test]
fn the_access_token_never_shows_in_debug_output() {
    let response: TokenResponse = decode(fixture!("token-success-recorded.json"));
    let printed = format!("{response:?}");
    assert!(!printed.contains("recorded-token-redacted"), "{printed}");
    assert!(printed.contains("REDACTED"));
}

#[test]
fn a_token_without_roles_is_distinguishable_from_one_with_roles() {
    let header = fixture!("access-token-header-graph.json");
    let claims = decode_claims(&jwt(
        header,
        fixture!("access-token-claims-app-only-no-roles.json"),
    ))
    .unwrap();
    assert_eq!(claims.roles, RolesClaim::Absent);
    assert_eq!(claims.identity_type.as_deref(), Some("app"));
    assert_eq!(
        claims.app_id.as_deref(),
        Some("5b1f0e2a-7c3d-4e8f-9a0b-1c2d3e4f5a6b")
    );
    assert_eq!(
        claims.tenant_id.as_deref(),
        Some("2c7e1f0a-5b3d-4e9a-8f21-6d4c0b9a7e35")
    );
    assert_eq!(
        claims.issuer.as_deref(),
        Some("https://sts.windows.net/2c7e1f0a-5b3d-4e9a-8f21-6d4c0b9a7e35/")
    );
    assert_eq!(
        claims.expires_at.unwrap().as_second() - claims.issued_at.unwrap().as_second(),
        3900
    );

    let with_roles = decode_claims(&jwt(
        header,
        &payload_with_roles(&["User.Read.All", "AuditLog.Read.All"]),
    ))
    .unwrap();
    assert_eq!(
        with_roles.roles,
        RolesClaim::Present(vec![
            "User.Read.All".to_owned(),
            "AuditLog.Read.All".to_owned()
        ])
    );
    assert!(with_roles.roles.contains("user.read.all"));

    let empty = decode_claims(&jwt(header, &payload_with_roles(&[]))).unwrap();
    assert_eq!(empty.roles, RolesClaim::Present(vec![]));
}

#[test]
fn padded_base64url_payloads_are_read_too() {
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE.encode(r#"{"roles":["XY"]}"#);
    assert!(payload.ends_with('='), "the test needs padding: {payload}");
    let claims = decode_claims(&format!("e30.{payload}.sig")).unwrap();
    assert_eq!(claims.roles.roles(), ["XY".to_owned()]);
}

#[test]
fn something_that_is_not_a_jwt_is_a_malformed_token() {
    for bad in [
        "opaque-token",
        "a.b",
        "a.!!!.c",
        "a.bm90IGpzb24.c",
        "a.b.c.d",
    ] {
        let error = decode_claims(bad).unwrap_err();
        assert!(
            matches!(error, roster_graph::Error::MalformedAccessToken(_)),
            "{bad}: {error:?}"
        );
    }
    let token = AccessToken::new(SecretString::from("opaque"));
    assert!(token.claims().is_err());
}
