//! `roster-bench`: Roster's benchmark programs, one subcommand each. Every figure is printed as a
//! `name: value unit` line, and the last line is a one-line summary.

mod contacts;
mod emulator;
mod import;
mod matching;
mod sync;

use clap::{Parser, Subcommand};

// The allocator the server uses, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Roster's benchmarks.
#[derive(Debug, Parser)]
#[command(name = "roster-bench", version)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// The contacts list on a large workspace: first and deep pages, searches and filters.
    Contacts(contacts::Args),
    /// Lists a generated tenant's users through the Graph emulator with `$top=999`.
    Emulator(emulator::Args),
    /// Imports a generated organizations file of up to 50,000 rows, then the same file again.
    Import(import::Args),
    /// Suggests organizations for tenants: generated lists, or given CSV files with accuracy.
    Match(matching::Args),
    /// Syncs a generated tenant into an empty database: full sync, unchanged resync, 1 % changed.
    Sync(sync::Args),
    /// The emulator half of `sync`, run in its own process (started by `sync` itself).
    #[command(hide = true)]
    ServeEmulator(emulator::ServeArgs),
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.bench {
        Bench::Contacts(args) => contacts::run(args).await,
        Bench::Emulator(args) => emulator::run(args).await,
        Bench::Import(args) => import::run(args).await,
        Bench::Match(args) => matching::run(args),
        Bench::Sync(args) => sync::run(args).await,
        Bench::ServeEmulator(args) => emulator::serve(args).await,
    }
}
