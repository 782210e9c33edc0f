//! `roster-bench import`: an organizations file of `--rows` rows (default 50,000, the most one
//! import takes) uploaded, previewed and confirmed on an empty workspace, then the same file
//! again (every row unchanged). Prints the seconds of each step.

use anyhow::Context;
use roster_core::{Services, SessionPolicy};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rows in the file.
    #[arg(long, default_value_t = 50_000)]
    rows: usize,
    /// Database URL (default: a new SQLite file in a temporary directory).
    #[arg(long)]
    database: Option<String>,
}

fn file(rows: usize) -> Vec<u8> {
    let mut out = String::from("Company Name;Domains;PSA ID;Website;Notes\n");
    for i in 0..rows {
        out.push_str(&format!(
            "Customer {i} Ltd;customer{i}.example;PSA-{i};https://www.customer{i}.example;\"Imported from the PSA,\nrow {i}\"\n"
        ));
    }
    out.into_bytes()
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
    let services = Services::new(
        db,
        Arc::new(roster_core::SystemClock),
        SessionPolicy::default(),
    )
    .with_keyring(roster_core::crypto::Keyring::new(&[7u8; 32], &[]));
    let owner = services
        .setup(&roster_core::auth::SetupForm {
            workspace_name: "Bench MSP".into(),
            name: "Bench Owner".into(),
            email: "owner@bench.test".into(),
            password: "bench password 1".into(),
        })
        .await?
        .principal
        .context("an owner")?;
    let bytes = file(args.rows);
    let mb = bytes.len() as f64 / (1024.0 * 1024.0);
    let mut figures = Vec::new();
    for round in ["first", "again"] {
        let t = Instant::now();
        let draft = services
            .upload_organizations(&owner, "bench.csv", &bytes)
            .await?;
        let upload = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let preview = services.import_preview(&owner, draft).await?;
        let previewed = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (_, done) = services
            .confirm_import(&owner, draft, preview.counts)
            .await?;
        let confirmed = t.elapsed().as_secs_f64();
        println!("import_{round}_upload_seconds: {upload:.2} s");
        println!("import_{round}_preview_seconds: {previewed:.2} s");
        println!("import_{round}_confirm_seconds: {confirmed:.2} s");
        println!(
            "import_{round}_counts: {} created, {} updated, {} unchanged, {} errors",
            done.create, done.update, done.unchanged, done.errors
        );
        figures.push(upload + previewed + confirmed);
    }
    println!(
        "imported {} rows ({mb:.1} MB) in {:.2} s; the same file again in {:.2} s",
        args.rows, figures[0], figures[1]
    );
    Ok(())
}
