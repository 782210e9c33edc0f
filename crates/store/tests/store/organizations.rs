//! Organizations in the store: evidence (tenant ID, primary domain) is unique per workspace.

use crate::databases;
use roster_store::{OrganizationFields, StoreError};

fn org(name: &str, tenant: Option<&str>, domain: Option<&str>) -> OrganizationFields {
    OrganizationFields {
        name: name.into(),
        domains: domain.map(str::to_owned).into_iter().collect(),
        tenant_id: tenant.map(str::to_owned),
        ..OrganizationFields::default()
    }
}

#[tokio::test]
async fn the_database_refuses_a_second_organization_with_the_same_evidence() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let t = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let first = crate::once::create_organization(&s, &org("One", Some(t), Some("one.com")), 1)
            .await
            .unwrap();
        for dup in [org("Two", Some(t), None), org("Two", None, Some("one.com"))] {
            let r = crate::once::create_organization(&s, &dup, 2).await;
            assert!(matches!(r, Err(StoreError::Conflict)), "{:?}", db.backend());
            let claims = s.organizations_claiming(&dup, None).await.unwrap();
            assert_eq!(claims.len(), 1);
            assert_eq!(claims[0].id, first.as_uuid());
            assert_eq!(claims[0].same_tenant_id, dup.tenant_id.is_some());
            assert_eq!(claims[0].same_primary_domain, !dup.domains.is_empty());
            assert!(!claims[0].same_name);
        }
        // Organizations without evidence do not collide, and an organization does not claim
        // against itself.
        crate::once::create_organization(&s, &org("Two", None, None), 3)
            .await
            .unwrap();
        crate::once::create_organization(&s, &org("Three", None, None), 3)
            .await
            .unwrap();
        assert!(
            s.organizations_claiming(&org("One", Some(t), Some("one.com")), Some(first))
                .await
                .unwrap()
                .is_empty()
        );
        // Another workspace may record the same tenant.
        let b = db
            .create_workspace_with_owner("B", "b@b.test", "B", "h", 4, false)
            .await
            .unwrap();
        crate::once::create_organization(&b.scope(db), &org("One", Some(t), Some("one.com")), 5)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn domains_are_rows_in_order_and_only_the_primary_is_exclusive() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let mut fields = org("One", None, None);
        // More domains than one statement carries on SQLite, with a repeat.
        fields.domains = (0..120).map(|i| format!("d{i}.one.com")).collect();
        fields.domains.push("d5.one.com".into());
        let one = crate::once::create_organization(&s, &fields, 1)
            .await
            .unwrap();
        let read = s.organization(one).await.unwrap();
        assert_eq!(read.domains.len(), 120, "{:?}", db.backend());
        assert_eq!(read.primary_domain(), Some("d0.one.com"));
        assert_eq!(read.domains[119], "d119.one.com");
        // Another organization may list one of One's other domains, not its primary.
        let mut two = org("Two", None, None);
        two.domains = vec!["two.com".into(), "d7.one.com".into()];
        let two_id = crate::once::create_organization(&s, &two, 2).await.unwrap();
        let r =
            crate::once::create_organization(&s, &org("Three", None, Some("d0.one.com")), 3).await;
        assert!(matches!(r, Err(StoreError::Conflict)), "{:?}", db.backend());
        // An update replaces the list.
        two.domains = vec!["two.org".into()];
        let mut unit = s.begin().await.unwrap();
        unit.update_organization(two_id, &two, 4).await.unwrap();
        unit.commit().await.unwrap();
        assert_eq!(
            s.organization(two_id).await.unwrap().domains,
            vec!["two.org"]
        );
        let all = s.organizations().await.unwrap();
        assert_eq!(all.iter().map(|o| o.domains.len()).sum::<usize>(), 121);
    }
}

#[tokio::test]
async fn pages_of_organizations_and_events_cover_every_row_once_in_order() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let mut names: Vec<String> = (0..23).map(|i| format!("Customer {i:02}")).collect();
        names.reverse();
        let mut unit = s.begin().await.unwrap();
        for (i, name) in names.iter().enumerate() {
            unit.create_organization(
                roster_domain::OrganizationId::from_uuid(uuid::Uuid::new_v4()),
                &OrganizationFields {
                    name: name.clone(),
                    domains: vec![format!("c{i}.example")],
                    ..OrganizationFields::default()
                },
                1,
            )
            .await
            .unwrap();
            // Every event at the same millisecond: the id breaks the tie.
            unit.audit(
                &a,
                roster_store::AuditEntry {
                    action: "organization.created",
                    target_type: "organization",
                    target_id: None,
                    detail: serde_json::json!({ "n": i }),
                },
                7,
            )
            .await
            .unwrap();
        }
        unit.commit().await.unwrap();

        let mut seen = Vec::new();
        let mut req = roster_store::PageRequest::first(5);
        loop {
            let page = s.organizations_page(&req).await.unwrap();
            assert!(page.items.len() <= 5);
            assert!(
                page.items.iter().all(|o| o.domains.len() == 1),
                "domains come with their page"
            );
            seen.extend(page.items.into_iter().map(|o| o.name));
            match page.next {
                Some(c) => {
                    // The cursor survives the trip through a link.
                    let c = roster_store::Cursor::decode(&c.encode()).unwrap();
                    req = roster_store::PageRequest::after(Some(c), 5);
                }
                None => break,
            }
        }
        names.sort();
        assert_eq!(seen, names, "{:?}", db.backend());

        let mut events = Vec::new();
        let mut req = roster_store::PageRequest::first(4);
        loop {
            let page = s.audit_page(&req).await.unwrap();
            events.extend(page.items.iter().map(|r| r.id));
            match page.next {
                Some(c) => req = roster_store::PageRequest::after(Some(c), 4),
                None => break,
            }
        }
        assert_eq!(events.len(), 23, "{:?}", db.backend());
        let mut sorted = events.clone();
        sorted.sort_by(|x, y| y.cmp(x));
        sorted.dedup();
        assert_eq!(events, sorted, "newest first, ties by id, no repeats");
    }
}
