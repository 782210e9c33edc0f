//! The connect wizard, connection checks and secret rotation, against the emulated Microsoft cloud.

use crate::helpers::{Browser, Customer, Page, TestApp, captured_logs};

/// Fills the wizard and presses "Check connection"; returns the page that follows.
async fn check(b: &Browser, c: &Customer, secret: &str) -> Page {
    let r = b
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("organization_id", ""),
                ("tenant", &c.tenant_id),
                ("client_id", &c.client_id),
                ("secret", secret),
                ("secret_expires_on", &c.expires_on),
            ],
        )
        .await;
    let to = r.location.expect("a redirect");
    b.get(&to).await
}

/// The draft id a checked wizard page carries.
fn draft_id(page: &Page) -> String {
    page.doc()
        .select(&scraper::Selector::parse("input[name=draft_id]").expect("selector"))
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_owned))
        .expect("a draft")
}

/// Checks and saves a connection to customer `c`; returns the tenant page's path and the connection id.
async fn connect(b: &Browser, c: &Customer) -> (String, String) {
    save(b, &check(b, c, &c.secret).await).await
}

/// Presses "Save connection" on a checked wizard page; returns the tenant page's path and the
/// connection id.
async fn save(b: &Browser, checked: &Page) -> (String, String) {
    let draft = draft_id(checked);
    let r = b
        .submit(
            &format!("/tenants/connect?draft={draft}"),
            "/api/save_connection",
            &[("draft_id", &draft)],
        )
        .await;
    let location = r.location.expect("saved");
    let id = location.trim_start_matches("/tenants/").to_owned();
    (location, id)
}

fn source_state(page: &Page, source: &str) -> String {
    page.texts("table.compact tbody tr")
        .into_iter()
        .find(|r| r.starts_with(source))
        .unwrap_or_default()
}

#[tokio::test]
async fn a_tenant_is_checked_and_saved_and_its_secret_is_never_shown_logged_or_stored_in_clear() {
    let _ = captured_logs();
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let page = check(&owner, &c, &c.secret).await;
    assert!(page.contains("Connected to"), "{}", page.html);
    assert!(page.contains(&c.tenant_id));
    assert!(page.contains(&c.domain), "verified domains shown as proof");
    assert!(
        page.texts("dd").iter().any(|d| d == "25"),
        "user count shown"
    );
    assert!(source_state(&page, "Users").contains("OK"));
    assert!(source_state(&page, "MFA registration").contains("OK"));
    let draft_page = page;

    let draft = draft_page.input_value("connect-tenant");
    assert_eq!(
        draft.as_deref(),
        Some(c.tenant_id.as_str()),
        "fields kept for a new try"
    );
    let draft_id = draft_id(&draft_page);
    let r = owner
        .submit(
            &format!("/tenants/connect?draft={draft_id}"),
            "/api/save_connection",
            &[("draft_id", &draft_id)],
        )
        .await;
    let location = r.location.unwrap();
    assert!(location.starts_with("/tenants/"), "{location}");
    let tenant_page = owner.get(&location).await;
    assert!(tenant_page.contains("The tenant connection was saved."));
    for button in ["Check connection", "Rotate secret"] {
        assert!(
            tenant_page.texts("button").contains(&button.to_owned()),
            "{button}"
        );
    }
    let list = owner.get("/tenants").await;
    assert!(
        list.texts("tbody tr")
            .iter()
            .any(|r| r.contains(&c.tenant_id) && r.contains("OK"))
    );
    let recheck = owner
        .submit(
            &location,
            "/api/recheck_connection",
            &[("id", location.trim_start_matches("/tenants/"))],
        )
        .await;
    assert_eq!(recheck.location.as_deref(), Some(location.as_str()));
    assert!(
        owner
            .get(&location)
            .await
            .contains("Connection checked: Connected to")
    );

    // The secret is in no page, no log line, and not in clear in the database.
    for path in [
        "/tenants",
        &location,
        &format!("/tenants/connect?draft={draft_id}"),
        "/settings/audit",
    ] {
        assert!(!owner.get(path).await.contains(&c.secret), "{path}");
    }
    let logs = captured_logs();
    // The capture saw this test's work (the Graph client logs each token it obtains, with the
    // tenant), so its silence about the secret means something.
    assert!(
        logs.contains("obtained an access token") && logs.contains(&c.tenant_id),
        "the log capture caught nothing of this test"
    );
    assert!(!logs.contains(&c.secret), "the secret was logged");
    match &app.db.db {
        roster_store::Db::Sqlite(_) => {
            let mut bytes = Vec::new();
            for f in std::fs::read_dir(
                app.db
                    .url
                    .trim_start_matches("sqlite:")
                    .rsplit_once('/')
                    .unwrap()
                    .0,
            )
            .unwrap()
            {
                bytes.extend(std::fs::read(f.unwrap().path()).unwrap_or_default());
            }
            assert!(!bytes.is_empty());
            assert!(
                !bytes
                    .windows(c.secret.len())
                    .any(|w| w == c.secret.as_bytes())
            );
        }
        roster_store::Db::Postgres(pool) => {
            let blobs: Vec<Vec<u8>> =
                sqlx::query_scalar("SELECT secret_blob FROM tenant_connections")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            assert_eq!(blobs.len(), 1);
            assert!(
                !blobs[0]
                    .windows(c.secret.len())
                    .any(|w| w == c.secret.as_bytes())
            );
        }
    }
}

#[tokio::test]
async fn a_wrong_secret_is_explained_and_nothing_is_saved() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let page = check(&owner, &c, "Wr0ng~secret-value-that-is-not-right").await;
    let problem = page.texts(".problem").join(" ");
    assert!(problem.contains("wrong secret value"), "{problem}");
    assert!(problem.contains("AADSTS7000215"));
    assert!(
        problem.contains("few minutes"),
        "a new secret may need minutes"
    );
    // The heading does not repeat the cause, and nothing says the secret is fine as it is.
    let heading = page.texts(".banner").join(" ");
    assert_eq!(
        heading,
        "Not connected: Roster could not sign in to this tenant."
    );
    assert!(!problem.contains("Nothing needs to change"), "{problem}");
    assert!(!page.texts("button").contains(&"Save connection".to_owned()));
    assert!(
        owner
            .get("/tenants")
            .await
            .contains("No tenants are connected yet")
    );
}

#[tokio::test]
async fn a_pasted_secret_id_is_called_out_at_once() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let r = owner
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("tenant", &c.tenant_id),
                ("client_id", &c.client_id),
                ("secret", &c.secret_id),
                ("secret_expires_on", &c.expires_on),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/tenants/connect"));
    let page = owner.get("/tenants/connect").await;
    let err = page.texts("#connect-secret-error").join(" ");
    assert!(err.contains("Secret ID"), "{err}");
    assert_eq!(
        page.input_value("connect-tenant").as_deref(),
        Some(c.tenant_id.as_str())
    );
    assert_eq!(
        page.input_value("connect-secret"),
        None,
        "the secret is never echoed back"
    );
    assert!(
        app.microsoft()
            .requests()
            .iter()
            .all(|r| !r.uri.contains("/token")),
        "nothing was sent to Microsoft"
    );
}

#[tokio::test]
async fn malformed_fields_are_refused_before_anything_is_sent() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let huge = "s".repeat(2000);
    owner
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("tenant", "not a tenant"),
                ("client_id", "contoso.com"),
                ("secret", &huge),
                ("secret_expires_on", "31/12/2027"),
            ],
        )
        .await;
    let page = owner.get("/tenants/connect").await;
    for field in ["tenant", "client_id", "secret", "secret_expires_on"] {
        assert_eq!(
            page.texts(&format!("#connect-{field}-error")).len(),
            1,
            "{field}"
        );
    }
    assert!(app.microsoft().requests().is_empty());
}

#[tokio::test]
async fn an_expired_secret_is_explained() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    app.microsoft()
        .expire_secret(
            &c.tenant_id,
            c.client_id.parse().unwrap(),
            c.secret_id.parse().unwrap(),
        )
        .unwrap();
    let page = check(&owner, &c, &c.secret).await;
    let problem = page.texts(".problem").join(" ");
    assert!(problem.contains("expired"), "{problem}");
    assert!(problem.contains("AADSTS7000222"));
}

#[tokio::test]
async fn an_unknown_tenant_is_explained() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let mut c = app.customer(0);
    c.tenant_id = "00000000-1111-2222-3333-444444444444".into();
    let page = check(&owner, &c, &c.secret).await;
    let problem = page.texts(".problem").join(" ");
    assert!(problem.contains("tenant ID is wrong"), "{problem}");
    assert!(problem.contains("AADSTS90002"));
}

#[tokio::test]
async fn an_app_with_only_delegated_permissions_is_explained() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(3);
    let page = check(&owner, &c, &c.secret).await;
    let problem = page.texts(".problem").join(" ");
    assert!(problem.contains("no application permissions"), "{problem}");
    assert!(problem.contains("Delegated"));
    assert!(problem.contains("Grant admin consent"));
}

#[tokio::test]
async fn a_tenant_without_entra_p1_is_still_ok_with_mfa_needing_p1() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(1);
    let page = check(&owner, &c, &c.secret).await;
    assert!(
        page.contains("Connected to"),
        "{}",
        page.texts(".check-report").join(" ")
    );
    assert!(source_state(&page, "MFA registration").contains("Needs Entra ID P1"));
    assert!(source_state(&page, "Sign-in activity").contains("Needs Entra ID P1"));
    assert!(source_state(&page, "Users").contains("OK"));
}

#[tokio::test]
async fn a_throttled_check_says_when_to_retry() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    app.microsoft()
        .set_faults(
            &c.tenant_id,
            roster_graph_emulator::Faults {
                storm_requests: 1000,
                storm_retry_after_seconds: Some(90.0),
                ..roster_graph_emulator::Faults::default()
            },
        )
        .unwrap();
    let page = check(&owner, &c, &c.secret).await;
    let text = page.texts(".check-report").join(" ");
    assert!(text.contains("throttling"), "{text}");
    assert!(text.contains("Wait 90 seconds"), "{text}");
}

#[tokio::test]
async fn microsoft_unreachable_is_explained() {
    let db = roster_testkit::TestDb::fresh().await.unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let app = TestApp::spawn_with(
        db,
        &[("ROSTER_LOGIN_URL", &closed), ("ROSTER_GRAPH_URL", &closed)],
    )
    .await;
    let owner = app.with_owner().await;
    let c = Customer {
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        domain: String::new(),
        client_id: "0f3c4d5e-1a2b-4c3d-9e8f-123456789abc".into(),
        secret: "Abc8Q~some-secret-value".into(),
        secret_id: String::new(),
        expires_on: app.clock.date_in(240),
    };
    let page = check(&owner, &c, &c.secret).await;
    let problem = page.texts(".problem").join(" ");
    assert!(problem.contains("could not reach Microsoft"), "{problem}");
}

#[tokio::test]
async fn a_truncated_answer_from_microsoft_is_explained() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    app.microsoft()
        .set_faults(
            &c.tenant_id,
            roster_graph_emulator::Faults {
                truncate_body: true,
                token_endpoint: true,
                ..roster_graph_emulator::Faults::default()
            },
        )
        .unwrap();
    let page = check(&owner, &c, &c.secret).await;
    let problem = page.texts(".problem").join(" ");
    assert!(problem.contains("cut off"), "{problem}");
}

#[tokio::test]
async fn rotating_the_secret_checks_the_new_one_before_replacing_the_old() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(2);
    let (location, id) = connect(&owner, &c).await;
    let page = owner.get(&location).await;
    assert!(
        page.texts(".banner").join(" ").contains("expires in"),
        "the expiring secret is flagged"
    );
    assert!(
        owner
            .get("/")
            .await
            .texts(".attention li")
            .iter()
            .any(|l| l.contains("expires in"))
    );

    // A wrong new secret is refused and the saved one stays.
    let rotate = format!("/tenants/{id}/rotate");
    let later = app.clock.date_in(450);
    let r = owner
        .submit(
            &rotate,
            "/api/check_rotation",
            &[
                ("id", &id),
                ("secret", "Wrong~new-secret-value-xx"),
                ("secret_expires_on", &later),
            ],
        )
        .await;
    let checked = owner.get(&r.location.unwrap()).await;
    assert!(
        !checked
            .texts("button")
            .contains(&"Replace secret".to_owned())
    );

    let new = app
        .microsoft()
        .add_secret(
            &c.tenant_id,
            c.client_id.parse().unwrap(),
            &roster_graph_emulator::NewSecret {
                value: None,
                expires: None,
                expires_in_days: Some(365),
            },
        )
        .unwrap();
    let new_expiry = app.clock.date_in(365);
    let r = owner
        .submit(
            &rotate,
            "/api/check_rotation",
            &[
                ("id", &id),
                ("secret", &new.value),
                ("secret_expires_on", &new_expiry),
            ],
        )
        .await;
    let to = r.location.unwrap();
    let checked = owner.get(&to).await;
    assert!(
        checked
            .texts("button")
            .contains(&"Replace secret".to_owned()),
        "{}",
        checked.html
    );
    let draft_id = to.split("draft=").nth(1).unwrap().to_owned();
    let r = owner
        .submit(&to, "/api/finish_rotation", &[("draft_id", &draft_id)])
        .await;
    assert_eq!(r.location.as_deref(), Some(location.as_str()));
    let page = owner.get(&location).await;
    assert!(page.contains("The new secret is in use"));
    assert!(page.contains(&new_expiry));
    // The old secret no longer matters: expire it in Entra and the connection still works.
    app.microsoft()
        .expire_secret(
            &c.tenant_id,
            c.client_id.parse().unwrap(),
            c.secret_id.parse().unwrap(),
        )
        .unwrap();
    owner
        .submit(&location, "/api/recheck_connection", &[("id", &id)])
        .await;
    assert!(
        owner
            .get(&location)
            .await
            .contains("Connection checked: Connected to")
    );
    let log = owner
        .get("/settings/audit")
        .await
        .texts("tbody tr")
        .join("\n");
    assert!(log.contains("Replaced the client secret of"), "{log}");
    assert!(
        log.contains(&format!("New secret expires on {new_expiry}")),
        "{log}"
    );
    assert!(!log.contains(&new.value));
}

#[tokio::test]
async fn only_owners_and_admins_touch_credentials_and_viewers_only_read() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let tech = app.member(&owner, "tess@acme.test", "technician").await;
    let viewer = app.member(&owner, "vera@acme.test", "viewer").await;
    for who in [&tech, &viewer] {
        let r = who
            .submit(
                "/tenants",
                "/api/check_connection",
                &[
                    ("tenant", &c.tenant_id),
                    ("client_id", &c.client_id),
                    ("secret", &c.secret),
                    ("secret_expires_on", &c.expires_on),
                ],
            )
            .await;
        let back = who.get(r.location.as_deref().unwrap()).await;
        assert!(
            back.texts("[role=alert]")
                .contains(&"Your role does not allow this.".to_owned()),
            "{}",
            back.html
        );
        assert!(!who.get("/tenants").await.contains("Connect a tenant"));
    }
    assert!(
        app.microsoft()
            .requests()
            .iter()
            .all(|r| !r.uri.contains("/token"))
    );
}

#[tokio::test]
async fn another_workspace_cannot_see_or_use_a_connection_or_a_draft() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    // A draft of A's, left unsaved, and a saved connection of A's.
    let pending = draft_id(&check(&owner, &c, &c.secret).await);
    let (location, id) = connect(&owner, &c).await;
    let bob = app.other_workspace().await;
    assert_eq!(bob.get(&location).await.status, 404);
    assert!(!bob.get("/tenants").await.contains(&c.tenant_id));
    bob.submit("/tenants", "/api/recheck_connection", &[("id", &id)])
        .await;
    assert_eq!(
        bob.get("/tenants").await.texts("[role=alert]"),
        vec!["That no longer exists."]
    );
    // A second check by Bob with A's draft id does not reach A's draft (or its sealed secret).
    let r = bob
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("draft_id", &pending),
                ("tenant", &c.tenant_id),
                ("client_id", &c.client_id),
                ("secret", ""),
                ("secret_expires_on", &c.expires_on),
            ],
        )
        .await;
    let page = bob.get(r.location.as_deref().unwrap()).await;
    assert!(!page.contains("Connected to"));
}

#[tokio::test]
async fn rotate_key_re_encrypts_every_secret_under_a_new_master_key() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let (location, id) = connect(&owner, &c).await;
    let key_before = std::fs::read_to_string(app.data_dir.join("master.key")).unwrap();

    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_roster"));
    for key in roster_server::config::SETTINGS {
        cmd.env_remove(key);
    }
    let out = cmd
        .env("ROSTER_DATA_DIR", &app.data_dir)
        .env("ROSTER_DATABASE_URL", &app.db.url)
        .arg("rotate-key")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Re-encrypted 1 secrets"), "{stdout}");
    let key_after = std::fs::read_to_string(app.data_dir.join("master.key")).unwrap();
    assert_ne!(key_before, key_after);
    assert!(
        std::fs::read_to_string(app.data_dir.join("master.key.previous"))
            .unwrap()
            .contains(key_before.trim())
    );
    assert!(!app.data_dir.join("master.key.next").exists());

    // A restarted server with only the new key opens the secret and the check still passes.
    std::fs::remove_file(app.data_dir.join("master.key.previous")).unwrap();
    let again = app.restart().await;
    again
        .login(crate::helpers::OWNER_EMAIL, crate::helpers::OWNER_PASSWORD)
        .await;
    again
        .submit(&location, "/api/recheck_connection", &[("id", &id)])
        .await;
    assert!(
        again
            .get(&location)
            .await
            .contains("Connection checked: Connected to")
    );
}

#[tokio::test]
async fn a_set_password_link_cannot_take_over_a_login_used_in_another_workspace() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let admin = app.member(&owner, "ada@acme.test", "admin").await;
    drop(admin);
    // Ada also owns a second workspace.
    app.services()
        .create_admin(
            "ada@acme.test",
            "Ada",
            "member password 1",
            Some("Ada's own shop"),
        )
        .await
        .unwrap();
    let ada_user = app
        .db
        .db
        .login_user("ada@acme.test")
        .await
        .unwrap()
        .unwrap();
    let ada_member = app
        .db
        .db
        .memberships(roster_domain::UserId::from_uuid(ada_user.id))
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.workspace_name == "Acme IT")
        .unwrap()
        .member_id
        .to_string();
    owner
        .submit(
            "/settings/members",
            "/api/new_password_link",
            &[("member_id", &ada_member)],
        )
        .await;
    let page = owner.get("/settings/members").await;
    assert!(
        page.texts("[role=alert]")
            .join(" ")
            .contains("also used elsewhere")
    );
    assert!(page.texts(".reveal code").is_empty());
}

#[tokio::test]
async fn a_link_issued_before_a_member_was_disabled_no_longer_works() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    owner
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "Ned"),
                ("email", "ned@acme.test"),
                ("role", "viewer"),
            ],
        )
        .await;
    let link = owner.get("/settings/members").await.texts(".reveal code")[0].clone();
    let path = link.trim_start_matches(&app.base).to_owned();
    let user = app
        .db
        .db
        .login_user("ned@acme.test")
        .await
        .unwrap()
        .unwrap();
    let ned = app
        .db
        .db
        .memberships(roster_domain::UserId::from_uuid(user.id))
        .await
        .unwrap()
        .remove(0)
        .member_id
        .to_string();
    owner
        .submit(
            "/settings/members",
            "/api/set_member_disabled",
            &[("member_id", &ned), ("disabled", "true")],
        )
        .await;
    let b = app.browser();
    assert!(b.get(&path).await.contains("expired or was already used"));
}

#[tokio::test]
async fn a_form_posted_under_a_foreign_host_name_is_refused() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    let token = b.csrf("/setup").await;
    // A page rebinding evil.test to this address sends its own Host and Origin.
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/setup", app.base))
        .header("host", "evil.test:3000")
        .header("origin", "http://evil.test:3000")
        .header("cookie", format!("roster_csrf={token}"))
        .form(&[
            ("csrf", token.as_str()),
            ("workspace_name", "Evil"),
            ("name", "E"),
            ("email", "e@evil.test"),
            ("password", "evil password 12"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.db.db.workspace_count().await.unwrap(), 0);
}

#[tokio::test]
async fn roster_and_microsoft_agree_when_a_secret_runs_out_as_time_passes() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    // The demo's customer 2 has a secret that expires five days from the test's "now".
    let c = app.customer(2);
    assert_eq!(c.expires_on, app.clock.date_in(5));
    let (location, id) = connect(&owner, &c).await;
    let banner = owner.get(&location).await.texts(".banner").join(" ");
    assert!(banner.contains("expires in 5 days"), "{banner}");

    // A week later (the session has ended meanwhile) both sides see it expired: Roster's banner
    // and Microsoft's refusal of the secret.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 7));
    owner
        .login(crate::helpers::OWNER_EMAIL, crate::helpers::OWNER_PASSWORD)
        .await;
    let banner = owner.get(&location).await.texts(".banner").join(" ");
    assert!(
        banner.contains("expired: rotate the secret now"),
        "{banner}"
    );
    owner
        .submit(&location, "/api/recheck_connection", &[("id", &id)])
        .await;
    let page = owner.get(&location).await;
    let status = page.texts("main").join(" ");
    assert!(status.contains("AADSTS7000222"), "{status}");
}

/// Grants the Delegated-only demo app every application permission Roster asks for, with consent.
fn fix_consent(app: &TestApp, c: &Customer) {
    let ms = app.microsoft();
    let client = c.client_id.parse().expect("client id");
    for p in roster_graph::permissions::PERMISSIONS {
        ms.grant_role(&c.tenant_id, client, p.name).expect("role");
    }
    ms.set_consent(&c.tenant_id, client, true).expect("consent");
}

fn token_requests(app: &TestApp) -> usize {
    app.microsoft()
        .requests()
        .iter()
        .filter(|r| r.uri.contains("/oauth2/v2.0/token"))
        .count()
}

#[tokio::test]
async fn every_check_gets_a_new_token_so_consent_fixed_or_revoked_in_entra_shows_at_once() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(3);
    let page = check(&owner, &c, &c.secret).await;
    assert!(
        page.texts(".problem")
            .join(" ")
            .contains("no application permissions")
    );

    // Consent is fixed in Entra; the next wizard check (same secret) asks for a new token.
    fix_consent(&app, &c);
    app.microsoft().clear_requests();
    let page = check(&owner, &c, &c.secret).await;
    assert_eq!(token_requests(&app), 1);
    assert!(page.texts(".problem").is_empty(), "{}", page.html);
    let (location, id) = save(&owner, &page).await;

    // Consent is withdrawn; a re-check on the tenant page notices at once.
    app.microsoft()
        .set_consent(&c.tenant_id, c.client_id.parse().unwrap(), false)
        .unwrap();
    app.microsoft().clear_requests();
    owner
        .submit(&location, "/api/recheck_connection", &[("id", &id)])
        .await;
    assert_eq!(token_requests(&app), 1);
    let page = owner.get(&location).await;
    assert!(
        page.texts("main")
            .join(" ")
            .contains("without application permissions"),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn a_secret_expiry_date_in_the_past_is_refused_before_anything_is_sent() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let yesterday = app.clock.date_in(-1);
    owner
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("tenant", &c.tenant_id),
                ("client_id", &c.client_id),
                ("secret", &c.secret),
                ("secret_expires_on", &yesterday),
            ],
        )
        .await;
    let page = owner.get("/tenants/connect").await;
    assert_eq!(
        page.texts("#connect-secret_expires_on-error"),
        vec![format!(
            "{yesterday} is in the past: an expired secret cannot connect. Add a new client secret under Certificates & secrets and enter its expiry date."
        )]
    );
    assert!(app.microsoft().requests().is_empty());
    // Today itself is still a valid last day.
    let today = app.clock.date_in(0);
    let r = owner
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("tenant", &c.tenant_id),
                ("client_id", &c.client_id),
                ("secret", &c.secret),
                ("secret_expires_on", &today),
            ],
        )
        .await;
    assert!(r.location.expect("redirect").contains("draft="));
}

#[tokio::test]
async fn a_tenant_already_connected_is_reported_at_check_naming_where() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let (location, _) = connect(&owner, &c).await;
    let name = owner.get(&location).await.texts("h1").join("");
    let before = app.microsoft().requests().len();
    // By its GUID in another case, and by one of its verified domains.
    for tenant in [c.tenant_id.to_uppercase(), c.domain.clone()] {
        owner
            .submit(
                "/tenants/connect",
                "/api/check_connection",
                &[
                    ("tenant", tenant.as_str()),
                    ("client_id", &c.client_id),
                    ("secret", &c.secret),
                    ("secret_expires_on", &c.expires_on),
                ],
            )
            .await;
        let page = owner.get("/tenants/connect").await;
        assert_eq!(
            page.texts("#connect-tenant-error"),
            vec![format!(
                "This tenant is already connected as {name} (not matched to an organization yet). Open it from the Tenants page; to give it a new secret, use Rotate secret there."
            )],
            "{tenant}"
        );
    }
    assert_eq!(
        app.microsoft().requests().len(),
        before,
        "nothing was sent to Microsoft"
    );
    assert_eq!(owner.get("/tenants").await.texts("tbody tr").len(), 1);
}

#[tokio::test]
async fn rotating_to_the_secret_already_stored_is_refused() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    let (_, id) = connect(&owner, &c).await;
    let rotate = format!("/tenants/{id}/rotate");
    let before = app.microsoft().requests().len();
    owner
        .submit(
            &rotate,
            "/api/check_rotation",
            &[
                ("id", &id),
                ("secret", &c.secret),
                ("secret_expires_on", &app.clock.date_in(300)),
            ],
        )
        .await;
    let page = owner.get(&rotate).await;
    assert_eq!(
        page.texts("#rotate-secret-error"),
        vec![
            "This is the secret Roster already has. Add a new client secret under Certificates & secrets and paste its Value."
        ]
    );
    assert_eq!(app.microsoft().requests().len(), before);
}

#[tokio::test]
async fn a_tenant_without_a_name_is_titled_by_its_domain() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = app.customer(0);
    app.microsoft()
        .rename_tenant(&c.tenant_id, "\u{200B} ")
        .expect("rename");
    let (location, _) = connect(&owner, &c).await;
    let page = owner.get(&location).await;
    let title = page.texts("h1").join("");
    assert!(!title.contains(&c.tenant_id), "{title}");
    assert!(title.contains('.'), "a domain: {title}");
    let list = owner.get("/tenants").await.texts("tbody tr").join(" ");
    assert!(list.contains(&title), "{list}");
}
