//! Typed identifiers: a `WorkspaceId` can never be passed where a `UserId` is expected.
//!
//! New identifiers are UUIDv7: 48 bits of Unix milliseconds, then random bits, so they sort by
//! creation time (index-friendly) and can be made before the row exists (a sync plan names the
//! contacts it will create). Core makes them from its injected clock and randomness.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an identifier read from storage.
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The identifier as a UUID, for binding in queries.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl TypedId for $name {
            fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

/// What every typed identifier can do, so code can make one of any kind.
pub trait TypedId: Copy {
    fn from_uuid(id: Uuid) -> Self;
    fn as_uuid(&self) -> Uuid;

    /// A new UUIDv7 identifier from a time (Unix milliseconds) and ten random bytes.
    fn new_v7(unix_ms: u64, random: &[u8; 10]) -> Self {
        Self::from_uuid(uuid::Builder::from_unix_timestamp_millis(unix_ms, random).into_uuid())
    }
}

id_type!(
    /// One MSP's workspace.
    WorkspaceId
);
id_type!(
    /// A login (a person who can sign in).
    UserId
);
id_type!(
    /// A login's membership of one workspace.
    MemberId
);
id_type!(
    /// One of the MSP's customers.
    OrganizationId
);
id_type!(
    /// A customer's Microsoft Entra tenant as connected to Roster.
    ConnectionId
);
id_type!(
    /// The connect wizard's state between checking and saving.
    DraftId
);
id_type!(
    /// A person at a customer (synced from Entra or entered by hand).
    ContactId
);
id_type!(
    /// One sync of one tenant connection.
    SyncRunId
);
id_type!(
    /// The facts of one tenant as one sync read them.
    SnapshotId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_carry_their_time_and_sort_by_it() {
        let a = ContactId::new_v7(1_700_000_000_000, &[0xff; 10]);
        let b = ContactId::new_v7(1_700_000_000_001, &[0x00; 10]);
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(
            a < b,
            "a later millisecond sorts later whatever the random bits"
        );
        let (secs, nanos) = a
            .as_uuid()
            .get_timestamp()
            .expect("v7 has a time")
            .to_unix();
        assert_eq!((secs, nanos / 1_000_000), (1_700_000_000, 0));
        assert_ne!(
            ContactId::new_v7(5, &[1; 10]),
            ContactId::new_v7(5, &[2; 10]),
            "the random bits tell ids of one millisecond apart"
        );
    }
}
