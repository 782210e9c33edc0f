//! `roster-bench contacts`: the contacts list on a large workspace. Writes `--contacts` contacts
//! (default 1,000,000) across 500 organizations straight through the store, then times the list
//! queries a person runs: the first page by name, a deep keyset page by name and by last change,
//! a name-prefix search, an email fragment, a phone number, one organization, and the conflicts
//! filter. Prints p50 and p95 of each in milliseconds.

use anyhow::Context;
use roster_store::{ContactFilter, ContactRow, ContactSort, Cursor, PageRequest, SortKey};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Contacts to write.
    #[arg(long, default_value_t = 1_000_000)]
    contacts: usize,
    /// Times each query runs.
    #[arg(long, default_value_t = 40)]
    repeat: usize,
    /// Database URL (default: a new SQLite file in a temporary directory). A PostgreSQL URL must
    /// name an empty database.
    #[arg(long)]
    database: Option<String>,
}

const FIRST: [&str; 12] = [
    "Ana", "Bram", "Chloé", "Dmitri", "Elif", "Farah", "Goran", "Hiroshi", "Ines", "Jonas",
    "Kwame", "Lucía",
];
const LAST: [&str; 10] = [
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova",
    "Jensen",
];

fn contact(n: usize, org: uuid::Uuid) -> ContactRow {
    let first = FIRST[n % FIRST.len()];
    let last = LAST[(n / FIRST.len()) % LAST.len()];
    let name = format!("{first} {last} {n}");
    let email = format!(
        "{}.{}{n}@customer{}.example",
        first.to_lowercase(),
        last.to_lowercase(),
        n % 500
    );
    let mut values: [Option<String>; 15] = Default::default();
    values[0] = Some(name.clone());
    values[1] = Some(first.to_owned());
    values[2] = Some(last.to_owned());
    values[3] = Some(email.clone());
    values[4] = Some("Accountant".to_owned());
    values[7] = Some(format!("+1 555 {:07}", n));
    ContactRow {
        id: uuid::Uuid::new_v4(),
        organization_id: org,
        tenant_id: Some(format!("tenant-{}", n % 500)),
        object_id: Some(format!("{n:032x}")),
        values,
        upn: Some(email.clone()),
        sort_key: roster_store::fold_sort_key(&name),
        email_key: Some(email),
        deleted_in_entra: n.is_multiple_of(97),
        disabled: false,
        conflicts: i32::from(n.is_multiple_of(1013)),
        synced_fields: 0b11111,
        field_notes: None,
        created_at: 1_700_000_000_000,
        updated_at: 1_700_000_000_000 + (n as i64 * 7919) % 10_000_000,
        groups: Vec::new(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

#[expect(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall time on the monotonic clock"
)]
pub async fn run(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = match &args.database {
        Some(u) => u.clone(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    let db = roster_store::Db::connect(&url).await?;
    db.migrate().await?;
    let owner = db
        .create_workspace_with_owner("Bench MSP", "owner@bench.test", "Owner", "x", 1, false)
        .await?;
    let scope = owner.scope(&db);
    let mut orgs = Vec::new();
    for i in 0..500 {
        let id = roster_domain::OrganizationId::from_uuid(uuid::Uuid::new_v4());
        let mut unit = scope.begin().await?;
        unit.create_organization(
            id,
            &roster_store::OrganizationFields {
                name: format!("Customer {i:03}"),
                ..Default::default()
            },
            1,
        )
        .await?;
        unit.commit().await?;
        orgs.push(id.as_uuid());
    }
    let t = Instant::now();
    let mut sample = None;
    for start in (0..args.contacts).step_by(10_000) {
        let rows: Vec<ContactRow> = (start..(start + 10_000).min(args.contacts))
            .map(|n| contact(n, orgs[n % orgs.len()]))
            .collect();
        if start == args.contacts / 2 / 10_000 * 10_000 {
            sample = rows.first().cloned();
        }
        let mut unit = scope.begin().await?;
        unit.write_contacts(&rows).await?;
        unit.commit().await?;
    }
    let write_seconds = t.elapsed().as_secs_f64();
    let middle = sample.context("no contacts written")?;

    let by_name = ContactFilter::default();
    let by_change = ContactFilter {
        sort: ContactSort::RecentlyChanged,
        ..ContactFilter::default()
    };
    let search = |s: &str| ContactFilter {
        search: Some(s.to_owned()),
        ..ContactFilter::default()
    };
    let cases: Vec<(&str, ContactFilter, PageRequest)> = vec![
        ("first_page", by_name.clone(), PageRequest::first(100)),
        (
            "deep_page",
            by_name,
            PageRequest::after(
                Some(Cursor {
                    key: SortKey::Text(middle.sort_key.clone()),
                    id: middle.id,
                }),
                100,
            ),
        ),
        (
            "changed_first_page",
            by_change.clone(),
            PageRequest::first(100),
        ),
        (
            "changed_deep_page",
            by_change,
            PageRequest::after(
                Some(Cursor {
                    key: SortKey::Number(middle.updated_at),
                    id: middle.id,
                }),
                100,
            ),
        ),
        (
            "search_name_prefix",
            search("lucía garcía 5"),
            PageRequest::first(100),
        ),
        (
            "search_email_fragment",
            search("jensen4242"),
            PageRequest::first(100),
        ),
        (
            "search_phone",
            search("555 0424242"),
            PageRequest::first(100),
        ),
        (
            "one_organization",
            ContactFilter {
                organization_id: Some(orgs[7]),
                ..ContactFilter::default()
            },
            PageRequest::first(100),
        ),
        (
            "with_conflicts",
            ContactFilter {
                with_conflicts: true,
                ..ContactFilter::default()
            },
            PageRequest::first(100),
        ),
    ];
    println!(
        "database: {}",
        if url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        }
    );
    println!("contacts: {} contacts", args.contacts);
    println!("write_seconds: {write_seconds:.1} s");
    let mut worst = (0.0, "");
    for (name, filter, req) in &cases {
        let mut times = Vec::with_capacity(args.repeat);
        let mut found = 0;
        for _ in 0..args.repeat {
            let t = Instant::now();
            found = scope.contacts_page(filter, req).await?.items.len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let p95 = percentile(&times, 0.95);
        if p95 > worst.0 {
            worst = (p95, name);
        }
        println!(
            "{name}_p50_ms: {:.1} ms\n{name}_p95_ms: {p95:.1} ms ({found} rows)",
            percentile(&times, 0.5)
        );
    }
    println!(
        "summary: {} contacts: slowest list query {} at p95 {:.1} ms",
        args.contacts, worst.1, worst.0
    );
    Ok(())
}
