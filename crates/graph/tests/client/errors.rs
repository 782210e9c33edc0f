//! Classification of token-endpoint and Graph error bodies (the documented and observed ones).

use roster_graph::error::{GraphErrorEnvelope, TokenErrorBody};
use roster_graph::{GraphErrorKind, TokenErrorKind};

use crate::fixture;
use crate::support::decode;

fn token_kind(status: u16, json: &str) -> TokenErrorKind {
    decode::<TokenErrorBody>(json).kind(status)
}

fn graph_kind(status: u16, json: &str) -> GraphErrorKind {
    decode::<GraphErrorEnvelope>(json).error.kind(status)
}

#[test]
fn a_wrong_secret_body_is_classified_as_invalid_secret_value_in_both_wordings() {
    assert_eq!(
        token_kind(401, fixture!("token-error-7000215-invalid-secret.json")),
        TokenErrorKind::InvalidSecretValue
    );
    assert_eq!(
        token_kind(
            401,
            fixture!("token-error-7000215-invalid-secret-2020.json")
        ),
        TokenErrorKind::InvalidSecretValue
    );
}

#[test]
fn an_expired_secret_body_with_escaped_slashes_is_classified_and_unescaped() {
    let body: TokenErrorBody = decode(fixture!("token-error-7000222-expired-secret-2020.json"));
    assert_eq!(body.kind(401), TokenErrorKind::ExpiredSecret);
    assert_eq!(
        body.error_uri.as_deref(),
        Some("https://login.microsoftonline.com/error?code=7000222")
    );
    assert!(
        body.error_description
            .contains("https://docs.microsoft.com/azure")
    );
}

#[test]
fn tenant_and_application_refusals_are_classified_by_code() {
    assert_eq!(
        token_kind(400, fixture!("token-error-90002-tenant-not-found.json")),
        TokenErrorKind::TenantNotFound
    );
    assert_eq!(
        token_kind(
            400,
            fixture!("token-error-900023-invalid-tenant-identifier.json")
        ),
        TokenErrorKind::MalformedTenant
    );
    assert_eq!(
        token_kind(400, fixture!("token-error-700016-app-not-in-tenant.json")),
        TokenErrorKind::AppNotInTenant
    );
    assert_eq!(
        token_kind(400, fixture!("token-error-900144-missing-grant-type.json")),
        TokenErrorKind::MissingParameter
    );
    assert_eq!(
        token_kind(400, fixture!("token-error-invalid-scope.json")),
        TokenErrorKind::InvalidScope
    );
}

#[test]
fn token_error_timestamps_with_a_space_parse_and_placeholders_do_not() {
    let sample: TokenErrorBody = decode(fixture!("token-error-reference-sample.json"));
    assert_eq!(
        sample.parsed_timestamp(),
        Some("2018-02-14T07:08:09Z".parse().unwrap())
    );
    assert_eq!(
        sample.error_uri.as_deref(),
        Some("https://login.microsoftonline.com/error?code=70011")
    );
    let placeholder: TokenErrorBody = decode(fixture!("token-error-invalid-scope.json"));
    assert_eq!(
        placeholder.timestamp.as_deref(),
        Some("YYYY-MM-DD HH:MM:SSZ")
    );
    assert_eq!(placeholder.parsed_timestamp(), None);
    assert_eq!(placeholder.error_uri, None);
}

#[test]
fn unknown_codes_fall_back_to_the_error_class_then_the_status() {
    assert_eq!(
        TokenErrorKind::classify(401, "invalid_client", &[7_000_999]),
        TokenErrorKind::InvalidClient
    );
    assert_eq!(
        TokenErrorKind::classify(400, "invalid_tenant", &[]),
        TokenErrorKind::TenantNotFound
    );
    assert_eq!(
        TokenErrorKind::classify(400, "temporarily_unavailable", &[]),
        TokenErrorKind::Transient
    );
    assert_eq!(
        TokenErrorKind::classify(429, "whatever", &[]),
        TokenErrorKind::Transient
    );
    assert_eq!(
        TokenErrorKind::classify(400, "invalid_request", &[12_345]),
        TokenErrorKind::Unknown
    );
    assert!(
        TokenErrorKind::InvalidSecretValue
            .advice()
            .contains("Value")
    );
}

#[test]
fn documented_graph_errors_are_classified_by_status_then_code() {
    let cases = [
        (
            401,
            fixture!("graph-error-401-access-token-empty.json"),
            GraphErrorKind::InvalidAuthenticationToken,
        ),
        (
            401,
            fixture!("graph-error-401-invalid-audience.json"),
            GraphErrorKind::InvalidAuthenticationToken,
        ),
        (
            401,
            fixture!("graph-error-401-compacttoken-parsing.json"),
            GraphErrorKind::InvalidAuthenticationToken,
        ),
        (
            403,
            fixture!("error-authorization-requestdenied-no-admin-consent.json"),
            GraphErrorKind::AuthorizationRequestDenied,
        ),
        (
            403,
            fixture!("error-nonpremium-403.json"),
            GraphErrorKind::NotPremium,
        ),
        (
            404,
            fixture!("graph-error-404-request-resourcenotfound.json"),
            GraphErrorKind::ResourceNotFound,
        ),
        (
            404,
            fixture!("graph-error-404-resourcenotfound-outlook.json"),
            GraphErrorKind::ResourceNotFound,
        ),
        (
            429,
            fixture!("error-throttled-429.json"),
            GraphErrorKind::TooManyRequests,
        ),
        (
            400,
            fixture!("error-syncstatenotfound.json"),
            GraphErrorKind::SyncStateNotFound,
        ),
        (
            400,
            fixture!("error-search-without-consistencylevel.json"),
            GraphErrorKind::UnsupportedQuery,
        ),
        (
            400,
            fixture!("error-advanced-query-unsupported.json"),
            GraphErrorKind::UnsupportedQuery,
        ),
        (
            400,
            fixture!("error-invalid-page-size.json"),
            GraphErrorKind::UnsupportedQuery,
        ),
        (
            400,
            fixture!("error-count-without-consistencylevel.json"),
            GraphErrorKind::BadRequest,
        ),
        (
            416,
            fixture!("error-generic-invalidrange.json"),
            GraphErrorKind::BadRequest,
        ),
        (
            403,
            fixture!("error-intune-stringified.json"),
            GraphErrorKind::Forbidden,
        ),
    ];
    for (status, json, expected) in cases {
        assert_eq!(graph_kind(status, json), expected, "{json}");
    }
}

#[test]
fn inner_error_dates_without_offset_are_utc_and_placeholders_are_ignored() {
    let throttled: GraphErrorEnvelope = decode(fixture!("error-throttled-429.json"));
    assert_eq!(
        throttled.error.date(),
        Some("2023-02-03T04:05:06Z".parse().unwrap())
    );
    let inner = throttled.error.inner_error.as_ref().unwrap();
    assert_eq!(inner.status.as_deref(), Some("429"));
    assert_eq!(
        throttled.error.request_id(),
        Some("a3b4c5d6-e7f8-4091-a2b3-c4d5e6f70819")
    );
    let placeholder: GraphErrorEnvelope = decode(fixture!(
        "error-authorization-requestdenied-no-admin-consent.json"
    ));
    assert_eq!(placeholder.error.date(), None);
    assert_eq!(placeholder.error.request_id(), Some("<guid>"));
}

#[test]
fn a_stringified_json_message_is_kept_as_text() {
    let intune: GraphErrorEnvelope = decode(fixture!("error-intune-stringified.json"));
    assert_eq!(intune.error.code, "UnknownError");
    assert!(
        intune
            .error
            .message
            .starts_with("{\"ErrorCode\":\"Forbidden\"")
    );
}

#[test]
fn status_alone_classifies_an_empty_code() {
    assert_eq!(
        GraphErrorKind::classify(503, ""),
        GraphErrorKind::ServiceUnavailable
    );
    assert_eq!(
        GraphErrorKind::classify(504, ""),
        GraphErrorKind::GatewayTimeout
    );
    assert_eq!(
        GraphErrorKind::classify(501, ""),
        GraphErrorKind::NotImplemented
    );
    assert_eq!(GraphErrorKind::classify(403, ""), GraphErrorKind::Forbidden);
    assert_eq!(
        GraphErrorKind::classify(405, "Request_BadRequest"),
        GraphErrorKind::BadRequest
    );
    assert_eq!(GraphErrorKind::classify(500, ""), GraphErrorKind::Other);
}
