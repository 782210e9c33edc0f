//! Organizations in the store: evidence (tenant ID, primary domain) is unique per workspace.

use crate::databases;
use roster_store::{OrganizationFields, StoreError};

fn org(name: &str, tenant: Option<&str>, domain: Option<&str>) -> OrganizationFields {
    OrganizationFields {
        name: name.into(),
        primary_domain: domain.map(str::to_owned),
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
            assert_eq!(claims[0].id, first);
            assert_eq!(claims[0].same_tenant_id, dup.tenant_id.is_some());
            assert_eq!(claims[0].same_primary_domain, dup.primary_domain.is_some());
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
