//! Tenants ↔ organizations through the use-cases: automatic matches on certain evidence only,
//! suggestions, and every decision (accept, match to, create, ignore, undo, bulk) recorded.

use crate::Harness;
use crate::sync::connected_customer;
use roster_core::CoreError;
use roster_core::connections::ConnectForm;
use roster_core::matching::DecisionsOf;
use roster_core::organizations::OrganizationForm;
use roster_domain::{ConnectionId, OrganizationId};

/// Connects emulated customer `i` without choosing an organization.
async fn unmatched(h: &Harness, i: usize) -> ConnectionId {
    let c = h.customer(i);
    let draft = h
        .services
        .check_draft(
            &h.owner,
            &ConnectForm {
                tenant: c.tenant_id.clone(),
                client_id: c.client_id.clone(),
                secret: c.secret.clone(),
                secret_expires_on: c.expires_on.clone(),
                ..ConnectForm::default()
            },
            None,
        )
        .await
        .expect("checked");
    h.services
        .save_connection(&h.owner, draft)
        .await
        .expect("saved")
}

async fn organization(h: &Harness, name: &str, domains: &str, tenant_id: &str) -> OrganizationId {
    h.services
        .create_organization(
            &h.owner,
            &OrganizationForm {
                name: name.into(),
                domains: domains.into(),
                tenant_id: tenant_id.into(),
                ..OrganizationForm::default()
            },
        )
        .await
        .expect("organization")
}

/// The tenant's display name and verified domains, as its connection check found them.
async fn tenant_facts(h: &Harness, c: ConnectionId) -> (String, Vec<String>) {
    let v = h
        .services
        .connection(&h.owner, c)
        .await
        .expect("connection");
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    let name = review
        .unmatched
        .iter()
        .find(|t| t.connection == c)
        .map(|t| t.name.clone())
        .or_else(|| {
            review
                .matched
                .iter()
                .find(|t| t.connection == c)
                .map(|t| t.name.clone())
        })
        .expect("listed");
    (name, v.verified_domains.clone())
}

async fn matched_to(h: &Harness, c: ConnectionId) -> Option<OrganizationId> {
    h.services
        .connection(&h.owner, c)
        .await
        .expect("connection")
        .organization
        .map(|o| o.id)
}

#[tokio::test]
async fn a_tenant_is_matched_automatically_once_an_organization_records_its_tenant_id() {
    let h = Harness::start().await;
    let c = unmatched(&h, 0).await;
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    assert_eq!(review.unmatched.len(), 1);
    assert_eq!(review.unmatched[0].connection, c);
    assert_eq!(
        h.services.review_counts(&h.owner).await.expect("counts").0,
        1
    );

    let tenant_id = h.customer(0).tenant_id;
    let org = organization(&h, "Recorded Customer", "", &tenant_id.to_uppercase()).await;
    assert_eq!(matched_to(&h, c).await, Some(org));
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    assert!(review.unmatched.is_empty());
    assert_eq!(
        review.matched[0].how,
        "automatically: the organization records the tenant ID"
    );
    for of in [DecisionsOf::Connection(c), DecisionsOf::Organization(org)] {
        let history = h
            .services
            .match_history(&h.owner, of)
            .await
            .expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].what, "Matched automatically");
        assert_eq!(history[0].actor, "Roster");
        assert!(
            history[0].reasons.contains(&tenant_id),
            "{}",
            history[0].reasons
        );
    }
    assert_eq!(
        h.services.review_counts(&h.owner).await.expect("counts").0,
        0
    );
}

#[tokio::test]
async fn a_verified_domain_that_is_a_primary_domain_matches_when_the_tenant_is_connected() {
    let h = Harness::start().await;
    let domain = h.customer(1).domain;
    let org = organization(&h, "Domain Customer", &domain, "").await;
    // Another organization listing the domain second is not certain evidence.
    organization(
        &h,
        "Other Customer",
        &format!("other-{domain}, {domain}"),
        "",
    )
    .await;
    let c = unmatched(&h, 1).await;
    assert_eq!(matched_to(&h, c).await, Some(org));
    let history = h
        .services
        .match_history(&h.owner, DecisionsOf::Connection(c))
        .await
        .expect("history");
    assert!(
        history[0]
            .reasons
            .contains("is the primary domain of this organization")
    );
}

#[tokio::test]
async fn suggestions_rank_the_organization_named_like_the_tenant_first_and_accepting_records_the_score()
 {
    let h = Harness::start().await;
    let c = unmatched(&h, 2).await;
    let (name, _) = tenant_facts(&h, c).await;
    let right = organization(&h, &format!("{} Ltd.", name.to_uppercase()), "", "").await;
    organization(&h, "Completely Different Plumbing", "", "").await;
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    let t = &review.unmatched[0];
    assert_eq!(t.suggestions[0].organization, right);
    assert_eq!(t.suggestions[0].score, 1.0);
    assert!(
        t.suggestions[0].why.starts_with("name 1.00: same words"),
        "{}",
        t.suggestions[0].why
    );
    assert!(
        t.suggestions
            .iter()
            .all(|s| s.name != "Completely Different Plumbing")
    );
    // A name is never certain evidence: nothing was matched without a person.
    assert_eq!(matched_to(&h, c).await, None);

    h.services
        .accept_match(&h.owner, c, right)
        .await
        .expect("accepted");
    assert_eq!(matched_to(&h, c).await, Some(right));
    let history = h
        .services
        .match_history(&h.owner, DecisionsOf::Organization(right))
        .await
        .expect("history");
    assert_eq!(history[0].what, "Accepted the suggestion");
    assert_eq!(history[0].actor, "owner@acme.test");
    assert_eq!(history[0].score, Some(1.0));
    assert!(history[0].reasons.starts_with("name 1.00"));
    let audit = h.services.audit_lines(&h.owner, 5).await.expect("audit");
    assert!(audit.iter().any(|l| l.what.contains("match")), "{audit:?}");
}

#[tokio::test]
async fn an_undone_match_is_not_made_again_automatically_nor_suggested_first() {
    let h = Harness::start().await;
    let c = unmatched(&h, 0).await;
    let (name, _) = tenant_facts(&h, c).await;
    let org = organization(&h, &name, "", &h.customer(0).tenant_id).await;
    let twin = organization(&h, &format!("{name} Group"), "", "").await;
    assert_eq!(matched_to(&h, c).await, Some(org));

    h.clock.advance(jiff::SignedDuration::from_secs(60));
    h.services.undo_match(&h.owner, c).await.expect("undone");
    assert_eq!(matched_to(&h, c).await, None);
    // Evidence appearing again (a connection check) does not redo what a person undid.
    h.services
        .recheck_connection(&h.owner, c)
        .await
        .expect("rechecked");
    assert_eq!(matched_to(&h, c).await, None);
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    let s = &review.unmatched[0].suggestions;
    assert_eq!(s[0].organization, twin, "{s:?}");
    let last = s.last().expect("suggestions");
    assert_eq!(last.organization, org);
    assert!(
        last.undone_note
            .as_deref()
            .is_some_and(|n| n.contains("undid this match"))
    );
    let history = h
        .services
        .match_history(&h.owner, DecisionsOf::Connection(c))
        .await
        .expect("history");
    assert_eq!(history[0].what, "Undid the match");
    // Bulk accept never picks an undone match, whatever the score.
    let preview = h
        .services
        .bulk_accept_preview(&h.owner, 0.0)
        .await
        .expect("preview");
    assert!(preview.picks.iter().all(|p| p.organization != org));
}

#[tokio::test]
async fn an_ignored_tenant_stays_ignored_across_syncs_and_new_evidence_until_a_person_reverses_it()
{
    let h = Harness::start().await;
    let c = unmatched(&h, 0).await;
    h.services
        .ignore_tenant(&h.owner, c, true)
        .await
        .expect("ignored");
    h.clock.advance(jiff::SignedDuration::from_secs(60));
    let org = organization(&h, "Evidence Arrives", "", &h.customer(0).tenant_id).await;
    h.services
        .recheck_connection(&h.owner, c)
        .await
        .expect("rechecked");
    assert_eq!(matched_to(&h, c).await, None);
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    assert!(review.unmatched.is_empty());
    assert_eq!(review.ignored[0].connection, c);
    assert_eq!(
        h.services.review_counts(&h.owner).await.expect("counts").0,
        0
    );
    // Syncing an unmatched tenant writes nothing and does not end the ignore.
    let _ = h.sync_now(c).await;
    assert_eq!(
        h.services
            .tenant_review(&h.owner)
            .await
            .expect("review")
            .ignored
            .len(),
        1
    );

    h.services
        .ignore_tenant(&h.owner, c, false)
        .await
        .expect("no longer ignored");
    assert_eq!(matched_to(&h, c).await, Some(org));
    let whats: Vec<String> = h
        .services
        .match_history(&h.owner, DecisionsOf::Connection(c))
        .await
        .expect("history")
        .into_iter()
        .map(|d| d.what)
        .collect();
    // Stopping the ignore and the automatic match it allowed happen at the same instant.
    assert_eq!(whats.len(), 3);
    assert_eq!(whats.last().map(String::as_str), Some("Ignored the tenant"));
    assert!(whats.contains(&"Matched automatically".to_owned()));
    assert!(whats.contains(&"Stopped ignoring the tenant".to_owned()));
}

#[tokio::test]
async fn an_organization_created_from_a_tenant_takes_its_name_domains_and_id() {
    let h = Harness::start().await;
    let c = unmatched(&h, 1).await;
    let (name, domains) = tenant_facts(&h, c).await;
    let org = h
        .services
        .create_organization_from_tenant(&h.owner, c)
        .await
        .expect("created");
    let view = h
        .services
        .organization(&h.owner, org)
        .await
        .expect("organization");
    assert_eq!(view.name, name);
    assert_eq!(
        view.tenant_id.as_deref(),
        Some(h.customer(1).tenant_id.as_str())
    );
    let custom: Vec<String> = domains
        .into_iter()
        .filter(|d| !d.ends_with(".onmicrosoft.com"))
        .collect();
    assert_eq!(view.domains, custom);
    assert_eq!(matched_to(&h, c).await, Some(org));
    // The same name again is refused with a way forward, and nothing is written.
    let d = unmatched(&h, 2).await;
    h.services
        .update_organization(
            &h.owner,
            org,
            &OrganizationForm {
                name: tenant_facts(&h, d).await.0,
                ..OrganizationForm::default()
            },
        )
        .await
        .expect("renamed");
    let before = h
        .services
        .organizations(&h.owner)
        .await
        .expect("list")
        .len();
    let err = h
        .services
        .create_organization_from_tenant(&h.owner, d)
        .await
        .expect_err("name taken");
    assert!(
        matches!(&err, CoreError::Conflict(m) if m.contains("Match to")),
        "{err:?}"
    );
    assert_eq!(
        h.services
            .organizations(&h.owner)
            .await
            .expect("list")
            .len(),
        before
    );
}

#[tokio::test]
async fn matching_a_tenant_to_another_organization_moves_its_synced_contacts_with_it() {
    let h = Harness::start().await;
    let c = connected_customer(&h, 0, "First Guess").await;
    h.sync_now(c).await.expect("synced");
    let first = matched_to(&h, c).await.expect("matched");
    let right = organization(&h, "The Right Customer", "", "").await;
    let count = |org: OrganizationId| {
        let s = &h.services;
        let owner = &h.owner;
        async move {
            s.contacts_page(
                owner,
                &roster_store::ContactFilter {
                    organization_id: Some(org.as_uuid()),
                    ..Default::default()
                },
                &roster_store::PageRequest::first(500),
            )
            .await
            .expect("contacts")
            .items
            .len()
        }
    };
    let synced = count(first).await;
    assert!(synced > 0);
    h.services
        .match_tenant(&h.owner, c, right)
        .await
        .expect("changed");
    assert_eq!(count(first).await, 0);
    assert_eq!(count(right).await, synced);
    // The next sync finds them where they are: no duplicates.
    h.sync_now(c).await.expect("synced again");
    assert_eq!(count(right).await, synced);
    let history = h
        .services
        .match_history(&h.owner, DecisionsOf::Connection(c))
        .await
        .expect("history");
    assert_eq!(history[0].what, "Matched by hand");
}

#[tokio::test]
async fn bulk_accept_takes_what_the_preview_showed_and_leaves_contested_organizations_to_a_person()
{
    let h = Harness::start().await;
    let a = unmatched(&h, 0).await;
    let b = unmatched(&h, 1).await;
    let c = unmatched(&h, 2).await;
    let (na, _) = tenant_facts(&h, a).await;
    let (nb, _) = tenant_facts(&h, b).await;
    let oa = organization(&h, &format!("{na} Inc."), "", "").await;
    let ob = organization(&h, &format!("{nb} GmbH"), "", "").await;
    let preview = h
        .services
        .bulk_accept_preview(&h.owner, 0.9)
        .await
        .expect("preview");
    let picks: Vec<(ConnectionId, OrganizationId)> = preview
        .picks
        .iter()
        .map(|p| (p.connection, p.organization))
        .collect();
    assert!(
        picks.contains(&(a, oa)) && picks.contains(&(b, ob)),
        "{preview:?}"
    );
    assert!(
        picks.iter().all(|p| p.0 != c),
        "nothing scores 0.9 for the third tenant"
    );
    // Meanwhile someone matches the second tenant by hand: bulk accept skips it.
    h.services
        .match_tenant(&h.owner, b, ob)
        .await
        .expect("matched by hand");
    let outcome = h
        .services
        .bulk_accept(&h.owner, 0.9, &picks)
        .await
        .expect("bulk");
    assert_eq!(outcome.accepted, picks.len() - 1);
    assert_eq!(outcome.skipped, 1);
    assert_eq!(matched_to(&h, a).await, Some(oa));
    assert_eq!(matched_to(&h, c).await, None);
}

#[tokio::test]
async fn an_archived_organization_is_neither_suggested_nor_matched_and_keeps_its_history() {
    let h = Harness::start().await;
    let c = unmatched(&h, 0).await;
    let (name, _) = tenant_facts(&h, c).await;
    let org = organization(&h, &name, "", "").await;
    h.services
        .archive_organization(&h.owner, org, true)
        .await
        .expect("archived");
    let review = h.services.tenant_review(&h.owner).await.expect("review");
    assert!(
        review.unmatched[0]
            .suggestions
            .iter()
            .all(|s| s.organization != org)
    );
    let err = h
        .services
        .accept_match(&h.owner, c, org)
        .await
        .expect_err("archived");
    assert!(matches!(err, CoreError::Conflict(m) if m.contains("archived")));
    h.services
        .archive_organization(&h.owner, org, false)
        .await
        .expect("restored");
    h.services
        .accept_match(&h.owner, c, org)
        .await
        .expect("accepted");
    // An organization with a tenant is not archived silently.
    let err = h
        .services
        .archive_organization(&h.owner, org, true)
        .await
        .expect_err("has a tenant");
    assert!(matches!(err, CoreError::Conflict(m) if m.contains("Undo")));
}

#[tokio::test]
async fn when_two_tenants_point_at_one_organization_its_recorded_tenant_id_wins() {
    let h = Harness::start().await;
    let by_id = unmatched(&h, 0).await;
    let by_domain = unmatched(&h, 1).await;
    let org = organization(
        &h,
        "Both Point Here",
        &h.customer(1).domain,
        &h.customer(0).tenant_id,
    )
    .await;
    assert_eq!(matched_to(&h, by_id).await, Some(org));
    assert_eq!(matched_to(&h, by_domain).await, None);
}
