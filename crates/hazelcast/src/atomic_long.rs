//! [`AtomicLong`]: a linearizable `i64` in the CP subsystem.

use std::fmt;

use hazelcast_codec::ClientMessage;
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::atomic_long::{
    AtomicLongAddAndGetRequest, AtomicLongAddAndGetResponse, AtomicLongCompareAndSetRequest,
    AtomicLongCompareAndSetResponse, AtomicLongGetAndAddRequest, AtomicLongGetAndAddResponse,
    AtomicLongGetAndSetRequest, AtomicLongGetAndSetResponse, AtomicLongGetRequest, AtomicLongGetResponse,
};

use crate::client::HazelcastClient;
use crate::cp::CpProxy;
use crate::error::HazelcastError;
use crate::proxy::Route;

/// The service name of CP atomic longs.
pub(crate) const ATOMIC_LONG_SERVICE: &str = "hz:raft:atomicLongService";

/// A linearizable distributed `i64` of the CP subsystem, from
/// [`HazelcastClient::get_atomic_long`](crate::HazelcastClient::get_atomic_long).
///
/// The value lives in a CP group: `name` is `object` (the default group) or `object@group`.
/// The proxy asks the cluster for the group's id once, when it is created
/// (`CPGroup.CreateCPGroup`), and sends it with every call. Every call goes to any member,
/// which forwards it to the group's Raft leader.
///
/// The CP subsystem is part of Hazelcast Enterprise from 5.5 on; open-source members up to
/// 5.4 run it in "unsafe mode" (no CP members configured: weaker guarantees, values kept in
/// partitions). Open-source 5.5+ members refuse it: `get_atomic_long` then fails at once with
/// [`HazelcastError::Invocation`] holding the members' `UnsupportedOperationException` ("CP
/// subsystem is an Enterprise feature").
///
/// Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let sequence = client.get_atomic_long("invoice-number").await?;
/// let next = sequence.increment_and_get().await?;
/// if sequence.compare_and_set(next, next + 10).await? {
///     println!("reserved {} to {}", next + 1, next + 10);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AtomicLong {
    cp: CpProxy,
}

impl fmt::Debug for AtomicLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicLong")
            .field("name", &self.cp.core.name())
            .field("group", &self.cp.group_id.name)
            .finish_non_exhaustive()
    }
}

impl AtomicLong {
    pub(crate) async fn new(client: &HazelcastClient, name: &str) -> Result<Self, HazelcastError> {
        Ok(AtomicLong {
            cp: CpProxy::new(client, name, ATOMIC_LONG_SERVICE).await?,
        })
    }

    /// The object's name (without the CP group).
    pub fn name(&self) -> &str {
        self.cp.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.cp.core.invoke(request, Route::Any).await
    }

    /// The current value.
    pub async fn get(&self) -> Result<i64, HazelcastError> {
        let answer = self
            .call(&AtomicLongGetRequest {
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        Ok(AtomicLongGetResponse::decode(&answer)?.response)
    }

    /// Sets the value.
    pub async fn set(&self, value: i64) -> Result<(), HazelcastError> {
        self.get_and_set(value).await.map(drop)
    }

    /// Sets the value and returns the one before.
    pub async fn get_and_set(&self, value: i64) -> Result<i64, HazelcastError> {
        let answer = self
            .call(&AtomicLongGetAndSetRequest {
                new_value: value,
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        Ok(AtomicLongGetAndSetResponse::decode(&answer)?.response)
    }

    /// Adds `delta` and returns the new value.
    pub async fn add_and_get(&self, delta: i64) -> Result<i64, HazelcastError> {
        let answer = self
            .call(&AtomicLongAddAndGetRequest {
                delta,
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        Ok(AtomicLongAddAndGetResponse::decode(&answer)?.response)
    }

    /// Adds `delta` and returns the value before.
    pub async fn get_and_add(&self, delta: i64) -> Result<i64, HazelcastError> {
        let answer = self
            .call(&AtomicLongGetAndAddRequest {
                delta,
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        Ok(AtomicLongGetAndAddResponse::decode(&answer)?.response)
    }

    /// Sets the value to `updated` if it is `expected`; returns whether it did.
    pub async fn compare_and_set(&self, expected: i64, updated: i64) -> Result<bool, HazelcastError> {
        let answer = self
            .call(&AtomicLongCompareAndSetRequest {
                expected,
                updated,
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        Ok(AtomicLongCompareAndSetResponse::decode(&answer)?.response)
    }

    /// Adds one and returns the new value.
    pub async fn increment_and_get(&self) -> Result<i64, HazelcastError> {
        self.add_and_get(1).await
    }

    /// Subtracts one and returns the new value.
    pub async fn decrement_and_get(&self) -> Result<i64, HazelcastError> {
        self.add_and_get(-1).await
    }

    /// Adds one and returns the value before.
    pub async fn get_and_increment(&self) -> Result<i64, HazelcastError> {
        self.get_and_add(1).await
    }

    /// Subtracts one and returns the value before.
    pub async fn get_and_decrement(&self) -> Result<i64, HazelcastError> {
        self.get_and_add(-1).await
    }

    /// Destroys the value in its CP group; the proxy (and any other of the same name) cannot be
    /// used afterwards.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.cp.destroy(ATOMIC_LONG_SERVICE).await
    }
}
