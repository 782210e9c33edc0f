//! Units of work: a use-case's writes commit together or not at all, and concurrent units queue
//! instead of failing.

use crate::databases;
use roster_domain::Role;
use roster_store::{AuditEntry, OrganizationFields};

fn entry(action: &'static str) -> AuditEntry {
    AuditEntry {
        action,
        target_type: "organization",
        target_id: None,
        detail: serde_json::json!({}),
    }
}

#[tokio::test]
async fn a_unit_dropped_before_commit_leaves_nothing_behind() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        {
            let mut unit = s.begin().await.unwrap();
            unit.create_organization(
                roster_domain::OrganizationId::from_uuid(uuid::Uuid::new_v4()),
                &OrganizationFields {
                    name: "Never".into(),
                    ..OrganizationFields::default()
                },
                2,
            )
            .await
            .unwrap();
            unit.audit(&a, entry("organization.created"), 2)
                .await
                .unwrap();
            // Dropped here, as when a later step of the use-case fails.
        }
        assert!(
            s.organizations().await.unwrap().is_empty(),
            "{:?}",
            db.backend()
        );
        assert!(s.audit_log(10).await.unwrap().is_empty());

        let mut unit = s.begin().await.unwrap();
        unit.create_organization(
            roster_domain::OrganizationId::from_uuid(uuid::Uuid::new_v4()),
            &OrganizationFields {
                name: "Kept".into(),
                ..OrganizationFields::default()
            },
            3,
        )
        .await
        .unwrap();
        unit.audit(&a, entry("organization.created"), 3)
            .await
            .unwrap();
        unit.commit().await.unwrap();
        assert_eq!(s.organizations().await.unwrap().len(), 1);
        assert_eq!(s.audit_log(10).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn concurrent_units_that_read_then_write_all_commit() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let mut members = Vec::new();
        for i in 0..8 {
            members.push(
                crate::once::add_member(&s, &format!("m{i}@a.test"), "M", Role::Viewer, 2)
                    .await
                    .unwrap(),
            );
        }
        // Each unit reads the member, then updates it and writes an audit entry. On SQLite a
        // deferred transaction could fail to upgrade to a write under contention; units start
        // with the write lock and wait their turn instead.
        let results = futures::future::join_all(members.iter().map(|m| {
            let a = &a;
            async move {
                let mut unit = s.begin().await?;
                let changed = unit.set_role(m.member_id(), Role::Technician).await?;
                unit.audit(a, entry("member.role_changed"), 3).await?;
                unit.commit().await?;
                Ok::<bool, roster_store::StoreError>(changed)
            }
        }))
        .await;
        for r in &results {
            assert!(matches!(r, Ok(true)), "{:?}: {r:?}", db.backend());
        }
        let technicians = s
            .members()
            .await
            .unwrap()
            .iter()
            .filter(|m| m.role == "technician")
            .count();
        assert_eq!(technicians, 8);
        assert_eq!(s.audit_log(20).await.unwrap().len(), 8);
    }
}
