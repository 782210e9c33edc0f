//! `roster-bench`: Roster's benchmark programs, one subcommand each.
fn main() {}
