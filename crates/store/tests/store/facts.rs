//! Entra users' overlays: a write carries some sources and leaves the others as they were;
//! another workspace sees none of them.

use crate::databases;
use roster_store::{FactSources, UserFactsRow};

fn row(object: &str, at: i64) -> UserFactsRow {
    UserFactsRow {
        tenant_id: "tenant-1".into(),
        object_id: object.into(),
        directory_at: Some(at),
        account_enabled: Some(true),
        licences: Some(r#"["sku-a"]"#.into()),
        licensed: Some(true),
        mfa_at: Some(at),
        mfa: Some("registered".into()),
        mailbox_at: Some(at),
        mailbox: Some(r#"{"used_bytes":5}"#.into()),
        ..UserFactsRow::default()
    }
}

#[tokio::test]
async fn a_source_not_read_keeps_its_earlier_values_and_other_workspaces_see_nothing() {
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
        let s = a.scope(db);
        // More rows than one statement carries on either engine.
        let first: Vec<UserFactsRow> = (0..1200).map(|i| row(&format!("u{i:04}"), 10)).collect();
        let mut unit = s.begin().await.unwrap();
        unit.write_user_facts(&first, FactSources::all())
            .await
            .unwrap();
        unit.commit().await.unwrap();

        // A later run read the directory but not MFA or the mailbox report.
        let mut later = row("u0001", 20);
        later.account_enabled = Some(false);
        later.mfa = None;
        later.mfa_at = None;
        later.mailbox = None;
        later.mailbox_at = None;
        let mut unit = s.begin().await.unwrap();
        unit.write_user_facts(
            &[later],
            FactSources {
                directory: true,
                ..FactSources::default()
            },
        )
        .await
        .unwrap();
        unit.commit().await.unwrap();

        let key = |o: &str| ("tenant-1".to_owned(), o.to_owned());
        let got = s
            .user_facts(&[key("u0001"), key("u1199"), key("missing")])
            .await
            .unwrap();
        assert_eq!(got.len(), 2);
        let one = got.iter().find(|r| r.object_id == "u0001").unwrap();
        assert_eq!(
            one.account_enabled,
            Some(false),
            "the directory was rewritten"
        );
        assert_eq!(one.directory_at, Some(20));
        assert_eq!(one.mfa.as_deref(), Some("registered"), "MFA kept");
        assert_eq!(one.mfa_at, Some(10));
        assert_eq!(one.mailbox_at, Some(10), "the mailbox kept");
        assert!(
            b.scope(db)
                .user_facts(&[key("u0001")])
                .await
                .unwrap()
                .is_empty()
        );
    }
}

fn snapshot(connection_id: uuid::Uuid, at: i64, members: i64) -> roster_store::SnapshotRow {
    roster_store::SnapshotRow {
        id: uuid::Uuid::new_v4(),
        connection_id,
        run_id: None,
        taken_at: at,
        score_current: None,
        score_max: None,
        members: Some(members),
        licensed_users: None,
        active_users: None,
        active_source: None,
        mfa_registered: None,
        mfa_not_registered: None,
        mfa_unknown: None,
        unassigned_units: None,
        details: "{}".into(),
    }
}

#[tokio::test]
async fn the_snapshot_written_last_is_the_newest_even_within_one_millisecond() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let conn = crate::once::connection(&s).await;
        for members in [1, 2, 3] {
            let mut unit = s.begin().await.unwrap();
            unit.insert_snapshot(&snapshot(conn, 500, members))
                .await
                .unwrap();
            unit.commit().await.unwrap();
        }
        let newest: Vec<(Option<i64>, i64)> = s
            .snapshots(conn, 10)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.members, r.taken_at))
            .collect();
        assert_eq!(newest, vec![(Some(3), 502), (Some(2), 501), (Some(1), 500)]);
        let latest = s.latest_snapshots().await.unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].members, Some(3));
        // A clock that moved on is taken as it is.
        let mut unit = s.begin().await.unwrap();
        unit.insert_snapshot(&snapshot(conn, 9_000, 4))
            .await
            .unwrap();
        unit.commit().await.unwrap();
        assert_eq!(s.snapshots(conn, 1).await.unwrap()[0].taken_at, 9_000);
    }
}
