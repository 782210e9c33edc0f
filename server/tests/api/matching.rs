//! The tenant review page over HTTP: suggestions with reasons, the decisions, roles, and
//! workspace isolation.

use crate::helpers::{Browser, Customer, TestApp};

/// Connects customer `c` without an organization; returns the connection id.
async fn unmatched(owner: &Browser, c: &Customer) -> String {
    let r = owner
        .submit(
            "/tenants/connect",
            "/api/check_connection",
            &[
                ("tenant", &c.tenant_id),
                ("client_id", &c.client_id),
                ("secret", &c.secret),
                ("secret_expires_on", &c.expires_on),
            ],
        )
        .await;
    let page = owner.get(&r.location.expect("checked")).await;
    let draft = page
        .attrs("input[name=draft_id]", "value")
        .into_iter()
        .next()
        .expect("a draft");
    let r = owner
        .submit(
            &format!("/tenants/connect?draft={draft}"),
            "/api/save_connection",
            &[("draft_id", &draft)],
        )
        .await;
    r.location
        .expect("saved")
        .trim_start_matches("/tenants/")
        .to_owned()
}

async fn organization(owner: &Browser, name: &str) -> String {
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", name)],
        )
        .await;
    r.location
        .expect("created")
        .trim_start_matches("/organizations/")
        .to_owned()
}

/// The name the review page gives the only unmatched tenant.
async fn tenant_name(owner: &Browser) -> String {
    owner
        .get("/review")
        .await
        .texts("tbody tr td:first-child a")
        .into_iter()
        .next()
        .expect("an unmatched tenant")
}

#[tokio::test]
async fn the_review_page_lists_an_unmatched_tenant_with_explained_suggestions_and_accepting_matches_it()
 {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = unmatched(&owner, &app.customer(0)).await;
    let home = owner.get("/").await;
    assert_eq!(
        home.texts("nav[aria-label=Main] .count"),
        vec!["1".to_owned()]
    );
    let name = tenant_name(&owner).await;
    let org = organization(&owner, &format!("{name}, Inc.")).await;
    organization(&owner, "Unrelated Bakery").await;

    let page = owner.get("/review").await;
    assert!(page.contains("Unmatched tenants (1)"));
    let suggestions = page.texts("ol.suggestions li");
    assert_eq!(suggestions.len(), 1, "{suggestions:?}");
    assert!(suggestions[0].contains("1.00"), "{suggestions:?}");
    assert!(
        suggestions[0].contains("same words after removing 'inc'"),
        "{suggestions:?}"
    );

    let r = owner
        .submit(
            "/review",
            "/api/accept_match",
            &[("connection_id", &c), ("organization_id", &org)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/review"));
    let page = owner.get("/review").await;
    assert!(page.contains("Matched: the tenant's users sync into this organization from now on."));
    assert!(page.contains("Every connected tenant is matched"));
    assert!(page.contains("Matched tenants (1)"));
    // The decision is on both pages, with who decided and the score shown.
    for path in [format!("/tenants/{c}"), format!("/organizations/{org}")] {
        let p = owner.get(&path).await;
        let rows = p.texts("tbody tr");
        assert!(
            rows.iter().any(|r| r.contains("Accepted the suggestion")
                && r.contains("owner@acme.test")
                && r.contains("1.00")),
            "{path}: {rows:?}"
        );
    }
}

#[tokio::test]
async fn match_to_searches_the_organizations_and_undo_and_ignore_are_reversible() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = unmatched(&owner, &app.customer(1)).await;
    let target = organization(&owner, "Zephyr Holdings").await;
    organization(&owner, "Zephyr Dental").await;

    let page = owner.get(&format!("/review?match={c}&q=zephyr+hold")).await;
    assert!(page.contains("to an organization"));
    assert_eq!(
        page.texts("ul.results li a"),
        vec!["Zephyr Holdings".to_owned()]
    );
    let r = owner
        .submit(
            "/review",
            "/api/match_tenant",
            &[("connection_id", &c), ("organization_id", &target)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/review"));
    assert!(
        owner
            .get("/review")
            .await
            .texts("tbody tr")
            .iter()
            .any(|r| r.contains("Zephyr Holdings") && r.contains("chosen by hand"))
    );

    owner
        .submit("/review", "/api/undo_match", &[("connection_id", &c)])
        .await;
    let page = owner.get("/review").await;
    assert!(page.contains("Unmatched tenants (1)"));
    owner
        .submit(
            "/review",
            "/api/ignore_tenant",
            &[("connection_id", &c), ("ignore", "1")],
        )
        .await;
    let page = owner.get("/review").await;
    assert!(page.contains("Unmatched tenants (0)"));
    assert!(page.contains("Ignored tenants (1)"));
    owner
        .submit(
            "/review",
            "/api/ignore_tenant",
            &[("connection_id", &c), ("ignore", "0")],
        )
        .await;
    assert!(owner.get("/review").await.contains("Unmatched tenants (1)"));
    let history = owner.get(&format!("/tenants/{c}")).await.texts("tbody tr");
    for what in [
        "Matched by hand",
        "Undid the match",
        "Ignored the tenant",
        "Stopped ignoring the tenant",
    ] {
        assert!(
            history.iter().any(|r| r.contains(what)),
            "{what}: {history:?}"
        );
    }
}

#[tokio::test]
async fn bulk_accept_shows_a_preview_and_accepts_only_what_it_showed() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let a = unmatched(&owner, &app.customer(0)).await;
    let name = tenant_name(&owner).await;
    organization(&owner, &format!("{name} Ltd")).await;
    let page = owner.get("/review?bulk=0.95").await;
    assert!(page.contains("Bulk accept: best suggestions scoring 0.95 or more"));
    let picks = page.attrs("#bulk input[name='pick[]']", "value");
    assert_eq!(picks.len(), 1);
    assert!(picks[0].starts_with(&a));
    let r = owner
        .submit(
            "/review?bulk=0.95",
            "/api/bulk_accept",
            &[("min_score", "0.95"), ("pick[]", &picks[0])],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/review"));
    assert!(owner.get("/review").await.contains("1 match(es) accepted."));
    // A bad score is a clear error.
    assert!(
        owner
            .get("/review?bulk=2")
            .await
            .contains("Give a score between 0 and 1")
    );
}

#[tokio::test]
async fn a_viewer_sees_the_suggestions_but_cannot_decide() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = unmatched(&owner, &app.customer(0)).await;
    let name = tenant_name(&owner).await;
    let org = organization(&owner, &name).await;
    let viewer = app.member(&owner, "vera@acme.test", "viewer").await;
    let page = viewer.get("/review").await;
    assert_eq!(page.texts("ol.suggestions li a"), vec![name.clone()]);
    assert!(
        page.attrs("form[action='/api/accept_match']", "action")
            .is_empty()
    );
    for (action, fields) in [
        (
            "/api/accept_match",
            vec![
                ("connection_id", c.as_str()),
                ("organization_id", org.as_str()),
            ],
        ),
        (
            "/api/ignore_tenant",
            vec![("connection_id", c.as_str()), ("ignore", "1")],
        ),
        (
            "/api/create_organization_from_tenant",
            vec![("connection_id", c.as_str())],
        ),
    ] {
        viewer.submit("/review", action, &fields).await;
    }
    let page = owner.get("/review").await;
    assert!(
        page.contains("Unmatched tenants (1)"),
        "the viewer changed nothing"
    );
    assert!(
        owner
            .get(&format!("/tenants/{c}"))
            .await
            .contains("No matching decisions yet.")
    );
}

#[tokio::test]
async fn no_suggestion_names_another_workspaces_organization_and_its_tenants_cannot_be_matched() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let c = unmatched(&owner, &app.customer(0)).await;
    let name = tenant_name(&owner).await;
    let bob = app.other_workspace().await;
    let theirs = organization(&bob, &name).await;
    let page = owner.get("/review").await;
    assert!(
        page.texts("ol.suggestions li").is_empty(),
        "another workspace's organization was suggested"
    );
    assert!(page.contains("No organization looks like this tenant."));
    // Neither side can act across workspaces by id.
    owner
        .submit(
            "/review",
            "/api/accept_match",
            &[("connection_id", &c), ("organization_id", &theirs)],
        )
        .await;
    bob.submit(
        "/review",
        "/api/ignore_tenant",
        &[("connection_id", &c), ("ignore", "1")],
    )
    .await;
    assert!(owner.get("/review").await.contains("Unmatched tenants (1)"));
    assert!(bob.get("/review").await.contains("Unmatched tenants (0)"));
}

#[tokio::test]
async fn an_organization_saved_with_a_tenants_id_is_matched_to_it_at_once() {
    let app = TestApp::spawn_with_microsoft().await;
    let owner = app.with_owner().await;
    let customer = app.customer(2);
    let c = unmatched(&owner, &customer).await;
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[
                ("name", "Recorded Ltd"),
                ("tenant_id", &customer.tenant_id),
                ("aliases", "Recorded\nRec Ltd"),
                ("external_id", "PSA-9"),
            ],
        )
        .await;
    let org = r.location.expect("created");
    let page = owner.get(&org).await;
    assert!(page.contains("Recorded; Rec Ltd"));
    assert!(page.contains("PSA-9"));
    assert!(
        page.texts("tbody tr")
            .iter()
            .any(|r| r.contains("Matched automatically") && r.contains("Roster"))
    );
    assert!(
        owner
            .get(&format!("/tenants/{c}"))
            .await
            .contains("Recorded Ltd")
    );
}
