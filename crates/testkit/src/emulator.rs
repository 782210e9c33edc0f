//! The emulated Microsoft cloud for tests, always started on the test's clock.

use roster_graph_emulator::{Emulator, RunningEmulator, Scenario};

use crate::TestClock;

/// Starts the emulator for `scenario` on a free loopback port, reading `clock`: the secrets,
/// sign-ins and Secure Score history it generates are dated from the test's "now", and it judges
/// token and secret expiry by the same time Roster does.
///
/// # Errors
/// When the scenario is invalid or no port can be bound.
pub async fn start_emulator(
    scenario: Scenario,
    clock: &TestClock,
) -> anyhow::Result<RunningEmulator> {
    Ok(Emulator::builder()
        .scenario(scenario)
        .clock(clock.clone())
        .start("127.0.0.1:0")
        .await?)
}
