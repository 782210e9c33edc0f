//! The Roster server: configuration, telemetry, start-up, the command line and operational routes.
//!
//! `main.rs` only parses the command line and calls [`cli::run`]; tests build the same
//! application with [`startup::build`] and serve it on port 0.

pub mod cli;
pub mod config;
pub mod context;
pub mod demo;
pub mod metrics;
pub mod startup;
pub mod telemetry;
