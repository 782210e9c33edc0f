//! Organizations: create, list, edit, validation, roles and isolation.

use crate::helpers::TestApp;

#[tokio::test]
async fn an_owner_creates_lists_and_edits_an_organization() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let empty = owner.get("/organizations").await;
    assert!(empty.contains("No organizations yet"));
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[
                ("name", "Contoso Ltd"),
                ("domains", "Contoso.com, contoso.co.uk"),
                ("website", "www.contoso.com"),
                ("notes", "Key account"),
                ("tenant_id", ""),
            ],
        )
        .await;
    let location = r.location.expect("redirect to the new organization");
    assert!(location.starts_with("/organizations/"), "{location}");
    let page = owner.get(&location).await;
    assert_eq!(page.texts("h1"), vec!["Contoso Ltd"]);
    assert!(page.contains("contoso.com, contoso.co.uk"));
    assert!(page.contains("https://www.contoso.com"));
    assert!(page.texts("a").iter().any(|a| a == "Connect a tenant"));

    let list = owner.get("/organizations").await;
    assert!(
        list.texts("tbody tr")
            .iter()
            .any(|r| r.contains("Contoso Ltd") && r.contains("No tenant"))
    );

    let id = location.trim_start_matches("/organizations/").to_owned();
    owner
        .submit(
            &location,
            "/api/update_organization",
            &[
                ("id", &id),
                ("name", "Contoso Limited"),
                ("domains", "contoso.com"),
                ("website", ""),
                ("notes", ""),
                ("tenant_id", ""),
            ],
        )
        .await;
    let page = owner.get(&location).await;
    assert_eq!(page.texts("h1"), vec!["Contoso Limited"]);
    assert_eq!(
        page.texts("[role=status]"),
        vec!["The organization was saved."]
    );
}

#[tokio::test]
async fn invalid_organization_fields_are_reported_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[
                ("name", ""),
                ("domains", "not a domain"),
                ("website", "::"),
                ("notes", "kept"),
                ("tenant_id", "nope"),
            ],
        )
        .await;
    let page = owner.get("/organizations/new").await;
    assert_eq!(
        page.texts("#organization-name-error"),
        vec!["Enter the organization's name."]
    );
    assert_eq!(page.texts("#organization-domains-error").len(), 1);
    assert_eq!(page.texts("#organization-website-error").len(), 1);
    assert_eq!(page.texts("#organization-tenant_id-error").len(), 1);
    assert_eq!(
        page.input_value("organization-domains").as_deref(),
        Some("not a domain")
    );
    assert!(
        page.texts("#organization-notes")
            .contains(&"kept".to_owned())
    );
    assert!(
        owner
            .get("/organizations")
            .await
            .contains("No organizations yet")
    );
}

#[tokio::test]
async fn organization_names_are_unique_ignoring_case_and_spacing() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    for name in ["Fabrikam Inc", "  fabrikam   INC "] {
        owner
            .submit(
                "/organizations/new",
                "/api/create_organization",
                &[("name", name)],
            )
            .await;
    }
    let page = owner.get("/organizations/new").await;
    assert_eq!(
        page.texts("#organization-name-error"),
        vec!["An organization with this name already exists."]
    );
    assert_eq!(owner.get("/organizations").await.texts("tbody tr").len(), 1);
}

#[tokio::test]
async fn a_tenant_id_or_primary_domain_belongs_to_one_organization_in_any_spelling() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let tenant = "72F988BF-86F1-41AF-91AB-2D7CD011DB47";
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[
                ("name", "Bücher GmbH"),
                ("domains", "Bücher.de, buecher.com"),
                ("tenant_id", tenant),
            ],
        )
        .await;
    let first = r.location.expect("created");
    let page = owner.get(&first).await;
    assert!(
        page.contains("bücher.de, buecher.com"),
        "shown as typed, in its own script"
    );
    // Stored once, normalized.
    let rows = app
        .services()
        .organizations(&owner_principal(&app).await)
        .await
        .expect("list");
    assert_eq!(
        rows[0].tenant_id.as_deref(),
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
    );
    assert_eq!(rows[0].primary_domain(), Some("xn--bcher-kva.de"));

    for (domains, tenant_id) in [
        (
            "XN--BCHER-KVA.DE.",
            " 72f988bf-86f1-41af-91ab-2d7cd011db47 ",
        ),
        ("bücher.DE", "72F988BF-86F1-41AF-91AB-2D7CD011DB47"),
    ] {
        owner
            .submit(
                "/organizations/new",
                "/api/create_organization",
                &[
                    ("name", "Another"),
                    ("domains", domains),
                    ("tenant_id", tenant_id),
                ],
            )
            .await;
        let page = owner.get("/organizations/new").await;
        assert_eq!(
            page.texts("#organization-tenant_id-error"),
            vec!["Bücher GmbH already records this tenant ID."]
        );
        assert_eq!(
            page.texts("#organization-domains-error"),
            vec![
                "bücher.de is already the primary domain of Bücher GmbH. List another domain first, or change that organization."
            ]
        );
    }
    // With the name wrong too, every problem is reported at once.
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[
                ("name", "\u{200B}"),
                ("domains", "bücher.de"),
                ("tenant_id", tenant),
            ],
        )
        .await;
    let page = owner.get("/organizations/new").await;
    assert_eq!(
        page.texts("#organization-name-error"),
        vec!["Enter the organization's name."]
    );
    assert_eq!(page.texts("#organization-tenant_id-error").len(), 1);
    assert_eq!(page.texts("#organization-domains-error").len(), 1);
    assert_eq!(owner.get("/organizations").await.texts("tbody tr").len(), 1);

    // Another organization may list the domain, just not as its primary one; and an edit of the
    // first organization that keeps its own evidence is not a conflict with itself.
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Another"), ("domains", "another.de, bücher.de")],
        )
        .await;
    assert!(r.location.expect("created").starts_with("/organizations/"));
    let id = first.trim_start_matches("/organizations/").to_owned();
    owner
        .submit(
            &first,
            "/api/update_organization",
            &[
                ("id", id.as_str()),
                ("name", "Bücher GmbH & Co"),
                ("domains", "bücher.de"),
                ("tenant_id", tenant),
            ],
        )
        .await;
    assert_eq!(
        owner.get(&first).await.texts("h1"),
        vec!["Bücher GmbH & Co"]
    );
}

async fn owner_principal(app: &TestApp) -> roster_store::Principal {
    app.owner_principal().await
}

#[tokio::test]
async fn a_viewer_sees_organizations_but_cannot_create_or_edit() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Northwind")],
        )
        .await;
    let location = r.location.unwrap();
    let id = location.trim_start_matches("/organizations/").to_owned();
    let viewer = app.member(&owner, "vera@acme.test", "viewer").await;
    let list = viewer.get("/organizations").await;
    assert!(list.contains("Northwind"));
    assert!(!list.contains("New organization"));
    assert!(!viewer.get(&location).await.contains("Edit organization"));
    viewer
        .submit(
            "/organizations",
            "/api/create_organization",
            &[("name", "Sneaky")],
        )
        .await;
    viewer
        .submit(
            "/organizations",
            "/api/update_organization",
            &[("id", &id), ("name", "Renamed")],
        )
        .await;
    let list = owner.get("/organizations").await;
    assert!(!list.contains("Sneaky"));
    assert!(!list.contains("Renamed"));
}

#[tokio::test]
async fn another_workspaces_organization_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let r = owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Private Co")],
        )
        .await;
    let location = r.location.unwrap();
    let id = location.trim_start_matches("/organizations/").to_owned();
    app.services()
        .create_admin(
            "bob@beta.test",
            "Bob",
            "beta owner password",
            Some("Beta MSP"),
        )
        .await
        .unwrap();
    let bob = app.browser();
    bob.login("bob@beta.test", "beta owner password").await;
    let page = bob.get(&location).await;
    assert_eq!(page.status, 404);
    assert!(!page.contains("Private Co"));
    bob.submit(
        "/organizations",
        "/api/update_organization",
        &[("id", &id), ("name", "Stolen")],
    )
    .await;
    assert_eq!(
        bob.get("/organizations").await.texts("[role=alert]"),
        vec!["That no longer exists."]
    );
    assert!(owner.get(&location).await.contains("Private Co"));
}

#[tokio::test]
async fn names_of_only_invisible_characters_or_with_direction_overrides_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    for (name, message) in [
        (
            "\u{200B}\u{FEFF} \u{2060}",
            "Enter the organization's name.",
        ),
        (
            "Contoso\u{202E}dtL",
            "Remove the invisible text-direction characters (such as right-to-left override) from the organization's name.",
        ),
    ] {
        owner
            .submit(
                "/organizations/new",
                "/api/create_organization",
                &[("name", name)],
            )
            .await;
        let page = owner.get("/organizations/new").await;
        assert_eq!(page.texts("#organization-name-error"), vec![message]);
    }
    owner
        .submit(
            "/settings/members",
            "/api/add_member",
            &[
                ("name", "\u{200B}"),
                ("email", "zw@acme.test"),
                ("role", "viewer"),
            ],
        )
        .await;
    let members = owner.get("/settings/members").await;
    assert!(
        members
            .texts(".field-error")
            .contains(&"Enter a name.".to_owned()),
        "{:?}",
        members.texts(".field-error")
    );
    assert!(
        !members
            .texts("tbody tr")
            .iter()
            .any(|r| r.contains("zw@acme.test")),
        "nobody was added"
    );
    assert!(
        owner
            .get("/organizations")
            .await
            .contains("No organizations yet")
    );
    // Zero-width characters inside a name are dropped, so the name stays findable and unique.
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Fab\u{200B}rikam")],
        )
        .await;
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Fabrikam")],
        )
        .await;
    assert_eq!(
        owner
            .get("/organizations/new")
            .await
            .texts("#organization-name-error"),
        vec!["An organization with this name already exists."]
    );
}

#[tokio::test]
async fn the_organization_list_pages_by_name_with_plain_links() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let principal = app.owner_principal().await;
    let services = app.services();
    for i in 0..130 {
        services
            .create_organization(
                &principal,
                &roster_core::organizations::OrganizationForm {
                    name: format!("Customer {i:03}"),
                    ..Default::default()
                },
            )
            .await
            .expect("created");
    }
    let first = owner.get("/organizations").await;
    let names = first.texts("tbody td:first-child");
    assert_eq!(names.len(), 100);
    assert_eq!(names[0], "Customer 000");
    assert_eq!(names[99], "Customer 099");
    assert!(first.texts(".pager a").iter().all(|t| !t.contains("First")));
    let next = first.attrs(".pager a[rel=next]", "href");
    assert_eq!(next.len(), 1, "a next link");
    let second = owner.get(&next[0]).await;
    let rest = second.texts("tbody td:first-child");
    assert_eq!(rest.first().map(String::as_str), Some("Customer 100"));
    assert_eq!(rest.len(), 30);
    assert!(
        second.attrs(".pager a[rel=next]", "href").is_empty(),
        "the last page"
    );
    assert_eq!(second.attrs(".pager a", "href"), vec!["/organizations"]);
    // A cursor someone typed is not an error: the list starts over.
    let garbage = owner.get("/organizations?after=not-a-cursor").await;
    assert_eq!(garbage.status, 200);
    assert_eq!(garbage.texts("tbody td:first-child")[0], "Customer 000");
}
