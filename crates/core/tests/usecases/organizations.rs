//! Organizations through the use-cases: evidence belongs to one organization, edits are audited.

use crate::Harness;
use roster_core::CoreError;
use roster_core::organizations::OrganizationForm;

#[tokio::test]
async fn evidence_is_unique_and_an_edit_is_audited_field_by_field() {
    let h = Harness::start().await;
    let s = &h.services;
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let id = s
        .create_organization(
            &h.owner,
            &OrganizationForm {
                name: "Contoso".into(),
                domains: "contoso.com".into(),
                tenant_id: tenant.to_uppercase(),
                ..OrganizationForm::default()
            },
        )
        .await
        .expect("created");
    let err = s
        .create_organization(
            &h.owner,
            &OrganizationForm {
                name: "Other".into(),
                domains: "CONTOSO.COM".into(),
                tenant_id: tenant.into(),
                ..OrganizationForm::default()
            },
        )
        .await
        .expect_err("duplicate evidence");
    let CoreError::Invalid(fields) = err else {
        panic!("field errors, not {err:?}");
    };
    assert_eq!(
        fields.0["tenant_id"],
        "Contoso already records this tenant ID."
    );
    assert!(fields.0["domains"].contains("primary domain of Contoso"));

    s.update_organization(
        &h.owner,
        id,
        &OrganizationForm {
            name: "Contoso Ltd".into(),
            domains: "contoso.com".into(),
            tenant_id: tenant.into(),
            ..OrganizationForm::default()
        },
    )
    .await
    .expect("updated");
    let log = s.audit_lines(&h.owner, 10).await.expect("audit");
    let edit = log
        .iter()
        .find(|l| l.what == "Edited the organization Contoso Ltd")
        .expect("the edit is audited");
    assert_eq!(edit.changes, vec!["Name: Contoso → Contoso Ltd"]);
    assert_eq!(s.organizations(&h.owner).await.expect("list").len(), 1);
}
