//! Workspace isolation: a member of workspace A reaches nothing of workspace B.

use crate::helpers::TestApp;

#[tokio::test]
async fn a_member_of_one_workspace_gets_not_found_for_another_workspaces_members() {
    let app = TestApp::spawn().await;
    let owner_a = app.with_owner().await;
    // Workspace B is created beside A (as a server administrator or the command line would).
    app.services()
        .create_admin(
            "bob@beta.test",
            "Bob",
            "beta owner password",
            Some("Beta MSP"),
        )
        .await
        .unwrap();
    let bob = app.memberships_of("bob@beta.test").await.remove(0);
    let bob_member = bob.member_id.to_string();

    for (action, fields) in [
        (
            "/api/change_role",
            vec![("member_id", bob_member.as_str()), ("role", "viewer")],
        ),
        (
            "/api/set_member_disabled",
            vec![("member_id", bob_member.as_str()), ("disabled", "true")],
        ),
        (
            "/api/new_password_link",
            vec![("member_id", bob_member.as_str())],
        ),
    ] {
        owner_a.submit("/settings/members", action, &fields).await;
        let msg = owner_a.get("/settings/members").await.texts("[role=alert]");
        assert_eq!(msg, vec!["That no longer exists."], "{action}");
    }
    // B's owner is untouched and can still sign in; A's members page never lists B's people.
    let still = app.memberships_of("bob@beta.test").await;
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].role, roster_domain::Role::Owner);
    // The members page rendered (A's own owner is on it), and Bob is not.
    let members_a = owner_a.get("/settings/members").await;
    assert_eq!(members_a.status, 200);
    assert!(members_a.contains(crate::helpers::OWNER_EMAIL));
    assert!(!members_a.contains("bob@beta.test"));
    let b = app.browser();
    assert_eq!(
        b.login("bob@beta.test", "beta owner password")
            .await
            .location
            .as_deref(),
        Some("/")
    );
    let members_b = b.get("/settings/members").await;
    assert_eq!(members_b.status, 200);
    assert!(members_b.contains("bob@beta.test"), "B's own members page");
    assert!(!members_b.contains(crate::helpers::OWNER_EMAIL));
    let audit_b = b.get("/settings/audit").await;
    assert_eq!(audit_b.status, 200);
    assert!(
        audit_b.contains("Created the workspace Beta MSP"),
        "B's own audit log"
    );
    assert!(!audit_b.contains(crate::helpers::OWNER_EMAIL));
}
