//! Setup, sign-in, sessions and CSRF.

use crate::helpers::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};
use jiff::SignedDuration;

#[tokio::test]
async fn an_empty_install_sends_every_page_to_setup() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    for path in ["/", "/login", "/settings/members", "/no-such-page"] {
        let p = b.get(path).await;
        assert_eq!(p.location.as_deref(), Some("/setup"), "{path}");
    }
    let setup = b.get("/setup").await;
    assert_eq!(setup.status, 200);
    for label in ["Workspace name", "Your name", "Email", "Password"] {
        assert!(setup.texts("label").contains(&label.to_owned()), "{label}");
    }
}

#[tokio::test]
async fn setup_creates_the_workspace_signs_in_and_cannot_run_twice() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let home = owner.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.contains("Olive Owner · Acme IT · Owner"));
    assert!(home.contains("Acme IT"));

    // A second visitor cannot set up again: the page is gone and the endpoint refuses.
    let other = app.browser();
    assert_eq!(
        other.get("/setup").await.location.as_deref(),
        Some("/login")
    );
    let token = other.csrf("/login").await;
    let r = other
        .post_raw(
            "/api/setup",
            Some(&app.base),
            &[
                ("csrf", &token),
                ("workspace_name", "Intruder"),
                ("name", "Mallory"),
                ("email", "mallory@evil.test"),
                ("password", "mallory password 1"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/setup"));
    assert_eq!(app.db.db.workspace_count().await.unwrap(), 1);
    assert!(
        app.db
            .db
            .login_user("mallory@evil.test")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_weak_password_at_setup_is_refused_next_to_the_field_and_the_rest_is_kept() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    let r = b
        .submit(
            "/setup",
            "/api/setup",
            &[
                ("workspace_name", "Acme IT"),
                ("name", "Olive"),
                ("email", "olive@acme.test"),
                ("password", "too short"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/setup"));
    let page = b.get("/setup").await;
    assert_eq!(
        page.texts("#setup-password-error"),
        vec!["Use at least 12 characters for the password."]
    );
    assert_eq!(
        page.input_value("setup-email").as_deref(),
        Some("olive@acme.test")
    );
    assert_eq!(
        page.input_value("setup-workspace_name").as_deref(),
        Some("Acme IT")
    );
    assert_eq!(
        page.input_value("setup-password"),
        None,
        "passwords are never refilled"
    );
    assert!(!page.contains("too short"));
    assert_eq!(app.db.db.workspace_count().await.unwrap(), 0);
}

#[tokio::test]
async fn oversized_and_malformed_setup_fields_are_refused() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    let long_name = "n".repeat(101);
    b.submit(
        "/setup",
        "/api/setup",
        &[
            ("workspace_name", &long_name),
            ("name", ""),
            ("email", "not-an-email"),
            ("password", "long enough password"),
        ],
    )
    .await;
    let page = b.get("/setup").await;
    assert_eq!(page.texts("#setup-workspace_name-error").len(), 1);
    assert_eq!(page.texts("#setup-name-error"), vec!["Enter a name."]);
    assert_eq!(page.texts("#setup-email-error").len(), 1);
    // A post with no fields at all is answered with field errors too, not a crash.
    let token = b.csrf("/setup").await;
    let r = b
        .post_raw("/api/setup", Some(&app.base), &[("csrf", &token)])
        .await;
    assert_eq!(r.location.as_deref(), Some("/setup"));
    assert_eq!(app.db.db.workspace_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.with_owner().await;
    let b = app.browser();
    let wrong = b.login(OWNER_EMAIL, "not the password").await;
    assert_eq!(wrong.location.as_deref(), Some("/login"));
    let first = b.get("/login").await.texts("[role=alert]");
    b.login("nobody@acme.test", "not the password").await;
    let second = b.get("/login").await.texts("[role=alert]");
    assert_eq!(first, vec!["Email or password is incorrect."]);
    assert_eq!(first, second);
    // The email typed is kept, the password is not.
    b.login(OWNER_EMAIL, "not the password").await;
    let page = b.get("/login").await;
    assert_eq!(
        page.input_value("login-email").as_deref(),
        Some(OWNER_EMAIL)
    );
    assert_eq!(page.input_value("login-password"), None);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn().await;
    app.with_owner().await;
    let b = app.browser();
    for _ in 0..5 {
        b.login(OWNER_EMAIL, "wrong password!").await;
    }
    // Even the right password is refused while locked, with a clear message.
    let r = b.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    let msg = b.get("/login").await.texts("[role=alert]").join(" ");
    assert!(msg.contains("Too many failed sign-in attempts"), "{msg}");
    app.clock.advance(SignedDuration::from_mins(16));
    let r = b.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_and_rotated_at_each_sign_in() {
    let app = TestApp::spawn().await;
    app.with_owner().await;
    let b = app.browser();
    let first = b.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let cookie = first
        .set_cookies
        .iter()
        .find(|c| c.starts_with("roster_session="))
        .expect("session cookie")
        .clone();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(
        !cookie.contains("Secure"),
        "plain http without a public https URL"
    );
    let again = app.browser();
    let second = again.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let cookie2 = second
        .set_cookies
        .iter()
        .find(|c| c.starts_with("roster_session="))
        .expect("session cookie");
    assert_ne!(cookie, *cookie2);
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let db = roster_testkit::TestDb::fresh().await.unwrap();
    let app =
        TestApp::spawn_with(db, &[("ROSTER_PUBLIC_URL", "https://roster.example.test")]).await;
    let b = app.browser();
    let page = b.get("/setup").await;
    let csrf_cookie = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("roster_csrf="))
        .expect("csrf cookie");
    assert!(csrf_cookie.contains("Secure"));
    // Forms posted from the server's own address are now cross-origin: the public URL is the origin.
    let token = b.csrf("/setup").await;
    let r = b
        .post_raw(
            "/api/setup",
            Some(&app.base),
            &[("csrf", &token), ("workspace_name", "X")],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let r = owner.submit("/", "/api/logout", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    assert_eq!(owner.get("/").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    app.clock.advance(SignedDuration::from_hours(7));
    assert_eq!(
        owner.get("/").await.status,
        200,
        "still within the idle limit"
    );
    app.clock.advance(SignedDuration::from_hours(9));
    assert_eq!(owner.get("/").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn an_active_session_still_ends_after_its_absolute_lifetime() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    for _ in 0..24 {
        app.clock.advance(SignedDuration::from_hours(7));
        if owner.get("/").await.status != 200 {
            break;
        }
    }
    // 24 × 7 h = 168 h = 7 days: the absolute limit has been reached.
    assert_eq!(owner.get("/").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let r = owner
        .post_raw(
            "/api/add_member",
            Some(&app.base),
            &[
                ("name", "Eve"),
                ("email", "eve@acme.test"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = owner
        .post_raw(
            "/api/add_member",
            Some(&app.base),
            &[
                ("csrf", "forged"),
                ("name", "Eve"),
                ("email", "eve@acme.test"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(
        app.db
            .db
            .login_user("eve@acme.test")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_refused_form_links_back_to_its_page_and_a_forbidden_page_answers_403() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let from_login = app.browser_with(&[("referer", &format!("{}/login?next=x", app.base))]);
    let r = from_login
        .post_raw(
            "/api/login",
            Some(&app.base),
            &[("email", OWNER_EMAIL), ("password", "whatever")],
        )
        .await;
    assert_eq!(r.status, 403);
    let back = r
        .doc()
        .select(&scraper::Selector::parse("main a").expect("selector"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned));
    assert_eq!(back.as_deref(), Some("/login?next=x"));
    // A referer on another site is not followed.
    let elsewhere = app.browser_with(&[("referer", "https://evil.example/login")]);
    let r = elsewhere
        .post_raw("/api/login", Some(&app.base), &[("email", "x@y.z")])
        .await;
    let back = r
        .doc()
        .select(&scraper::Selector::parse("main a").expect("selector"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned));
    assert_eq!(back.as_deref(), Some("/"));

    let viewer = app.member(&owner, "vera@acme.test", "viewer").await;
    let page = viewer.get("/tenants/connect").await;
    assert_eq!(page.status, 403);
    assert!(page.contains("Your role does not allow you to see this page."));
    assert_eq!(
        viewer
            .get("/organizations/00000000-0000-0000-0000-000000000000")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_form_post_from_another_origin_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let token = owner.csrf("/settings/members").await;
    for origin in [Some("https://evil.example"), None] {
        let r = owner
            .post_raw(
                "/api/add_member",
                origin,
                &[
                    ("csrf", &token),
                    ("name", "Eve"),
                    ("email", "eve@acme.test"),
                    ("role", "admin"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{origin:?}");
    }
    assert!(
        app.db
            .db
            .login_user("eve@acme.test")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_server_administrator_creates_a_workspace_whose_owner_sets_a_password() {
    let app = TestApp::spawn().await;
    app.with_owner().await;
    app.services()
        .create_admin("root@host.test", "Root", "server admin password", None)
        .await
        .unwrap();
    let admin = app.browser();
    assert_eq!(
        admin
            .login("root@host.test", "server admin password")
            .await
            .location
            .as_deref(),
        Some("/admin")
    );
    // Outside any workspace, workspace pages lead back to /admin.
    assert_eq!(
        admin.get("/settings/members").await.location.as_deref(),
        Some("/admin")
    );
    admin
        .submit(
            "/admin",
            "/api/create_workspace",
            &[
                ("workspace_name", "Beta MSP"),
                ("name", "Bea"),
                ("email", "bea@beta.test"),
            ],
        )
        .await;
    let page = admin.get("/admin").await;
    assert!(
        page.texts("tbody tr")
            .iter()
            .any(|r| r.contains("Beta MSP"))
    );
    let link = page.texts(".reveal code")[0].clone();
    let path = link.trim_start_matches(&app.base).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let bea = app.browser();
    bea.submit(
        &path,
        "/api/set_password",
        &[
            ("token", &token),
            ("password", "bea password 12"),
            ("confirm", "bea password 12"),
        ],
    )
    .await;
    assert_eq!(
        bea.login("bea@beta.test", "bea password 12")
            .await
            .location
            .as_deref(),
        Some("/")
    );
    assert!(bea.get("/").await.contains("Beta MSP"));

    // A workspace member who is not a server administrator cannot create workspaces.
    let r = bea
        .submit(
            "/",
            "/api/create_workspace",
            &[
                ("workspace_name", "Sneaky"),
                ("name", "S"),
                ("email", "s@s.test"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/admin"));
    assert_eq!(app.db.db.workspace_count().await.unwrap(), 2);
}

#[tokio::test]
async fn a_login_in_two_workspaces_switches_between_them() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    // The same login becomes owner of a second workspace.
    app.services()
        .create_admin(
            OWNER_EMAIL,
            "Olive Owner",
            OWNER_PASSWORD,
            Some("Second Shop"),
        )
        .await
        .unwrap();
    let home = owner.get("/").await;
    assert!(home.contains("Olive Owner · Owner"));
    let doc = home.doc();
    let options: Vec<(String, String, bool)> = doc
        .select(&scraper::Selector::parse("#switch-workspace option").unwrap())
        .map(|o| {
            (
                o.text().collect::<String>(),
                o.value().attr("value").unwrap_or_default().to_owned(),
                o.value().attr("selected").is_some(),
            )
        })
        .collect();
    // The current workspace is listed first and selected; the other can be chosen.
    assert_eq!(options.len(), 2, "{options:?}");
    assert_eq!((options[0].0.as_str(), options[0].2), ("Acme IT", true));
    assert_eq!(
        (options[1].0.as_str(), options[1].2),
        ("Second Shop", false)
    );
    let second = options[1].1.clone();
    owner
        .submit("/", "/api/switch_workspace", &[("workspace_id", &second)])
        .await;
    let after = owner.get("/").await;
    let selected: Vec<String> = after
        .doc()
        .select(&scraper::Selector::parse("#switch-workspace option[selected]").unwrap())
        .map(|o| o.text().collect())
        .collect();
    assert_eq!(selected, vec!["Second Shop"]);
}

#[tokio::test]
async fn a_flash_cookie_roster_did_not_sign_is_ignored() {
    let app = TestApp::spawn().await;
    app.with_owner().await;
    // {"notice":"Sign in again at evil.example"}, base64url, as an attacker could set it.
    let forged = "eyJub3RpY2UiOiJTaWduIGluIGFnYWluIGF0IGV2aWwuZXhhbXBsZSJ9";
    for value in [forged.to_owned(), format!("{forged}.00ff")] {
        let b = app.browser_with(&[("cookie", &format!("roster_flash={value}"))]);
        let page = b.get("/login").await;
        assert_eq!(page.status, 200);
        assert!(!page.contains("evil.example"), "{value}");
    }
    // Roster's own flash still shows: a failed sign-in says why on the next page.
    let b = app.browser();
    b.login(OWNER_EMAIL, "not the password").await;
    assert!(!b.get("/login").await.texts("[role=alert]").is_empty());
}

#[tokio::test]
async fn uploads_carry_their_csrf_token_in_multipart_and_have_their_own_size_limit() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let token = owner.csrf("/organizations").await;
    let csv = b"name\nContoso\n".to_vec();
    let expired = "This form has expired";

    let wrong = owner
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", "wrong")],
            ("o.csv", csv.clone()),
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert!(wrong.contains(expired), "{}", wrong.html);

    let right = owner
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("o.csv", csv.clone()),
        )
        .await;
    assert_ne!(
        right.status, 403,
        "the token in a multipart body is accepted"
    );
    assert!(!right.contains(expired));

    // Multipart is read only on upload routes: elsewhere the token is not found.
    let elsewhere = owner
        .post_multipart(
            "/api/create_organization",
            &[("csrf", &token)],
            ("o.csv", csv),
        )
        .await;
    assert_eq!(elsewhere.status, 403);

    // An upload may be larger than a form, up to its own limit.
    let big = vec![b'a'; 2 * 1024 * 1024];
    let fits = owner
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("o.csv", big.clone()),
        )
        .await;
    assert_ne!(fits.status, 413);
    let form = owner
        .post_raw(
            "/api/create_organization",
            Some(&app.base),
            &[("csrf", &token), ("notes", &"a".repeat(2 * 1024 * 1024))],
        )
        .await;
    assert_eq!(form.status, 413, "a 2 MB form is too large");
    let huge = vec![b'a'; roster_server::csrf::MAX_UPLOAD_BYTES + 1];
    let refused = owner
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("o.csv", huge),
        )
        .await;
    assert_eq!(refused.status, 413);
    assert!(refused.contains("up to 16 MB"), "{}", refused.html);
    // Nothing of it was written.
    assert!(
        owner
            .get("/organizations")
            .await
            .contains("No organizations yet")
    );
}
