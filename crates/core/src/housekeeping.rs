//! Hourly housekeeping: ended sessions, spent sign-in throttles and expired wizard drafts are
//! deleted, on one instance of a cluster at a time (whichever holds the `housekeeping` lease).

use crate::error::Result;
use crate::services::Services;

/// How long one instance keeps the housekeeping lease: less than the hour between runs, so the
/// next hour's run can go to whichever instance asks first.
pub const LEASE_MS: i64 = 50 * 60 * 1000;

/// What one housekeeping run removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Housekeeping {
    pub sessions: u64,
    pub throttles: u64,
    pub drafts: u64,
}

impl Services {
    /// Runs housekeeping if `instance` can claim the lease now; `None` when another instance
    /// holds it. The times compared are the services' clock.
    pub async fn housekeeping(&self, instance: &str) -> Result<Option<Housekeeping>> {
        let now = self.now_ms();
        if self
            .db
            .claim_lease("housekeeping", instance, now, now + LEASE_MS)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let idle = self.sessions.idle.as_millis() as i64;
        Ok(Some(Housekeeping {
            sessions: self.db.purge_sessions(now, idle).await?,
            throttles: self
                .db
                .purge_throttle(now, crate::auth::THROTTLE_WINDOW_MS)
                .await?,
            drafts: self.db.purge_drafts(now).await?,
        }))
    }
}
