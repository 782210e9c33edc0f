//! Importing organizations from CSV over HTTP: upload, mapping, preview, confirmation; broken
//! rows, wrong encodings, duplicates and formula cells; re-imports that change nothing.

use crate::helpers::{Browser, Page};

async fn upload(b: &Browser, file: &[u8]) -> Page {
    let token = b.csrf("/organizations/import").await;
    let r = b
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("customers.csv", file.to_vec()),
        )
        .await;
    let to = r.location.clone().expect("redirected");
    b.get(&to).await
}

fn hidden(p: &Page, name: &str) -> String {
    p.attrs(
        &format!("form[action='/api/confirm_import'] input[name={name}]"),
        "value",
    )
    .into_iter()
    .next()
    .unwrap_or_default()
}

async fn confirm(b: &Browser, preview: &Page) -> Page {
    let draft = hidden(preview, "draft_id");
    let fields = ["create", "update", "unchanged", "errors"].map(|n| (n, hidden(preview, n)));
    let mut all: Vec<(&str, &str)> = vec![("draft_id", draft.as_str())];
    all.extend(fields.iter().map(|(n, v)| (*n, v.as_str())));
    let r = b
        .submit(
            &format!("/organizations/import?draft={draft}"),
            "/api/confirm_import",
            &all,
        )
        .await;
    b.get(&r.location.expect("redirected")).await
}

const FILE: &str = "\u{feff}Company Name;Domains;PSA ID;Notes\r\n\
    Contoso Ltd;contoso.com;C-1;\"Key account,\r\nsince 2019\"\r\n\
    ;nodomain.com;C-2;\r\n\
    Fabrikam;not a domain;C-3;\r\n\
    CONTOSO LTD;other.com;C-4;\r\n\
    \"=HYPERLINK(\"\"http://evil\"\")\";;C-5;@SUM(A1)\r\n\
    Tailspin Toys;tailspin.com;C-6;\r\n";

#[tokio::test]
async fn a_messy_file_is_previewed_row_by_row_and_only_valid_rows_are_written_on_confirmation() {
    let app = crate::helpers::TestApp::spawn().await;
    let owner = app.with_owner().await;
    let preview = upload(&owner, FILE.as_bytes()).await;
    assert!(
        preview.contains("nothing is written until you confirm"),
        "{}",
        preview.html
    );
    // The columns were recognised from their names.
    let chosen = preview.texts("select option[selected]");
    assert_eq!(chosen, ["Name", "Domains", "External ID", "Notes"]);
    assert!(
        preview.contains("3 to create, 0 to update, 0 unchanged, 3 with errors (left out)."),
        "{}",
        preview.html
    );
    let rows = preview.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.starts_with('4') && r.contains("Name: Enter the organization's name")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("Line 2 has the same name")),
        "{rows:?}"
    );
    // Nothing is written before the confirmation.
    assert!(
        owner
            .get("/organizations")
            .await
            .contains("No organizations yet")
    );

    let done = confirm(&owner, &preview).await;
    assert!(
        done.contains(
            "Imported: 3 created, 0 updated, 0 unchanged, 3 row(s) with errors left out."
        ),
        "{}",
        done.html
    );
    let names = done.texts("tbody tr td:first-child a");
    assert_eq!(
        names,
        [
            "=HYPERLINK(\"http://evil\")",
            "Contoso Ltd",
            "Tailspin Toys"
        ]
    );
    // The formula is kept as the text it is; the multi-line note arrived whole.
    let contoso = owner
        .get(&format!(
            "/organizations/{}",
            done.attrs("tbody tr td:first-child a", "href")[1]
                .trim_start_matches("/organizations/")
        ))
        .await;
    assert!(
        contoso.contains("Key account,\nsince 2019")
            || contoso.contains("Key account,\r\nsince 2019"),
        "{}",
        contoso.html
    );
    assert!(contoso.contains("C-1"));

    // The same file again changes nothing.
    let again = upload(&owner, FILE.as_bytes()).await;
    assert!(
        again.contains("0 to create, 0 to update, 3 unchanged, 3 with errors"),
        "{}",
        again.html
    );
    assert_eq!(
        again
            .attrs(
                "form[action='/api/confirm_import'] button[disabled]",
                "disabled"
            )
            .len(),
        1
    );

    // A changed row is an update, found by the PSA's ID even under a new name.
    let changed = "Company Name;Domains;PSA ID\nContoso Limited;contoso.com;C-1\n";
    let p = upload(&owner, changed.as_bytes()).await;
    let rows = p.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("Update (found by external ID): name")),
        "{rows:?}"
    );
    let done = confirm(&owner, &p).await;
    assert!(
        done.texts("tbody tr td:first-child a")
            .contains(&"Contoso Limited".to_owned())
    );
}

#[tokio::test]
async fn a_file_in_another_encoding_is_refused_with_the_fix_and_nothing_is_kept() {
    let app = crate::helpers::TestApp::spawn().await;
    let owner = app.with_owner().await;
    let token = owner.csrf("/organizations/import").await;
    let r = owner
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("latin1.csv", b"name\nCaf\xe9 Noir\n".to_vec()),
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/organizations/import"));
    let page = owner.get("/organizations/import").await;
    assert!(page.contains("Line 2 is not UTF-8 text"), "{}", page.html);
    assert!(page.contains("CSV UTF-8 (Comma delimited)"));
    let r = owner
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("utf16.csv", vec![0xFF, 0xFE, b'n', 0, b'a', 0]),
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/organizations/import"));
    assert!(owner.get("/organizations/import").await.contains("UTF-16"));
}

#[tokio::test]
async fn the_mapping_chosen_for_a_layout_is_offered_again_and_a_stale_preview_is_not_confirmed() {
    let app = crate::helpers::TestApp::spawn().await;
    let owner = app.with_owner().await;
    let file = "Kunde;Webseite;Sonstiges\nMüller GmbH;www.mueller.de;x\n";
    let p = upload(&owner, file.as_bytes()).await;
    assert!(p.contains("Choose the column that holds the organization's name."));
    let draft = hidden(&p, "draft_id");
    let draft = if draft.is_empty() {
        p.attrs(
            "form[action='/api/import_mapping'] input[name=draft_id]",
            "value",
        )[0]
        .clone()
    } else {
        draft
    };
    owner
        .submit(
            &format!("/organizations/import?draft={draft}"),
            "/api/import_mapping",
            &[
                ("draft_id", &draft),
                ("column[]", "name"),
                ("column[]", "website"),
                ("column[]", ""),
            ],
        )
        .await;
    let p = owner
        .get(&format!("/organizations/import?draft={draft}"))
        .await;
    assert!(p.contains("1 to create"), "{}", p.html);
    // Someone creates the organization meanwhile: the preview no longer holds.
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Müller GmbH")],
        )
        .await;
    let refused = confirm(&owner, &p).await;
    assert!(
        refused.contains("changed since this preview"),
        "{}",
        refused.html
    );
    let p = owner
        .get(&format!("/organizations/import?draft={draft}"))
        .await;
    assert!(p.contains("0 to create, 1 to update"), "{}", p.html);
    confirm(&owner, &p).await;
    // The next file of this layout comes with the mapping chosen.
    let p = upload(
        &owner,
        "Kunde;Webseite;Sonstiges\nSchmidt AG;schmidt.de;y\n".as_bytes(),
    )
    .await;
    assert_eq!(
        p.texts("select option[selected]"),
        ["Name", "Website", "Leave out"]
    );
}

#[tokio::test]
async fn a_viewer_cannot_import() {
    let app = crate::helpers::TestApp::spawn().await;
    let owner = app.with_owner().await;
    let viewer = app.member(&owner, "vera@acme.test", "viewer").await;
    let token = viewer.csrf("/organizations").await;
    viewer
        .post_multipart(
            "/api/import_organizations",
            &[("csrf", &token)],
            ("o.csv", b"name\nSneaky\n".to_vec()),
        )
        .await;
    assert!(
        owner
            .get("/organizations")
            .await
            .contains("No organizations yet")
    );
    assert!(
        !viewer
            .get("/organizations/import")
            .await
            .contains("Read the file")
    );
}

async fn upload_contacts(b: &Browser, file: &[u8]) -> Page {
    let token = b.csrf("/contacts/import").await;
    let r = b
        .post_multipart(
            "/api/import_contacts",
            &[("csrf", &token)],
            ("people.csv", file.to_vec()),
        )
        .await;
    let to = r.location.clone().expect("redirected");
    b.get(&to).await
}

#[tokio::test]
async fn contacts_are_imported_into_their_organizations_matched_by_email_and_count_as_typed_by_hand()
 {
    let app = crate::helpers::TestApp::spawn().await;
    let owner = app.with_owner().await;
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Contoso Ltd"), ("external_id", "C-1")],
        )
        .await;
    owner
        .submit(
            "/organizations/new",
            "/api/create_organization",
            &[("name", "Fabrikam")],
        )
        .await;
    let file = "Company;Customer ID;First Name;Last Name;E-mail;Job Title;Mobile\n\
        ;C-1;Ana;Costa;ana@contoso.com;Buyer;+1 555 0100\n\
        Fabrikam;;Bram;Brown;;Driver;\n\
        Nowhere Inc;;Cleo;Dubois;cleo@nowhere.com;;\n\
        Fabrikam;;Dmitri;;not-an-email;;\n\
        Contoso Ltd;;Ana;Costa;ANA@contoso.com;;\n";
    let p = upload_contacts(&owner, file.as_bytes()).await;
    assert!(
        p.contains("2 to create, 0 to update, 0 unchanged, 3 with errors"),
        "{}",
        p.html
    );
    let rows = p.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("No organization is named “Nowhere Inc”")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Email: Enter an email address")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Line 2 has the same contact")),
        "{rows:?}"
    );
    let done = confirm(&owner, &p).await;
    assert!(
        done.contains(
            "Imported: 2 created, 0 updated, 0 unchanged, 3 row(s) with errors left out."
        ),
        "{}",
        done.html
    );
    assert!(
        done.texts("tbody tr")
            .iter()
            .any(|r| r.contains("Ana Costa") && r.contains("Contoso Ltd")),
        "{:?}",
        done.texts("tbody tr")
    );

    // The same person again by email (in another case) with a new title: an update, nothing else changes.
    let again = "Company;E-mail;Job Title;Mobile\nContoso Ltd;Ana@Contoso.com;Head buyer;\n";
    let p = upload_contacts(&owner, again.as_bytes()).await;
    let rows = p.texts("tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("Update (found by email): job title")),
        "{rows:?}"
    );
    confirm(&owner, &p).await;
    let p = upload_contacts(&owner, again.as_bytes()).await;
    assert!(
        p.contains("0 to create, 0 to update, 1 unchanged"),
        "{}",
        p.html
    );
}
