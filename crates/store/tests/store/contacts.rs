//! Contacts in the store: whole rows with provenance and groups written in batches, the list's
//! search and filters, and sync runs (one waiting or running per connection).

use crate::databases;
use roster_store::{
    ContactFilter, ContactRow, OrganizationFields, PageRequest, StoreError, SyncRunRow,
    fold_sort_key,
};
use uuid::Uuid;

fn row(org: Uuid, n: usize, name: &str, email: Option<&str>) -> ContactRow {
    let mut values: [Option<String>; 15] = Default::default();
    values[0] = Some(name.to_owned());
    values[3] = email.map(str::to_owned);
    values[7] = Some(format!("+1 555 01{n:02}"));
    ContactRow {
        id: Uuid::new_v4(),
        organization_id: org,
        tenant_id: Some("t".into()),
        object_id: Some(format!("obj-{n}")),
        values,
        upn: None,
        sort_key: fold_sort_key(name),
        email_key: email.map(str::to_lowercase),
        deleted_in_entra: n.is_multiple_of(10),
        disabled: false,
        conflicts: i32::from(n.is_multiple_of(7)),
        synced_fields: 0b1001,
        field_notes: None,
        created_at: 1,
        updated_at: 1,
        groups: if n.is_multiple_of(3) {
            vec!["Sales".into()]
        } else {
            vec![]
        },
    }
}

#[tokio::test]
async fn contacts_are_written_in_batches_and_read_back_whole() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let org = crate::once::create_organization(
            &s,
            &OrganizationFields {
                name: "Contoso".into(),
                ..OrganizationFields::default()
            },
            1,
        )
        .await
        .unwrap()
        .as_uuid();
        // More rows than one statement carries on either engine.
        let rows: Vec<ContactRow> = (0..620)
            .map(|n| {
                row(
                    org,
                    n,
                    &format!("Person {n:04}"),
                    Some(&format!("P{n}@Contoso.com")),
                )
            })
            .collect();
        let mut unit = s.begin().await.unwrap();
        unit.write_contacts(&rows).await.unwrap();
        unit.commit().await.unwrap();
        let mut read = s.contacts_of_organization(org).await.unwrap();
        assert_eq!(read.len(), 620, "{:?}", db.backend());
        read.sort_by_key(|r| r.sort_key.clone());
        assert_eq!(read[0].values, rows[0].values);
        assert_eq!(read[0].synced_fields, 0b1001);
        assert_eq!(read[0].groups, vec!["Sales"]);
        // Rewriting a contact replaces its row, provenance and groups.
        let mut changed = read[0].clone();
        changed.values[4] = Some("CFO".into());
        changed.groups = vec![];
        changed.field_notes = Some(r#"{"job_title":{"by_hand":true}}"#.into());
        let mut unit = s.begin().await.unwrap();
        unit.write_contacts(std::slice::from_ref(&changed))
            .await
            .unwrap();
        unit.commit().await.unwrap();
        let again = s.contact(changed.id).await.unwrap();
        assert_eq!(again.values[4].as_deref(), Some("CFO"));
        assert!(again.groups.is_empty());
        assert_eq!(again.field_notes, changed.field_notes);

        // Search and filters.
        let page = |f: ContactFilter| async move {
            s.contacts_page(&f, &PageRequest::first(1000))
                .await
                .unwrap()
                .items
        };
        let by_prefix = page(ContactFilter {
            search: Some("person 001".into()),
            ..ContactFilter::default()
        })
        .await;
        assert_eq!(by_prefix.len(), 10, "Person 0010 … 0019");
        let by_email = page(ContactFilter {
            search: Some("p617@".into()),
            ..ContactFilter::default()
        })
        .await;
        assert_eq!(by_email.len(), 1);
        let by_phone = page(ContactFilter {
            search: Some("555-0142".into()),
            ..ContactFilter::default()
        })
        .await;
        assert!(
            by_phone
                .iter()
                .any(|c| c.values[0].as_deref() == Some("Person 0042"))
        );
        let deleted = page(ContactFilter {
            deleted_in_entra: Some(true),
            ..ContactFilter::default()
        })
        .await;
        assert_eq!(deleted.len(), 62);
        let sales = page(ContactFilter {
            group: Some("Sales".into()),
            ..ContactFilter::default()
        })
        .await;
        assert_eq!(sales.len(), 206, "every third, less the one moved out");
        let conflicts = page(ContactFilter {
            with_conflicts: true,
            ..ContactFilter::default()
        })
        .await;
        assert_eq!(conflicts.len(), 89);

        // Pages walk the whole list in order.
        let mut req = PageRequest::first(250);
        let mut seen = 0;
        let mut last = String::new();
        loop {
            let p = s
                .contacts_page(&ContactFilter::default(), &req)
                .await
                .unwrap();
            for c in &p.items {
                assert!(c.sort_key > last);
                last = c.sort_key.clone();
            }
            seen += p.items.len();
            match p.next {
                Some(c) => req = PageRequest::after(Some(c), 250),
                None => break,
            }
        }
        assert_eq!(seen, 620);

        // Sorted by last change, newest first: give every contact its own time (some share one),
        // then walk the pages.
        let mut timed = s.contacts_of_organization(org).await.unwrap();
        for (i, c) in timed.iter_mut().enumerate() {
            c.updated_at = 1_000 + (i as i64 * 7919) % 400;
        }
        let mut unit = s.begin().await.unwrap();
        unit.write_contacts(&timed).await.unwrap();
        unit.commit().await.unwrap();
        let by_change = ContactFilter {
            sort: roster_store::ContactSort::RecentlyChanged,
            ..ContactFilter::default()
        };
        let mut req = PageRequest::first(150);
        let mut walked: Vec<(i64, Uuid)> = Vec::new();
        loop {
            let p = s.contacts_page(&by_change, &req).await.unwrap();
            walked.extend(p.items.iter().map(|c| (c.updated_at, c.id)));
            match p.next {
                Some(c) => req = PageRequest::after(Some(c), 150),
                None => break,
            }
        }
        let mut expected: Vec<(i64, Uuid)> = timed.iter().map(|c| (c.updated_at, c.id)).collect();
        expected.sort_by(|a, b| b.cmp(a));
        assert_eq!(walked, expected, "{:?}", db.backend());

        // A write from what was read at time 5,000 leaves alone a contact changed after it.
        let mut fresh = s.contacts_of_organization(org).await.unwrap();
        fresh.truncate(3);
        let mut edited = fresh[1].clone();
        edited.updated_at = 6_000;
        edited.values[4] = Some("Edited by hand".into());
        let mut unit = s.begin().await.unwrap();
        unit.write_contacts(std::slice::from_ref(&edited))
            .await
            .unwrap();
        unit.commit().await.unwrap();
        for c in &mut fresh {
            c.values[4] = Some("From the sync".into());
            c.updated_at = 7_000;
        }
        let mut unit = s.begin().await.unwrap();
        let left = unit
            .write_contacts_read_at(&fresh, Some(5_000))
            .await
            .unwrap();
        unit.commit().await.unwrap();
        assert_eq!(left, vec![edited.id]);
        assert_eq!(
            s.contact(edited.id).await.unwrap().values[4].as_deref(),
            Some("Edited by hand")
        );
        assert_eq!(
            s.contact(fresh[0].id).await.unwrap().values[4].as_deref(),
            Some("From the sync")
        );

        // Another workspace can neither read nor overwrite these contacts.
        let b = db
            .create_workspace_with_owner("B", "b@b.test", "B", "h", 1, false)
            .await
            .unwrap();
        let sb = b.scope(db);
        assert!(matches!(
            sb.contact(changed.id).await,
            Err(StoreError::NotFound)
        ));
        let mut unit = sb.begin().await.unwrap();
        assert!(
            unit.write_contacts(std::slice::from_ref(&changed))
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn a_connection_has_one_run_waiting_or_running_at_a_time() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let conn = crate::once::connection(&s).await;
        let run = |status: &str, at: i64| SyncRunRow {
            id: Uuid::new_v4(),
            connection_id: conn,
            trigger: "manual".into(),
            requested_by: "a@a.test".into(),
            preview: false,
            status: status.into(),
            queued_at: at,
            started_at: None,
            finished_at: None,
            counts: None,
            plan: None,
            error: None,
            attempts: 0,
            progress: None,
        };
        let first = run("queued", 1);
        let mut unit = s.begin().await.unwrap();
        assert!(unit.insert_run(&first).await.unwrap());
        unit.commit().await.unwrap();
        let mut unit = s.begin().await.unwrap();
        assert!(
            !unit.insert_run(&run("queued", 2)).await.unwrap(),
            "a second run of the connection is not queued while one waits"
        );
        unit.commit().await.unwrap();
        assert_eq!(s.active_run(conn).await.unwrap(), Some(first.id));
        // Once it is done, the next may queue; a status change is conditional on the status read.
        let mut done = first.clone();
        done.status = "succeeded".into();
        let mut unit = s.begin().await.unwrap();
        assert!(unit.update_run(&done, "queued").await.unwrap());
        assert!(
            !unit.update_run(&done, "queued").await.unwrap(),
            "already moved on"
        );
        assert!(unit.insert_run(&run("queued", 3)).await.unwrap());
        unit.commit().await.unwrap();
        let page = s
            .runs_page(Some(conn), &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[1].status, "succeeded", "newest first");
    }
}
