#![doc = include_str!("../README.md")]
#![recursion_limit = "256"]

mod admin;
pub mod catalog;
pub mod clock;
pub mod faults;
mod generate;
mod graph;
pub mod model;
pub mod scenario;
mod server;
pub mod state;
pub mod throttle;
pub mod tls;
pub mod token;
mod util;

pub use clock::{Clock, ManualClock, SystemClock};
pub use faults::Faults;
pub use scenario::{
    AppSpec, GenerateSpec, GroupSpec, Scenario, ScenarioError, SecretSpec, SkuSpec, TenantSpec,
    UserSpec,
};
pub use server::{Emulator, EmulatorBuilder, RunningEmulator, StartError};
pub use state::{
    AdminError, AppCredentials, EmulatorHandle, LogEntry, NewSecret, SecretCredentials, Settings,
    TenantCredentials,
};
pub use throttle::ThrottleConfig;
pub use tls::TlsConfig;
