#![recursion_limit = "256"]
#![doc = include_str!("../README.md")]

pub mod cli;
pub mod config;
pub mod context;
pub mod csrf;
pub mod demo;
pub mod favicon;
pub mod metrics;
pub mod proxies;
pub mod startup;
pub mod telemetry;
