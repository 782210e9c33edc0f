//! Every column type Roster binds or decodes survives a round trip on every engine.

use crate::databases;
use roster_store::Db;
use uuid::Uuid;

const CREATE_SQLITE: &str = "CREATE TABLE probe (id BLOB PRIMARY KEY, t TEXT, n BIGINT, b BOOLEAN, f DOUBLE PRECISION, bytes BLOB, maybe_id BLOB, maybe_t TEXT, maybe_n BIGINT)";
const CREATE_POSTGRES: &str = "CREATE TABLE probe (id UUID PRIMARY KEY, t TEXT, n BIGINT, b BOOLEAN, f DOUBLE PRECISION, bytes BYTEA, maybe_id UUID, maybe_t TEXT, maybe_n BIGINT)";

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Probe {
    id: Uuid,
    t: String,
    n: i64,
    b: bool,
    f: f64,
    bytes: Vec<u8>,
    maybe_id: Option<Uuid>,
    maybe_t: Option<String>,
    maybe_n: Option<i64>,
}

async fn round_trip(db: &Db, p: &Probe) -> Probe {
    macro_rules! go {
        ($pool:expr, $create:expr) => {{
            sqlx::query("DROP TABLE IF EXISTS probe").execute($pool).await.unwrap();
            sqlx::query($create).execute($pool).await.unwrap();
            sqlx::query("INSERT INTO probe (id, t, n, b, f, bytes, maybe_id, maybe_t, maybe_n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(p.id)
                .bind(&p.t)
                .bind(p.n)
                .bind(p.b)
                .bind(p.f)
                .bind(&p.bytes)
                .bind(p.maybe_id)
                .bind(&p.maybe_t)
                .bind(p.maybe_n)
                .execute($pool)
                .await
                .unwrap();
            sqlx::query_as::<_, Probe>("SELECT * FROM probe WHERE id = $1")
                .bind(p.id)
                .fetch_one($pool)
                .await
                .unwrap()
        }};
    }
    match db {
        Db::Sqlite(pool) => go!(pool, CREATE_SQLITE),
        Db::Postgres(pool) => go!(pool, CREATE_POSTGRES),
    }
}

#[tokio::test]
async fn every_column_type_round_trips_on_every_engine() {
    let values = [
        Probe {
            id: Uuid::new_v4(),
            t: "Zoë — Ünïcode ✓ 'quoted' \"double\"".into(),
            n: i64::MAX,
            b: true,
            f: 55.522_238_163_558_1,
            bytes: vec![0, 1, 2, 254, 255],
            maybe_id: Some(Uuid::new_v4()),
            maybe_t: Some(String::new()),
            maybe_n: Some(i64::MIN),
        },
        Probe {
            id: Uuid::new_v4(),
            t: String::new(),
            n: 0,
            b: false,
            f: -0.5,
            bytes: vec![],
            maybe_id: None,
            maybe_t: None,
            maybe_n: None,
        },
    ];
    for db in databases().await {
        for v in &values {
            let back = round_trip(&db.db, v).await;
            assert_eq!(&back, v, "{:?}", db.db.backend());
        }
    }
}

#[tokio::test]
async fn migrations_can_run_twice() {
    for db in databases().await {
        db.db.migrate().await.expect("second run is a no-op");
        db.db.ping().await.unwrap();
    }
}

/// The tables and columns the migrations create, as `table.column` with the column's nullability.
async fn migrated_columns(db: &Db) -> Vec<String> {
    let mut out: Vec<String> = match db {
        Db::Sqlite(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .expect("schema query");
            let mut cols = Vec::new();
            for t in tables {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
                    "SELECT name, \"notnull\", pk FROM pragma_table_info('{t}')"
                ))
                .fetch_all(pool)
                .await
                .expect("schema query");
                for (c, not_null, pk) in rows {
                    let required = not_null == 1 || pk > 0;
                    cols.push(format!(
                        "{t}.{c} {}",
                        if required { "required" } else { "optional" }
                    ));
                }
            }
            cols
        }
        Db::Postgres(pool) => {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .expect("schema query");
            rows.into_iter()
                .map(|(t, c, nullable)| {
                    format!(
                        "{t}.{c} {}",
                        if nullable == "NO" {
                            "required"
                        } else {
                            "optional"
                        }
                    )
                })
                .collect()
        }
    };
    out.sort();
    out
}

#[tokio::test]
async fn both_dialects_migrate_to_the_same_tables_and_columns() {
    let dbs = databases().await;
    let sqlite = migrated_columns(&dbs[0].db).await;
    assert!(
        sqlite
            .iter()
            .any(|c| c == "organizations.tenant_id optional")
            && sqlite
                .iter()
                .any(|c| c == "audit_events.client_address optional"),
        "{sqlite:?}"
    );
    // Without a PostgreSQL server (TEST_DATABASE_URL unset) only the SQLite side is read; the full
    // test run always starts one.
    if let Some(pg) = dbs.get(1) {
        assert_eq!(sqlite, migrated_columns(&pg.db).await);
    }
}
