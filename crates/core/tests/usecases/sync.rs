//! Syncing a connected tenant's users into its organization's contacts, against the emulator.

use crate::Harness;
use roster_core::connections::ConnectForm;
use roster_core::organizations::OrganizationForm;
use roster_core::{ContactFilter, CoreError, PageRequest};
use roster_domain::ConnectionId;

/// Connects customer 0 to a new organization and returns the connection.
async fn connected(h: &Harness) -> ConnectionId {
    connected_customer(h, 0, "Customer Zero").await
}

/// Connects customer `i` to a new organization named `name` and returns the connection.
pub async fn connected_customer(h: &Harness, i: usize, name: &str) -> ConnectionId {
    let s = &h.services;
    let org = s
        .create_organization(
            &h.owner,
            &OrganizationForm {
                name: name.into(),
                ..OrganizationForm::default()
            },
        )
        .await
        .expect("organization");
    let c = h.customer(i);
    let draft = s
        .check_draft(
            &h.owner,
            &ConnectForm {
                organization_id: org.to_string(),
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
    s.save_connection(&h.owner, draft).await.expect("saved")
}

/// Changes the Entra user linked to `contact` in the emulated tenant; returns its object id.
async fn change_user(
    h: &Harness,
    tenant: &str,
    contact: roster_domain::ContactId,
    change: serde_json::Value,
) -> String {
    let object_id = h
        .services
        .contact(&h.owner, contact)
        .await
        .expect("contact")
        .object_id
        .expect("linked");
    h.microsoft()
        .update_user(tenant, &object_id, &change)
        .expect("changed");
    object_id
}

async fn contacts(h: &Harness, filter: ContactFilter) -> Vec<roster_core::contacts::ContactView> {
    h.services
        .contacts_page(&h.owner, &filter, &PageRequest::first(500))
        .await
        .expect("contacts")
        .items
}

#[tokio::test]
async fn a_sync_creates_contacts_then_changes_only_what_changed_and_flags_leavers() {
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;

    let first = h.sync_now(conn).await.expect("synced");
    let run = s.sync_run(&h.owner, first).await.expect("run");
    assert_eq!(run.status, "succeeded", "{run:?}");
    let counts = run.counts.expect("counts");
    let guests = counts
        .excluded
        .get(&roster_core::sync::scope::Exclusion::Guest)
        .copied()
        .unwrap_or(0);
    assert_eq!(counts.counts.created, counts.listed - guests);
    assert!(counts.counts.created > 0);
    let all = contacts(&h, ContactFilter::default()).await;
    assert_eq!(all.len(), counts.counts.created);
    assert!(all.iter().all(|c| c.linked && !c.deleted_in_entra));

    // Nothing changed in Entra: nothing is written.
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let again = h.sync_now(conn).await.expect("synced");
    let c2 = s
        .sync_run(&h.owner, again)
        .await
        .expect("run")
        .counts
        .expect("counts");
    assert_eq!((c2.counts.created, c2.counts.updated), (0, 0));
    // The first run listed every user; this one only the changes since (none).
    assert_eq!(
        counts.listing,
        Some(roster_core::sync::engine::ListingMode::Full)
    );
    assert_eq!(
        c2.listing,
        Some(roster_core::sync::engine::ListingMode::Delta)
    );
    assert_eq!((c2.listed, c2.counts.flagged), (0, 0));

    // A rename updates the same contact and is an event on it.
    let someone = &all[0];
    let object_id = change_user(
        &h,
        &tenant,
        someone.id,
        serde_json::json!({ "display_name": "Renamed Person" }),
    )
    .await;
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let third = h.sync_now(conn).await.expect("synced");
    let c3 = s
        .sync_run(&h.owner, third)
        .await
        .expect("run")
        .counts
        .expect("counts");
    assert_eq!((c3.counts.created, c3.counts.updated), (0, 1));
    let detail = s.contact(&h.owner, someone.id).await.expect("contact");
    assert_eq!(detail.contact.display_name, "Renamed Person");
    // The run's page lists exactly that change.
    let changes = s.run_changes(&h.owner, third, 100).await.expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].0, someone.id);
    assert!(changes[0].2.contains("Renamed Person"), "{changes:?}");
    assert!(
        s.run_changes(&h.owner, again, 100)
            .await
            .expect("changes")
            .is_empty()
    );
    assert!(
        detail
            .events
            .iter()
            .any(|e| e.what.contains("Renamed Person")),
        "{:?}",
        detail.events
    );

    // A failed listing changes nothing and flags nobody.
    h.microsoft()
        .set_faults(
            &tenant,
            roster_graph_emulator::Faults {
                fail_at_page: Some(1),
                ..roster_graph_emulator::Faults::default()
            },
        )
        .expect("faults");
    h.microsoft()
        .remove_user(&tenant, &object_id, true)
        .expect("removed");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let failed = h.sync_now(conn).await.expect("recorded");
    let fr = s.sync_run(&h.owner, failed).await.expect("run");
    assert_eq!(fr.status, "failed");
    assert!(fr.error.is_some_and(|e| !e.cause.is_empty()));
    assert!(
        contacts(
            &h,
            ContactFilter {
                deleted_in_entra: Some(true),
                ..ContactFilter::default()
            }
        )
        .await
        .is_empty()
    );

    // Once Microsoft answers again, the leaver is flagged, not deleted.
    h.microsoft()
        .set_faults(&tenant, roster_graph_emulator::Faults::default())
        .expect("faults");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let fourth = h.sync_now(conn).await.expect("synced");
    let c4 = s
        .sync_run(&h.owner, fourth)
        .await
        .expect("run")
        .counts
        .expect("counts");
    assert_eq!(c4.counts.flagged, 1);
    let flagged = contacts(
        &h,
        ContactFilter {
            deleted_in_entra: Some(true),
            ..ContactFilter::default()
        },
    )
    .await;
    assert_eq!(
        flagged.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![someone.id]
    );
    assert_eq!(
        contacts(&h, ContactFilter::default()).await.len(),
        all.len(),
        "never deleted"
    );

    // The log lists every run, newest first.
    let log = s
        .sync_runs(&h.owner, Some(conn), &PageRequest::first(10))
        .await
        .expect("log");
    let statuses: Vec<&str> = log.items.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses,
        vec!["succeeded", "failed", "succeeded", "succeeded", "succeeded"]
    );
}

#[tokio::test]
async fn a_tenant_without_an_organization_syncs_nothing_and_says_why() {
    let h = Harness::start().await;
    let s = &h.services;
    let c = h.customer(1);
    let draft = s
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
    let conn = s.save_connection(&h.owner, draft).await.expect("saved");
    match h.sync_now(conn).await {
        Err(CoreError::Conflict(msg)) => {
            assert!(msg.contains("not matched to an organization"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        s.sync_runs(&h.owner, None, &PageRequest::first(5))
            .await
            .expect("log")
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn a_run_that_would_flag_too_many_is_held_until_confirmed_or_discarded() {
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;
    h.sync_now(conn).await.expect("first sync");
    let all = contacts(&h, ContactFilter::default()).await;
    assert!(all.len() >= 5, "{}", all.len());
    // A third of the users disappear (a consent or scope problem looks like this).
    let gone = all.len() / 3 + 1;
    for c in &all[..gone] {
        let object_id = s
            .contact(&h.owner, c.id)
            .await
            .expect("contact")
            .object_id
            .expect("linked");
        h.microsoft()
            .remove_user(&tenant, &object_id, true)
            .expect("removed");
    }
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let held = h.sync_now(conn).await.expect("planned");
    let run = s.sync_run(&h.owner, held).await.expect("run");
    assert_eq!(run.status, "held");
    assert!(
        run.held_because
            .as_deref()
            .is_some_and(|w| w.contains(&format!("flag {gone} of"))),
        "{run:?}"
    );
    assert_eq!(
        flagged(&h).await,
        0,
        "nothing is written while the run is held"
    );

    // Discarded: nothing is written, and it cannot be decided twice.
    s.discard_run(&h.owner, held).await.expect("discarded");
    assert_eq!(
        s.sync_run(&h.owner, held).await.expect("run").status,
        "discarded"
    );
    assert!(matches!(
        s.confirm_run(&h.owner, held).await,
        Err(CoreError::Conflict(_))
    ));
    assert_eq!(flagged(&h).await, 0);

    // Held again, then confirmed: the plan is applied as it was shown.
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let again = h.sync_now(conn).await.expect("planned");
    assert_eq!(
        s.sync_run(&h.owner, again).await.expect("run").status,
        "held"
    );
    s.confirm_run(&h.owner, again).await.expect("confirmed");
    assert_eq!(
        s.sync_run(&h.owner, again).await.expect("run").status,
        "succeeded"
    );
    assert_eq!(flagged(&h).await, gone);
}

async fn flagged(h: &Harness) -> usize {
    contacts(
        h,
        ContactFilter {
            deleted_in_entra: Some(true),
            ..ContactFilter::default()
        },
    )
    .await
    .len()
}

#[tokio::test]
async fn a_hand_edit_survives_syncs_as_a_conflict_until_someone_chooses() {
    use roster_core::contacts::{ContactForm, Resolution};
    use roster_core::sync::fields::SyncField;
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;
    h.sync_now(conn).await.expect("synced");
    let someone = contacts(&h, ContactFilter::default()).await.remove(0);
    let object_id = s
        .contact(&h.owner, someone.id)
        .await
        .expect("c")
        .object_id
        .expect("linked");
    let job = |d: &roster_core::contacts::ContactDetail| {
        d.fields
            .iter()
            .find(|f| f.field == SyncField::JobTitle)
            .cloned()
            .expect("job title")
    };
    let edit = |title: &str| ContactForm {
        values: [(SyncField::JobTitle, title.to_owned())].into(),
    };

    // A bad email is refused with the field named, and nothing changes.
    let bad = ContactForm {
        values: [(SyncField::Email, "not an address".to_owned())].into(),
    };
    assert!(
        matches!(s.edit_contact(&h.owner, someone.id, &bad).await, Err(CoreError::Invalid(e)) if e.0.contains_key("email"))
    );

    s.edit_contact(&h.owner, someone.id, &edit("Head of Things"))
        .await
        .expect("edited");
    let d = s.contact(&h.owner, someone.id).await.expect("c");
    assert_eq!(job(&d).value.as_deref(), Some("Head of Things"));
    assert_eq!(job(&d).source, "edited by hand");

    // Entra's title changes: the hand edit stays, flagged as a conflict with Entra's value.
    h.microsoft()
        .update_user(
            &tenant,
            &object_id,
            &serde_json::json!({ "job_title": "Chief of Staff" }),
        )
        .expect("changed");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let run = h.sync_now(conn).await.expect("synced");
    assert_eq!(
        s.sync_run(&h.owner, run)
            .await
            .expect("run")
            .counts
            .expect("c")
            .counts
            .conflicts,
        1
    );
    let d = s.contact(&h.owner, someone.id).await.expect("c");
    assert_eq!(job(&d).value.as_deref(), Some("Head of Things"));
    assert_eq!(job(&d).conflict.as_deref(), Some("Chief of Staff"));
    assert_eq!(
        contacts(
            &h,
            ContactFilter {
                with_conflicts: true,
                ..ContactFilter::default()
            }
        )
        .await
        .len(),
        1
    );

    // Keep mine: the same Entra value is not raised again.
    s.resolve_conflict(&h.owner, someone.id, SyncField::JobTitle, Resolution::Mine)
        .await
        .expect("kept");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let run = h.sync_now(conn).await.expect("synced");
    assert_eq!(
        s.sync_run(&h.owner, run)
            .await
            .expect("run")
            .counts
            .expect("c")
            .counts
            .conflicts,
        0
    );
    assert_eq!(
        job(&s.contact(&h.owner, someone.id).await.expect("c"))
            .value
            .as_deref(),
        Some("Head of Things")
    );

    // Entra changes again: a new conflict; taking Entra's value makes the field follow Entra.
    h.microsoft()
        .update_user(
            &tenant,
            &object_id,
            &serde_json::json!({ "job_title": "COO" }),
        )
        .expect("changed");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    h.sync_now(conn).await.expect("synced");
    s.resolve_conflict(&h.owner, someone.id, SyncField::JobTitle, Resolution::Entra)
        .await
        .expect("took");
    let d = s.contact(&h.owner, someone.id).await.expect("c");
    assert_eq!(
        (job(&d).value.as_deref(), job(&d).source),
        (Some("COO"), "Entra")
    );
    assert!(matches!(
        s.resolve_conflict(&h.owner, someone.id, SyncField::JobTitle, Resolution::Entra)
            .await,
        Err(CoreError::Conflict(_))
    ));
    assert!(
        d.events
            .iter()
            .any(|e| e.what.contains("took Entra's value")),
        "{:?}",
        d.events
    );
    assert!(d.events.iter().any(|e| e.who == "owner@acme.test"));
}

#[tokio::test]
async fn the_review_queue_holds_what_a_sync_would_not_guess_and_remembers_decisions() {
    use roster_core::review::Decision;
    use roster_core::sync::engine::SyncSettings;
    use roster_core::sync::plan::NewUserPolicy;
    use roster_graph_emulator::UserSpec;
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;
    h.sync_now(conn).await.expect("first sync");
    let org = contacts(&h, ContactFilter::default()).await[0]
        .organization
        .clone()
        .expect("org")
        .0;

    // Two unlinked contacts (from the PSA, say) share a new user's name.
    let twin = |n: u128| roster_store::ContactRow {
        id: uuid::Uuid::from_u128(n),
        organization_id: org.as_uuid(),
        tenant_id: None,
        object_id: None,
        values: {
            let mut v: [Option<String>; 15] = Default::default();
            v[0] = Some("Zed Twin".into());
            v[1] = Some("Zed".into());
            v[2] = Some("Twin".into());
            v
        },
        upn: None,
        sort_key: "zed twin".into(),
        email_key: None,
        deleted_in_entra: false,
        disabled: false,
        conflicts: 0,
        synced_fields: 0,
        field_notes: None,
        created_at: 1,
        updated_at: 1,
        groups: vec![],
    };
    let mut unit = h.owner.scope(&h.db.db).begin().await.expect("unit");
    unit.write_contacts(&[twin(1), twin(2)])
        .await
        .expect("seeded");
    unit.commit().await.expect("commit");
    let spec = |name: &str, first: &str, last: &str| UserSpec {
        display_name: name.into(),
        given_name: Some(first.into()),
        surname: Some(last.into()),
        ..UserSpec::default()
    };
    h.microsoft()
        .add_user(&tenant, &spec("Zed Twin", "Zed", "Twin"))
        .expect("user");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let run = h.sync_now(conn).await.expect("synced");
    assert_eq!(
        s.sync_run(&h.owner, run)
            .await
            .expect("run")
            .counts
            .expect("c")
            .counts
            .review,
        1
    );
    let queue = s.contact_review(&h.owner).await.expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].display_name, "Zed Twin");
    assert_eq!(queue[0].candidates.len(), 2, "{queue:?}");
    assert!(
        queue[0].why.contains("2 contacts match by name"),
        "{}",
        queue[0].why
    );
    // A later run that lists only other changes leaves the undecided user waiting.
    let other = contacts(&h, ContactFilter::default())
        .await
        .into_iter()
        .find(|c| c.linked)
        .expect("a linked contact");
    change_user(
        &h,
        &tenant,
        other.id,
        serde_json::json!({ "job_title": "Moved on" }),
    )
    .await;
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let delta = synced_counts(&h, conn).await;
    assert_eq!(
        (delta.listing, delta.listed),
        (Some(roster_core::sync::engine::ListingMode::Delta), 1)
    );
    assert_eq!(s.contact_review(&h.owner).await.expect("queue").len(), 1);

    // Linked to the first candidate: the contact follows Entra from now on, and the queue is empty.
    let chosen = queue[0].candidates[0].0;
    s.decide_contact_review(&h.owner, conn, &queue[0].object_id, Decision::Link(chosen))
        .await
        .expect("linked");
    assert!(s.contact_review(&h.owner).await.expect("queue").is_empty());
    let linked = s.contact(&h.owner, chosen).await.expect("contact");
    assert_eq!(
        linked.object_id.as_deref(),
        Some(queue[0].object_id.as_str())
    );
    assert!(
        linked
            .events
            .iter()
            .any(|e| e.what.contains("a reviewer's choice"))
    );
    assert!(matches!(
        s.decide_contact_review(&h.owner, conn, &queue[0].object_id, Decision::Create)
            .await,
        Err(CoreError::Conflict(_))
    ));

    // Under the "review" policy new users wait; one is ignored for good, one becomes a contact.
    s.set_sync_settings(
        &h.owner,
        conn,
        &SyncSettings {
            policy: NewUserPolicy::Review,
            ..SyncSettings::default()
        },
    )
    .await
    .expect("settings");
    h.microsoft()
        .add_user(&tenant, &spec("Ivy Ignored", "Ivy", "Ignored"))
        .expect("user");
    h.microsoft()
        .add_user(&tenant, &spec("Cara Created", "Cara", "Created"))
        .expect("user");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let before = contacts(&h, ContactFilter::default()).await.len();
    h.sync_now(conn).await.expect("synced");
    assert_eq!(
        contacts(&h, ContactFilter::default()).await.len(),
        before,
        "nobody created"
    );
    let queue = s.contact_review(&h.owner).await.expect("queue");
    let names: Vec<&str> = queue.iter().map(|q| q.display_name.as_str()).collect();
    assert_eq!(names, vec!["Cara Created", "Ivy Ignored"]);
    assert!(queue.iter().all(|q| q.preselected));
    s.decide_contact_review(&h.owner, conn, &queue[1].object_id, Decision::Ignore)
        .await
        .expect("ignored");
    s.decide_contact_review(&h.owner, conn, &queue[0].object_id, Decision::Create)
        .await
        .expect("created");
    assert_eq!(
        contacts(&h, ContactFilter::default()).await.len(),
        before + 1
    );
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    h.sync_now(conn).await.expect("synced");
    assert!(
        s.contact_review(&h.owner).await.expect("queue").is_empty(),
        "the ignored user stays ignored, the created one is linked"
    );
    assert_eq!(
        contacts(&h, ContactFilter::default()).await.len(),
        before + 1
    );
}

#[tokio::test]
async fn a_group_scope_takes_direct_members_and_direct_subgroups_but_not_deeper_nesting() {
    use roster_core::sync::engine::{SyncScope, SyncSettings};
    use roster_graph_emulator::GroupSpec;
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;
    h.sync_now(conn).await.expect("first sync");
    let all = contacts(&h, ContactFilter::default()).await;
    let mut oids = Vec::new();
    for c in &all[..3] {
        oids.push(
            s.contact(&h.owner, c.id)
                .await
                .expect("c")
                .object_id
                .expect("linked"),
        );
    }
    let (a, b, c) = (oids[0].clone(), oids[1].clone(), oids[2].clone());
    let group = |name: &str, members: Vec<String>| GroupSpec {
        display_name: name.into(),
        members,
        ..GroupSpec::default()
    };
    h.microsoft()
        .add_group(&tenant, &group("Deep", vec![c.clone()]))
        .expect("deep");
    h.microsoft()
        .add_group(&tenant, &group("Sales", vec![b.clone(), "Deep".into()]))
        .expect("sales");
    let staff = h
        .microsoft()
        .add_group(&tenant, &group("Staff", vec![a.clone(), "Sales".into()]))
        .expect("staff");
    s.set_sync_settings(
        &h.owner,
        conn,
        &SyncSettings {
            scope: SyncScope::Group {
                id: staff.to_string(),
            },
            guard_percent: 100,
            ..SyncSettings::default()
        },
    )
    .await
    .expect("settings");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let run = h.sync_now(conn).await.expect("synced");
    let r = s.sync_run(&h.owner, run).await.expect("run");
    assert_eq!(r.status, "succeeded", "{r:?}");
    let in_scope = contacts(
        &h,
        ContactFilter {
            deleted_in_entra: Some(false),
            ..ContactFilter::default()
        },
    )
    .await;
    let ids: Vec<_> = in_scope.iter().map(|c| c.id).collect();
    assert_eq!(in_scope.len(), 2, "{in_scope:?}");
    assert!(ids.contains(&all[0].id) && ids.contains(&all[1].id));
    let sales = in_scope.iter().find(|c| c.id == all[1].id).expect("b");
    assert_eq!(sales.groups, vec!["Sales"]);
    assert!(
        in_scope
            .iter()
            .find(|c| c.id == all[0].id)
            .expect("a")
            .groups
            .is_empty()
    );
    // Out of scope (C is only in a nested subgroup): flagged, never deleted.
    assert_eq!(
        contacts(&h, ContactFilter::default()).await.len(),
        all.len()
    );
    assert_eq!(
        contacts(
            &h,
            ContactFilter {
                group: Some("Sales".into()),
                ..ContactFilter::default()
            }
        )
        .await
        .len(),
        1
    );

    // A group that no longer exists fails the run with words, and changes nothing.
    s.set_sync_settings(
        &h.owner,
        conn,
        &SyncSettings {
            scope: SyncScope::Group {
                id: "00000000-0000-4000-8000-000000000001".into(),
            },
            ..SyncSettings::default()
        },
    )
    .await
    .expect("settings");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let run = h.sync_now(conn).await.expect("recorded");
    let r = s.sync_run(&h.owner, run).await.expect("run");
    assert_eq!(r.status, "failed");
    assert!(r.error.expect("error").cause.contains("does not exist"));
}

#[tokio::test]
async fn a_preview_writes_nothing_shows_the_plan_and_can_be_applied_as_shown() {
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;
    h.sync_now(conn).await.expect("first sync");
    let someone = contacts(&h, ContactFilter::default()).await.remove(0);
    let object_id = s
        .contact(&h.owner, someone.id)
        .await
        .expect("c")
        .object_id
        .expect("linked");
    h.microsoft()
        .update_user(
            &tenant,
            &object_id,
            &serde_json::json!({ "display_name": "Previewed Name" }),
        )
        .expect("renamed");
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let preview = h.preview_sync(conn).await.expect("previewed");
    let run = s.sync_run(&h.owner, preview).await.expect("run");
    assert!(run.preview);
    assert_eq!(run.status, "held");
    assert!(
        run.held_because
            .as_deref()
            .is_some_and(|w| w.contains("preview")),
        "{run:?}"
    );
    assert_eq!(run.planned.len(), 1, "{:?}", run.planned);
    assert_eq!(run.planned[0].contact, Some(someone.id));
    assert!(
        run.planned[0].what.contains("“Previewed Name”"),
        "{:?}",
        run.planned
    );
    assert_ne!(
        s.contact(&h.owner, someone.id)
            .await
            .expect("c")
            .contact
            .display_name,
        "Previewed Name"
    );
    // A preview does not block a real run, and once the contacts changed it no longer applies.
    h.clock.advance(jiff::SignedDuration::from_mins(5));
    let second = h.preview_sync(conn).await.expect("previewed again");
    s.confirm_run(&h.owner, second)
        .await
        .expect("applied as shown");
    assert_eq!(
        s.contact(&h.owner, someone.id)
            .await
            .expect("c")
            .contact
            .display_name,
        "Previewed Name"
    );
    assert!(
        matches!(
            s.confirm_run(&h.owner, preview).await,
            Err(CoreError::Conflict(_))
        ),
        "stale"
    );
}

/// Sync now on `conn`; the counts of the run, which must have succeeded.
async fn synced_counts(h: &Harness, conn: ConnectionId) -> roster_core::sync::engine::RunCounts {
    let run = h.sync_now(conn).await.expect("synced");
    let r = h.services.sync_run(&h.owner, run).await.expect("run");
    assert_eq!(r.status, "succeeded", "{r:?}");
    r.counts.expect("counts")
}

#[tokio::test]
async fn later_runs_list_only_the_changes_and_every_user_again_daily_or_when_the_link_expired() {
    use roster_core::sync::engine::ListingMode;
    let h = Harness::start().await;
    let conn = connected(&h).await;
    let tenant = h.customer(0).tenant_id;
    let first = synced_counts(&h, conn).await;
    assert_eq!(first.listing, Some(ListingMode::Full));
    let all = contacts(&h, ContactFilter::default()).await;

    // A new user and a disabled one: the next run reads just those two.
    h.microsoft()
        .add_user(
            &tenant,
            &roster_graph_emulator::UserSpec {
                display_name: "Nova Newcomer".into(),
                given_name: Some("Nova".into()),
                surname: Some("Newcomer".into()),
                mail: Some(format!("nova@{}", h.customer(0).domain)),
                ..Default::default()
            },
        )
        .expect("added");
    let enabled = all
        .iter()
        .find(|c| !c.disabled)
        .expect("an enabled contact");
    let disabled_before = all.iter().filter(|c| c.disabled).count();
    change_user(
        &h,
        &tenant,
        enabled.id,
        serde_json::json!({ "account_enabled": false }),
    )
    .await;
    h.clock.advance(jiff::SignedDuration::from_hours(1));
    let delta = synced_counts(&h, conn).await;
    assert_eq!(delta.listing, Some(ListingMode::Delta));
    assert_eq!(delta.listed, 2, "{delta:?}");
    assert_eq!((delta.counts.created, delta.counts.updated), (1, 1));
    let flagged = contacts(
        &h,
        ContactFilter {
            disabled: Some(true),
            ..ContactFilter::default()
        },
    )
    .await;
    assert_eq!(flagged.len(), disabled_before + 1);
    assert!(flagged.iter().any(|c| c.id == enabled.id));
    assert!(
        contacts(&h, ContactFilter::default())
            .await
            .iter()
            .any(|c| c.display_name == "Nova Newcomer")
    );

    // A day after the last full listing, every user is listed again (nothing changes).
    h.clock.advance(jiff::SignedDuration::from_hours(24));
    let daily = synced_counts(&h, conn).await;
    assert_eq!(daily.listing, Some(ListingMode::Full));
    assert_eq!(daily.counts.unchanged, all.len() + 1);
    assert_eq!(
        (
            daily.counts.created,
            daily.counts.updated,
            daily.counts.flagged
        ),
        (0, 0, 0)
    );

    // Microsoft forgets delta links after a while: the run lists every user instead of failing.
    let mut settings = h.microsoft().settings();
    settings.delta_token_lifetime_seconds = 60;
    h.microsoft().set_settings(settings);
    h.clock.advance(jiff::SignedDuration::from_mins(10));
    let expired = synced_counts(&h, conn).await;
    assert_eq!(expired.listing, Some(ListingMode::FullAfterExpiredLink));
    assert_eq!(expired.counts.unchanged, all.len() + 1);
}

#[tokio::test]
async fn a_preview_applies_only_the_lines_a_person_ticks() {
    let h = Harness::start().await;
    let s = &h.services;
    let conn = connected(&h).await;
    let preview = h.preview_sync(conn).await.expect("previewed");
    let run = s.sync_run(&h.owner, preview).await.expect("run");
    assert_eq!(run.status, "held");
    let new: Vec<&roster_core::contacts::PlannedLine> = run
        .planned
        .iter()
        .filter(|l| l.what == "New contact")
        .collect();
    assert!(new.len() > 2);
    let picked: Vec<String> = new[..2]
        .iter()
        .map(|l| l.object_id.clone().expect("a user"))
        .collect();
    // Nothing ticked: refused, nothing written.
    assert!(matches!(
        s.apply_picked(&h.owner, preview, &[]).await,
        Err(CoreError::Conflict(_))
    ));
    assert_eq!(
        s.apply_picked(&h.owner, preview, &picked)
            .await
            .expect("applied"),
        2
    );
    let all = contacts(&h, ContactFilter::default()).await;
    let mut names: Vec<String> = all.iter().map(|c| c.display_name.clone()).collect();
    names.sort();
    let mut expected: Vec<String> = new[..2].iter().map(|l| l.who.clone()).collect();
    expected.sort();
    assert_eq!(names, expected);
    let done = s.sync_run(&h.owner, preview).await.expect("run");
    assert_eq!(done.status, "succeeded");
    assert_eq!(done.counts.expect("counts").counts.created, 2);
    // Applied once: the run waits for nothing any more.
    assert!(matches!(
        s.apply_picked(&h.owner, preview, &picked).await,
        Err(CoreError::Conflict(_))
    ));
}
