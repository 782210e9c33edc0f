//! Workspace isolation below the application: scopes never read another workspace's
//! organizations, connections or drafts, and the database refuses a reference that crosses
//! workspaces even when a write does not check it first.

use crate::databases;
use roster_domain::{DraftId, MemberId, OrganizationId};
use roster_store::{DraftFields, OrganizationFields, SealedSecret, StoreError};
use uuid::Uuid;

fn draft(member: MemberId, organization: Option<OrganizationId>) -> DraftFields {
    DraftFields {
        id: DraftId::from_uuid(Uuid::new_v4()),
        member_id: member,
        connection_id: None,
        organization_id: organization,
        tenant: "contoso.onmicrosoft.com".into(),
        client_id: "00000000-0000-0000-0000-000000000001".into(),
        secret: SealedSecret {
            key_id: "k".into(),
            blob: vec![1, 2, 3],
        },
        secret_expires_on: None,
        tenant_id: None,
        last_check: None,
        now_ms: 1,
        expires_ms: 1_000_000,
    }
}

#[tokio::test]
async fn organizations_and_drafts_of_another_workspace_are_out_of_reach() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let b = db
            .create_workspace_with_owner("B", "b@b.test", "B", "h", 1, false)
            .await
            .unwrap();
        let (sa, sb) = (a.scope(db), b.scope(db));
        let org_b = crate::once::create_organization(
            &sb,
            &OrganizationFields {
                name: "Beta's customer".into(),
                ..OrganizationFields::default()
            },
            2,
        )
        .await
        .unwrap();
        let mine = draft(b.member_id(), Some(org_b));
        let mut unit = sb.begin().await.unwrap();
        unit.save_draft(&mine).await.unwrap();
        unit.commit().await.unwrap();

        // Reads through A's scope do not find B's rows.
        assert!(matches!(
            sa.organization(org_b).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            sa.draft(mine.id, 2).await,
            Err(StoreError::NotFound)
        ));
        assert!(sa.organizations().await.unwrap().is_empty());
        assert!(sa.connections().await.unwrap().is_empty());
        assert!(sb.draft(mine.id, 2).await.is_ok());

        // A draft of A that names B's organization, or B's member, is refused by the database
        // itself (save_draft does not look first), and nothing is written.
        for bad in [
            draft(a.member_id(), Some(org_b)),
            draft(b.member_id(), None),
        ] {
            let mut unit = sa.begin().await.unwrap();
            let r = unit.save_draft(&bad).await;
            assert!(
                matches!(r, Err(StoreError::NotFound)),
                "{:?}: {r:?}",
                db.backend()
            );
            drop(unit);
            assert!(matches!(
                sa.draft(bad.id, 2).await,
                Err(StoreError::NotFound)
            ));
        }
        // A's own member and no organization is fine.
        let ok = draft(a.member_id(), None);
        let mut unit = sa.begin().await.unwrap();
        unit.save_draft(&ok).await.unwrap();
        unit.commit().await.unwrap();
        assert!(sa.draft(ok.id, 2).await.is_ok());
    }
}
