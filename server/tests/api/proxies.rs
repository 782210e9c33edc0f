//! The client address behind a reverse proxy: forwarding headers count only from trusted proxies.

use crate::helpers::{OWNER_EMAIL, TestApp};
use roster_testkit::TestDb;

async fn failures_against(app: &TestApp, address: &str) -> i64 {
    app.db
        .db
        .throttle(&format!("address:{address}"))
        .await
        .expect("query")
        .failures
}

/// The address recorded with the newest `member.added` event.
async fn address_of_member_added(app: &TestApp) -> Option<String> {
    let db = &app.db.db;
    app.owner_principal()
        .await
        .scope(db)
        .audit_log(10)
        .await
        .expect("audit")
        .into_iter()
        .find(|r| r.action == "member.added")
        .and_then(|r| r.client_address)
}

#[tokio::test]
async fn a_forwarded_address_is_used_only_when_the_peer_is_a_trusted_proxy() {
    let db = TestDb::fresh().await.expect("test database");
    let app = TestApp::spawn_with(
        db,
        &[("ROSTER_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8")],
    )
    .await;
    let owner = app.with_owner().await;
    // The proxy at 127.0.0.1 passes on a client at 203.0.113.9 (after an inner proxy at 10.1.1.1).
    let behind = app.browser_with(&[("x-forwarded-for", "198.51.100.66, 203.0.113.9, 10.1.1.1")]);
    behind.login(OWNER_EMAIL, "not the password").await;
    assert_eq!(failures_against(&app, "203.0.113.9").await, 1);
    assert_eq!(
        failures_against(&app, "198.51.100.66").await,
        0,
        "what the client wrote itself is not believed"
    );
    assert_eq!(failures_against(&app, "127.0.0.1").await, 0);
    // The standard header is read too, and it wins over the older one.
    let standard = app.browser_with(&[
        ("forwarded", "for=\"[2001:db8:1:2::5]:443\";proto=https"),
        ("x-forwarded-for", "203.0.113.9"),
    ]);
    standard.login(OWNER_EMAIL, "not the password").await;
    assert_eq!(failures_against(&app, "2001:db8:1:2::/64").await, 1);
    assert_eq!(failures_against(&app, "203.0.113.9").await, 1);
    // What a person does is audited with the address they act from.
    let signed_in = app.browser_with(&[("x-forwarded-for", "192.0.2.44")]);
    signed_in
        .login(OWNER_EMAIL, crate::helpers::OWNER_PASSWORD)
        .await;
    signed_in
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "Tess"),
                ("email", "tess@acme.test"),
                ("role", "technician"),
            ],
        )
        .await;
    assert_eq!(
        address_of_member_added(&app).await.as_deref(),
        Some("192.0.2.44")
    );
    drop(owner);
}

#[tokio::test]
async fn without_trusted_proxies_forwarding_headers_change_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let b = app.browser_with(&[
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=192.0.2.1"),
    ]);
    b.login(OWNER_EMAIL, "not the password").await;
    assert_eq!(failures_against(&app, "127.0.0.1").await, 1);
    assert_eq!(failures_against(&app, "203.0.113.9").await, 0);
    assert_eq!(failures_against(&app, "192.0.2.1").await, 0);
    owner
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "Tess"),
                ("email", "tess@acme.test"),
                ("role", "technician"),
            ],
        )
        .await;
    assert_eq!(
        address_of_member_added(&app).await.as_deref(),
        Some("127.0.0.1")
    );
}
