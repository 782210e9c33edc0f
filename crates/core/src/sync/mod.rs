//! The sync engine's pure parts: which users are in scope, the field policy, and the plan of a
//! run. Nothing here talks to Microsoft or the database, so every rule is tested on its own.

pub mod engine;
pub mod facts;
pub mod fields;
pub mod jobs;
pub mod plan;
pub mod schedule;
pub mod scope;

#[cfg(test)]
mod tests;
