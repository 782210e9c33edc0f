//! Accounts in the store: creation, uniqueness, sessions, throttling and workspace scoping.

use crate::databases;
use roster_domain::Role;
use roster_store::{NewSession, SessionWorkspace, StoreError, ThrottleState};

#[tokio::test]
async fn setup_refuses_a_second_first_workspace() {
    for db in databases().await {
        let db = &db.db;
        db.create_workspace_with_owner("A", "a@a.test", "A", "h", 1, true)
            .await
            .unwrap();
        let second = db
            .create_workspace_with_owner("B", "b@b.test", "B", "h", 2, true)
            .await;
        assert!(
            matches!(second, Err(StoreError::Conflict)),
            "{:?}",
            db.backend()
        );
        assert_eq!(db.workspace_count().await.unwrap(), 1);
        assert!(
            db.login_user("b@b.test").await.unwrap().is_none(),
            "nothing half-written"
        );
    }
}

#[tokio::test]
async fn a_scope_never_reaches_another_workspaces_members() {
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
        let sa = a.scope(db);
        let members_a = sa.members().await.unwrap();
        assert_eq!(members_a.len(), 1);
        assert_eq!(members_a[0].email, "a@a.test");
        // B's member id through A's scope: not found, and no change made.
        assert!(matches!(
            sa.member(b.member_id()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            crate::once::set_role(&sa, b.member_id(), Role::Viewer).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            crate::once::set_disabled(&sa, b.member_id(), true).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            crate::once::end_sessions_of(&sa, b.member_id()).await,
            Err(StoreError::NotFound)
        ));
        let still = db.memberships(b.user_id()).await.unwrap();
        assert_eq!(still.len(), 1);
        assert_eq!(still[0].role, Role::Owner);
        // The audit logs are separate too.
        assert!(sa.audit_log(10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_last_enabled_owner_who_can_sign_in_keeps_the_role() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        assert!(
            !crate::once::set_role(&s, a.member_id(), Role::Admin)
                .await
                .unwrap()
        );
        assert!(
            !crate::once::set_disabled(&s, a.member_id(), true)
                .await
                .unwrap()
        );
        let second = crate::once::add_member(&s, "o2@a.test", "O2", Role::Owner, 2)
            .await
            .unwrap();
        // An owner who has never set a password cannot sign in, so does not count.
        assert!(
            !crate::once::set_role(&s, a.member_id(), Role::Admin)
                .await
                .unwrap()
        );
        assert!(
            !crate::once::set_disabled(&s, a.member_id(), true)
                .await
                .unwrap()
        );
        // ...and may itself be disabled or demoted while the first owner remains.
        assert!(
            crate::once::set_disabled(&s, second.member_id(), true)
                .await
                .unwrap()
        );
        assert!(
            crate::once::set_disabled(&s, second.member_id(), false)
                .await
                .unwrap()
        );
        db.set_password_hash(roster_domain::UserId::from_uuid(second.user_id), "h2")
            .await
            .unwrap();
        assert!(
            crate::once::set_role(&s, a.member_id(), Role::Admin)
                .await
                .unwrap()
        );
        // Now the second owner is the last one.
        assert!(
            !crate::once::set_disabled(&s, second.member_id(), true)
                .await
                .unwrap()
        );
        assert!(
            !crate::once::set_role(&s, second.member_id(), Role::Viewer)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn duplicate_emails_are_a_conflict() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let r = crate::once::add_member(&a.scope(db), "a@a.test", "Again", Role::Viewer, 2).await;
        assert!(matches!(r, Err(StoreError::Conflict)), "{:?}", db.backend());
        assert_eq!(a.scope(db).members().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_session_acts_only_in_a_workspace_its_login_belongs_to() {
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
        let r = db
            .create_session(&NewSession {
                id_hash: "h".into(),
                user_id: a.user_id(),
                workspace: SessionWorkspace::Of(b.workspace_id()),
                csrf_token: "c".into(),
                now_ms: 10,
                expires_ms: 100,
            })
            .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{:?}", db.backend());
        assert!(
            db.session("h").await.unwrap().is_none(),
            "no session stored"
        );
    }
}

#[tokio::test]
async fn a_workspace_begun_but_not_committed_leaves_nothing() {
    for db in databases().await {
        let db = &db.db;
        let (unit, p) = db
            .begin_workspace("A", "a@a.test", "A", "h", 1, true)
            .await
            .unwrap();
        assert_eq!(p.role(), Role::Owner);
        drop(unit);
        assert_eq!(db.workspace_count().await.unwrap(), 0);
        assert!(db.login_user("a@a.test").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn sessions_are_stored_by_hash_and_deleted() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let acting = db
            .create_session(&NewSession {
                id_hash: "hash1".into(),
                user_id: a.user_id(),
                workspace: SessionWorkspace::Oldest,
                csrf_token: "c".into(),
                now_ms: 10,
                expires_ms: 100,
            })
            .await
            .unwrap();
        assert_eq!(acting.as_ref(), Some(&a));
        assert_eq!(
            db.session_principals("hash1").await.unwrap(),
            vec![a.clone()]
        );
        assert!(
            db.session_principals("no such hash")
                .await
                .unwrap()
                .is_empty()
        );
        let s = db.session("hash1").await.unwrap().unwrap();
        assert_eq!((s.created_at, s.last_seen_at, s.expires_at), (10, 10, 100));
        db.touch_session("hash1", 50).await.unwrap();
        assert_eq!(db.session("hash1").await.unwrap().unwrap().last_seen_at, 50);
        assert_eq!(db.purge_sessions(60, 1000).await.unwrap(), 0);
        assert_eq!(db.purge_sessions(100, 1000).await.unwrap(), 1);
        assert!(db.session("hash1").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn throttle_state_is_upserted_and_cleared() {
    for db in databases().await {
        let db = &db.db;
        assert_eq!(db.throttle("k").await.unwrap().failures, 0);
        db.set_throttle(
            "k",
            &ThrottleState {
                failures: 1,
                window_start: 5,
                locked_until: 0,
            },
        )
        .await
        .unwrap();
        db.set_throttle(
            "k",
            &ThrottleState {
                failures: 2,
                window_start: 5,
                locked_until: 9,
            },
        )
        .await
        .unwrap();
        let t = db.throttle("k").await.unwrap();
        assert_eq!((t.failures, t.locked_until), (2, 9));
        db.clear_throttle("k").await.unwrap();
        assert_eq!(db.throttle("k").await.unwrap().failures, 0);
    }
}

#[tokio::test]
async fn a_password_link_is_redeemed_once_and_only_before_it_expires() {
    for db in databases().await {
        let db = &db.db;
        let a = db
            .create_workspace_with_owner("A", "a@a.test", "A", "h", 1, false)
            .await
            .unwrap();
        let s = a.scope(db);
        let m = crate::once::add_member(&s, "n@a.test", "N", Role::Viewer, 1)
            .await
            .unwrap();
        crate::once::create_password_link(&s, m.member_id(), "tok", 1, 100)
            .await
            .unwrap();
        crate::once::create_password_link(&s, m.member_id(), "old", 1, 50)
            .await
            .unwrap();
        assert!(
            !db.redeem_password_link("old", "h2", 60).await.unwrap(),
            "expired"
        );
        assert!(db.redeem_password_link("tok", "h2", 60).await.unwrap());
        assert!(
            !db.redeem_password_link("tok", "h3", 61).await.unwrap(),
            "used"
        );
        assert_eq!(
            db.login_user("n@a.test")
                .await
                .unwrap()
                .unwrap()
                .password_hash
                .as_deref(),
            Some("h2")
        );
    }
}

#[tokio::test]
async fn concurrent_sign_in_attempts_are_all_counted() {
    for db in databases().await {
        let db = &db.db;
        let hits = (0..10).map(|_| db.throttle_hit("account:x", 1_000, 900_000, 5));
        let states = futures::future::join_all(hits).await;
        assert!(states.iter().all(|s| s.is_ok()), "{:?}", db.backend());
        let t = db.throttle("account:x").await.unwrap();
        assert_eq!(t.failures, 10, "{:?}", db.backend());
        assert_eq!(t.locked_until, 1_000 + 900_000);
        // A new window starts afresh.
        let later = db
            .throttle_hit("account:x", 1_000 + 900_001, 900_000, 5)
            .await
            .unwrap();
        assert_eq!(later.failures, 1);
        db.throttle_release("account:x", 5).await.unwrap();
        assert_eq!(db.throttle("account:x").await.unwrap().failures, 0);
    }
}
