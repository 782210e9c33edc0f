#![recursion_limit = "256"]
//! The `roster` binary.

use clap::Parser;

// mimalloc: less time in the allocator and less memory kept after a large sync than the system
// allocator (measured with `roster-bench sync`, which uses the same one).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = roster_server::cli::Cli::parse();
    match roster_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
