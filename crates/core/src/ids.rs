//! New identifiers, made here rather than in the database: UUIDv7 from the services' clock and
//! randomness, so a plan can name the rows it will create before writing any, and tests that fix
//! the clock and the randomness get the same ids every run.

use crate::services::Services;
use rand::RngCore;
use roster_domain::TypedId;

/// Where new identifiers get their random bits.
pub trait Randomness: Send + Sync + std::fmt::Debug {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's randomness (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&self, buf: &mut [u8]) {
        rand::rng().fill_bytes(buf);
    }
}

impl Services {
    /// A new identifier of any kind: the clock's millisecond, then random bits.
    pub fn new_id<T: TypedId>(&self) -> T {
        let mut random = [0u8; 10];
        self.randomness.fill(&mut random);
        let ms = u64::try_from(self.now().as_millisecond()).unwrap_or(0);
        T::new_v7(ms, &random)
    }
}
