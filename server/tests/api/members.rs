//! The members page: adding people, set-password links, roles, disabling, the last-owner rule.

use crate::helpers::{OWNER_EMAIL, TestApp};

/// The member id of an enabled member, found by e-mail.
async fn member_id(app: &TestApp, email: &str) -> String {
    let user = app
        .db
        .db
        .login_user(email)
        .await
        .expect("query")
        .expect("user");
    let principals = app
        .db
        .db
        .memberships(roster_domain::UserId::from_uuid(user.id))
        .await
        .expect("query");
    principals
        .first()
        .map(|p| p.member_id.to_string())
        .expect("an enabled member")
}

#[tokio::test]
async fn an_owner_adds_a_member_who_sets_a_password_with_a_one_time_link() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let tech = app.member(&owner, "tess@acme.test", "technician").await;
    let home = tech.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.contains("Technician"));
    let members = owner.get("/settings/members").await;
    let rows = members.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("tess@acme.test") && r.contains("Active")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_set_password_link_works_once() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    owner
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "Vic"),
                ("email", "vic@acme.test"),
                ("role", "viewer"),
            ],
        )
        .await;
    let link = owner.get("/settings/members").await.texts(".reveal code")[0].clone();
    let path = link.trim_start_matches(&app.base).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    // The revealed link is shown once only.
    assert!(
        owner
            .get("/settings/members")
            .await
            .texts(".reveal code")
            .is_empty()
    );
    let b = app.browser();
    let mismatch = b
        .submit(
            &path,
            "/api/set_password",
            &[
                ("token", &token),
                ("password", "a good password"),
                ("confirm", "another one!!"),
            ],
        )
        .await;
    assert!(
        mismatch
            .location
            .as_deref()
            .unwrap()
            .starts_with("/set-password")
    );
    assert_eq!(
        b.get(&path).await.texts("#set_password-confirm-error"),
        vec!["The two passwords differ."]
    );
    let ok = b
        .submit(
            &path,
            "/api/set_password",
            &[
                ("token", &token),
                ("password", "a good password"),
                ("confirm", "a good password"),
            ],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/login"));
    let again = b.get(&path).await;
    assert!(again.contains("expired or was already used"));
    assert_eq!(
        b.login("vic@acme.test", "a good password")
            .await
            .location
            .as_deref(),
        Some("/")
    );
}

#[tokio::test]
async fn a_duplicate_email_is_refused_next_to_the_field() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    owner
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "Dup"),
                ("email", OWNER_EMAIL.to_uppercase().as_str()),
                ("role", "viewer"),
            ],
        )
        .await;
    let page = owner.get("/settings/members").await;
    assert_eq!(
        page.texts("#add_member-email-error"),
        vec!["Someone with this email already has a Roster login."]
    );
    assert_eq!(page.input_value("add_member-name").as_deref(), Some("Dup"));
    assert_eq!(page.texts("tbody tr").len(), 1);
}

#[tokio::test]
async fn a_viewer_cannot_change_anything() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let viewer = app.member(&owner, "vera@acme.test", "viewer").await;
    let page = viewer.get("/settings/members").await;
    assert!(!page.contains("Add a member"), "no add form for viewers");
    let owner_id = member_id(&app, OWNER_EMAIL).await;
    let vera_id = member_id(&app, "vera@acme.test").await;
    let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/api/add_member",
            vec![("name", "X"), ("email", "x@acme.test"), ("role", "admin")],
        ),
        (
            "/api/change_role",
            vec![("member_id", &vera_id), ("role", "owner")],
        ),
        (
            "/api/change_role",
            vec![("member_id", &owner_id), ("role", "viewer")],
        ),
        (
            "/api/set_member_disabled",
            vec![("member_id", &owner_id), ("disabled", "true")],
        ),
        ("/api/new_password_link", vec![("member_id", &owner_id)]),
    ];
    for (action, fields) in attempts {
        let r = viewer.submit("/settings/members", action, &fields).await;
        assert_eq!(r.location.as_deref(), Some("/settings/members"), "{action}");
        let msg = viewer.get("/settings/members").await.texts("[role=alert]");
        assert_eq!(msg, vec!["Your role does not allow this."], "{action}");
    }
    let members = app
        .db
        .db
        .memberships(roster_domain::UserId::from_uuid(
            app.db
                .db
                .login_user("vera@acme.test")
                .await
                .unwrap()
                .unwrap()
                .id,
        ))
        .await
        .unwrap();
    assert_eq!(members[0].role, roster_domain::Role::Viewer);
    assert!(app.db.db.login_user("x@acme.test").await.unwrap().is_none());
    assert_eq!(owner.get("/").await.status, 200, "the owner is untouched");
}

#[tokio::test]
async fn an_admin_cannot_grant_or_take_the_owner_role() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let admin = app.member(&owner, "ada@acme.test", "admin").await;
    let ada = member_id(&app, "ada@acme.test").await;
    let owner_id = member_id(&app, OWNER_EMAIL).await;
    admin
        .submit(
            "/settings/members",
            "/api/change_role",
            &[("member_id", &ada), ("role", "owner")],
        )
        .await;
    assert_eq!(
        admin.get("/settings/members").await.texts("[role=alert]"),
        vec!["Your role does not allow this."]
    );
    admin
        .submit(
            "/settings/members",
            "/api/set_member_disabled",
            &[("member_id", &owner_id), ("disabled", "true")],
        )
        .await;
    assert_eq!(
        admin.get("/settings/members").await.texts("[role=alert]"),
        vec!["Your role does not allow this."]
    );
    // An admin can still manage non-owners.
    app.member(&admin, "tom@acme.test", "technician").await;
}

#[tokio::test]
async fn the_last_owner_cannot_be_demoted_or_disabled() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let me = member_id(&app, OWNER_EMAIL).await;
    owner
        .submit(
            "/settings/members",
            "/api/change_role",
            &[("member_id", &me), ("role", "admin")],
        )
        .await;
    assert_eq!(
        owner.get("/settings/members").await.texts("[role=alert]"),
        vec!["A workspace needs at least one enabled owner who can sign in."]
    );
    // With a second owner, the first may step down.
    app.member(&owner, "otto@acme.test", "owner").await;
    owner
        .submit(
            "/settings/members",
            "/api/change_role",
            &[("member_id", &me), ("role", "admin")],
        )
        .await;
    assert_eq!(
        owner.get("/settings/members").await.texts("[role=status]"),
        vec!["The role was changed."]
    );
}

#[tokio::test]
async fn an_owner_who_never_set_a_password_does_not_count_as_the_owner_who_remains() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let me = member_id(&app, OWNER_EMAIL).await;
    // A second owner is added but never uses the set-password link.
    owner
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "Otto"),
                ("email", "otto@acme.test"),
                ("role", "owner"),
            ],
        )
        .await;
    for role in ["viewer", "admin"] {
        owner
            .submit(
                "/settings/members",
                "/api/change_role",
                &[("member_id", me.as_str()), ("role", role)],
            )
            .await;
        assert_eq!(
            owner.get("/settings/members").await.texts("[role=alert]"),
            vec!["A workspace needs at least one enabled owner who can sign in."],
            "stepping down to {role} refused"
        );
    }
    let rows = owner.get("/settings/members").await.texts("tbody tr");
    let mine = rows
        .iter()
        .find(|r| r.contains(OWNER_EMAIL))
        .expect("my row");
    assert!(
        mine.contains("Owner") && !mine.contains("Disabled"),
        "{mine}"
    );
    // The owner without a password may itself be demoted: it is not the one who remains.
    let otto = member_id(&app, "otto@acme.test").await;
    owner
        .submit(
            "/settings/members",
            "/api/change_role",
            &[("member_id", otto.as_str()), ("role", "admin")],
        )
        .await;
    assert_eq!(
        owner.get("/settings/members").await.texts("[role=status]"),
        vec!["The role was changed."]
    );
}

#[tokio::test]
async fn a_disabled_member_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let tech = app.member(&owner, "tess@acme.test", "technician").await;
    let tess = member_id(&app, "tess@acme.test").await;
    owner
        .submit(
            "/settings/members",
            "/api/set_member_disabled",
            &[("member_id", &tess), ("disabled", "true")],
        )
        .await;
    assert_eq!(tech.get("/").await.location.as_deref(), Some("/login"));
    let r = tech.login("tess@acme.test", "member password 1").await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    assert!(tech.get("/login").await.texts("[role=alert]")[0].contains("disabled"));
    let rows = owner.get("/settings/members").await.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("tess@acme.test") && r.contains("Disabled"))
    );
    // Re-enabled, they can sign in again.
    owner
        .submit(
            "/settings/members",
            "/api/set_member_disabled",
            &[("member_id", &tess), ("disabled", "false")],
        )
        .await;
    assert_eq!(
        tech.login("tess@acme.test", "member password 1")
            .await
            .location
            .as_deref(),
        Some("/")
    );
}

#[tokio::test]
async fn member_changes_are_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    app.member(&owner, "tess@acme.test", "technician").await;
    let tess = member_id(&app, "tess@acme.test").await;
    owner
        .submit(
            "/settings/members",
            "/api/change_role",
            &[("member_id", &tess), ("role", "viewer")],
        )
        .await;
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Contoso"), ("domains", "contoso.com")],
        )
        .await;
    let org = r.location.expect("created");
    let org_id = org.trim_start_matches("/organizations/").to_owned();
    owner
        .submit(
            &org,
            "/api/update_organization",
            &[
                ("id", org_id.as_str()),
                ("name", "Contoso Ltd"),
                ("domains", "contoso.com, bücher.de"),
            ],
        )
        .await;
    let log = owner.get("/settings/audit").await;
    let rows = log.texts("tbody tr");
    let row = |what: &str| {
        rows.iter()
            .find(|r| r.contains(what))
            .unwrap_or_else(|| panic!("no {what:?} in {rows:?}"))
            .clone()
    };
    let role = row("Changed the role of tess@acme.test");
    assert!(
        role.contains("Role: Technician → Viewer") && role.contains(OWNER_EMAIL),
        "{role}"
    );
    assert!(role.contains("127.0.0.1"), "where it came from: {role}");
    assert!(row("Added tess@acme.test").contains("Role: Technician"));
    row("Created the workspace Acme IT");
    let edit = row("Edited the organization Contoso Ltd");
    assert!(edit.contains("Name: Contoso → Contoso Ltd"), "{edit}");
    assert!(
        edit.contains("Domains: contoso.com → contoso.com, bücher.de"),
        "{edit}"
    );
    // Codes, ids and JSON are for the database, not for people.
    for r in &rows {
        assert!(
            !r.contains("member.")
                && !r.contains('{')
                && !r.contains(&tess)
                && !r.contains(&org_id),
            "{r}"
        );
    }
    assert!(
        log.html.contains(&format!("href=\"{org}\"")),
        "the organization is linked"
    );
}

#[tokio::test]
async fn a_form_that_cannot_be_read_or_names_an_unknown_role_gets_a_plain_message() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let me = member_id(&app, OWNER_EMAIL).await;
    // The field sent twice, as a hand-made form could.
    let r = owner
        .submit(
            "/settings/members",
            "/api/change_role",
            &[
                ("member_id", me.as_str()),
                ("member_id", me.as_str()),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/"),
        "back to a page, not a raw answer"
    );
    assert!(!r.html.contains("Args|"), "{}", r.html);
    let alert = owner.get("/").await.texts("[role=alert]").join(" ");
    assert!(
        alert.starts_with("Roster could not read this form"),
        "{alert}"
    );
    assert!(
        !alert.contains("Args|") && !alert.contains("Multiple values"),
        "{alert}"
    );
    owner
        .submit(
            "/settings/members",
            "/api/change_role",
            &[("member_id", me.as_str()), ("role", "superadmin")],
        )
        .await;
    let page = owner.get("/settings/members").await;
    let shown = page.texts("[role=alert]").join(" ") + &page.texts(".field-error").join(" ");
    assert!(
        shown.contains("Choose a role: owner, admin, technician or viewer."),
        "{shown}"
    );
    assert!(!shown.contains("unknown role"), "{shown}");
    let rows = page.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains(OWNER_EMAIL) && r.contains("Owner"))
    );
}
