//! Migrations on a database that already holds data: nothing is lost on the way up.

use roster_domain::UserId;
use roster_store::{Db, NewSession, SessionWorkspace};
use roster_testkit::{TestDb, postgres_url};
use std::borrow::Cow;
use uuid::Uuid;

/// Applies this dialect's migrations up to and including `version`.
async fn migrate_to(db: &Db, version: i64) {
    let dir = match db {
        Db::Sqlite(_) => "sqlite",
        Db::Postgres(_) => "postgres",
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(dir);
    let all = sqlx::migrate::Migrator::new(path)
        .await
        .expect("migrations");
    let some = sqlx::migrate::Migrator {
        migrations: Cow::Owned(
            all.iter()
                .filter(|m| m.version <= version)
                .cloned()
                .collect(),
        ),
        ..all
    };
    match db {
        Db::Sqlite(pool) => some.run(pool).await.expect("migrate"),
        Db::Postgres(pool) => some.run(pool).await.expect("migrate"),
    }
}

async fn unmigrated() -> Vec<TestDb> {
    let mut out = vec![TestDb::sqlite_unmigrated().await.expect("sqlite")];
    if let Some(url) = postgres_url() {
        out.push(TestDb::postgres_unmigrated(&url).await.expect("postgres"));
    }
    out
}

#[tokio::test]
async fn domains_kept_as_json_arrays_become_rows_in_their_order() {
    for t in unmigrated().await {
        let db = &t.db;
        migrate_to(db, 6).await;
        let (ws, user, member, org, conn) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let statements: [(&str, Vec<Uuid>); 4] = [
            (
                "INSERT INTO workspaces (id, name, created_at) VALUES ($1, 'W', 1)",
                vec![ws],
            ),
            (
                "INSERT INTO users (id, email, name, password_hash, is_server_admin, created_at) \
                 VALUES ($1, 'o@w.test', 'O', 'h', FALSE, 1)",
                vec![user],
            ),
            (
                "INSERT INTO members (id, workspace_id, user_id, role, disabled, created_at) \
                 VALUES ($1, $2, $3, 'owner', FALSE, 1)",
                vec![member, ws, user],
            ),
            (
                "INSERT INTO organizations (id, workspace_id, name, name_key, primary_domain, domains, website, notes, tenant_id, created_at, updated_at) \
                 VALUES ($1, $2, 'Contoso', 'contoso', 'contoso.com', '[\"contoso.com\",\"contoso.co.uk\",\"xn--bcher-kva.de\"]', NULL, '', NULL, 1, 1)",
                vec![org, ws],
            ),
        ];
        let connection = "INSERT INTO tenant_connections (id, workspace_id, organization_id, tenant, tenant_id, client_id, \
             secret_key_id, secret_blob, secret_expires_on, display_name, verified_domains, status, status_detail, \
             last_check_at, last_check, created_at, updated_at) \
             VALUES ($1, $2, $3, 'contoso.com', 't', 'c', 'k', $4, NULL, 'Contoso', '[\"contoso.onmicrosoft.com\",\"contoso.com\"]', 'ok', NULL, NULL, NULL, 1, 1)";
        match db {
            Db::Sqlite(pool) => {
                for (sql, binds) in &statements {
                    let mut q = sqlx::query(sql);
                    for b in binds {
                        q = q.bind(*b);
                    }
                    q.execute(pool).await.expect("insert");
                }
                sqlx::query(connection)
                    .bind(conn)
                    .bind(ws)
                    .bind(org)
                    .bind(vec![1u8, 2, 3])
                    .execute(pool)
                    .await
                    .expect("connection");
            }
            Db::Postgres(pool) => {
                for (sql, binds) in &statements {
                    let mut q = sqlx::query(sql);
                    for b in binds {
                        q = q.bind(*b);
                    }
                    q.execute(pool).await.expect("insert");
                }
                sqlx::query(connection)
                    .bind(conn)
                    .bind(ws)
                    .bind(org)
                    .bind(vec![1u8, 2, 3])
                    .execute(pool)
                    .await
                    .expect("connection");
            }
        }

        db.migrate().await.expect("the rest of the migrations");

        let principal = db
            .create_session(&NewSession {
                id_hash: "s".into(),
                user_id: UserId::from_uuid(user),
                workspace: SessionWorkspace::Oldest,
                csrf_token: "c".into(),
                now_ms: 1,
                expires_ms: 10,
            })
            .await
            .expect("session")
            .expect("a workspace");
        let scope = principal.scope(db);
        let orgs = scope.organizations().await.expect("organizations");
        assert_eq!(orgs.len(), 1, "{:?}", db.backend());
        assert_eq!(
            orgs[0].domains,
            vec!["contoso.com", "contoso.co.uk", "xn--bcher-kva.de"],
            "{:?}",
            db.backend()
        );
        assert_eq!(orgs[0].primary_domain(), Some("contoso.com"));
        let conns = scope.connections().await.expect("connections");
        assert_eq!(
            conns[0].verified_domains,
            vec!["contoso.onmicrosoft.com", "contoso.com"]
        );
    }
}
