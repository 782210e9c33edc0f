//! Connecting a tenant through the use-cases, against the emulated Microsoft cloud.

use crate::Harness;
use roster_core::CoreError;
use roster_core::connections::ConnectForm;

fn form(c: &crate::Customer, tenant: &str) -> ConnectForm {
    ConnectForm {
        tenant: tenant.to_owned(),
        client_id: c.client_id.clone(),
        secret: c.secret.clone(),
        secret_expires_on: c.expires_on.clone(),
        ..ConnectForm::default()
    }
}

#[tokio::test]
async fn a_checked_draft_becomes_a_connection_with_its_audit_entry_and_cannot_be_connected_twice() {
    let h = Harness::start().await;
    let c = h.customer(0);
    let s = &h.services;
    let draft = s
        .check_draft(&h.owner, &form(&c, &c.tenant_id), None)
        .await
        .expect("checked");
    let id = s.save_connection(&h.owner, draft).await.expect("saved");
    let row = s.connection(&h.owner, id).await.expect("connection");
    assert_eq!(row.tenant_id, c.tenant_id);
    assert_eq!(row.status, roster_domain::tenant::ConnectionStatus::Ok);
    assert_eq!(
        id.as_uuid().get_version_num(),
        7,
        "ids are UUIDv7 made by the services"
    );
    assert!(
        row.last_check.as_ref().is_some_and(|r| r.is_ok()),
        "the view carries the last check"
    );
    // The draft is gone with the same commit that made the connection.
    assert!(matches!(
        s.draft(&h.owner, draft).await,
        Err(CoreError::NotFound)
    ));
    let log = s.audit_lines(&h.owner, 10).await.expect("audit");
    assert!(
        log.iter()
            .any(|l| l.what.starts_with("Connected the tenant")),
        "{log:?}"
    );

    // The same tenant again, by its domain: refused before Microsoft is asked.
    let before = h.microsoft().requests().len();
    let again = s
        .check_draft(&h.owner, &form(&c, &c.domain), None)
        .await
        .expect_err("already connected");
    let CoreError::Invalid(fields) = again else {
        panic!("a field error, not {again:?}");
    };
    assert!(fields.0["tenant"].starts_with("This tenant is already connected as"));
    assert_eq!(h.microsoft().requests().len(), before);
}

#[tokio::test]
async fn a_past_expiry_date_is_refused_by_the_use_case_on_the_shared_clock() {
    let h = Harness::start().await;
    let c = h.customer(0);
    let mut f = form(&c, &c.tenant_id);
    f.secret_expires_on = h.clock.date_in(-1);
    let err = h
        .services
        .check_draft(&h.owner, &f, None)
        .await
        .expect_err("refused");
    assert!(matches!(err, CoreError::Invalid(ref e) if e.0.contains_key("secret_expires_on")));
    // A day later by the clock, yesterday's "today" is refused too.
    let mut today = form(&c, &c.tenant_id);
    today.secret_expires_on = h.clock.date_in(0);
    h.clock.advance(jiff::SignedDuration::from_hours(24));
    assert!(
        h.services
            .check_draft(&h.owner, &today, None)
            .await
            .is_err()
    );
    assert!(h.microsoft().requests().is_empty());
}
