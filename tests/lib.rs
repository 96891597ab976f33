//! Shared helpers of the integration tests, which run the client's layers against real Hazelcast
//! members started by `hazelcast-testkit` (see the `[[test]]` targets of this package).

pub use hazelcast_testkit::raw::{RawConnection, RawError};
