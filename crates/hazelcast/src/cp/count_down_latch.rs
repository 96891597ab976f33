//! [`CountDownLatch`]: a distributed count-down latch in the CP subsystem.

use std::fmt;
use std::time::Duration;

use hazelcast_codec::ClientMessage;
use hazelcast_codec::messages::count_down_latch::{
    CountDownLatchAwaitRequest, CountDownLatchAwaitResponse, CountDownLatchCountDownRequest,
    CountDownLatchGetCountRequest, CountDownLatchGetCountResponse, CountDownLatchGetRoundRequest,
    CountDownLatchGetRoundResponse, CountDownLatchTrySetCountRequest, CountDownLatchTrySetCountResponse,
};
use hazelcast_codec::messages::{Request, check_type};

use crate::client::HazelcastClient;
use crate::cp::error::CpError;
use crate::cp::{CpProxy, invocation_uid, max_wait, millis};
use crate::error::HazelcastError;
use crate::proxy::Route;

/// The service name of CP count-down latches.
pub(crate) const COUNT_DOWN_LATCH_SERVICE: &str = "hz:raft:countDownLatchService";

/// A distributed count-down latch of the CP subsystem, from
/// [`HazelcastClient::get_count_down_latch`](crate::HazelcastClient::get_count_down_latch).
///
/// The latch is set to a count ([`try_set_count`](Self::try_set_count)), counted down by any
/// client or member, and waited on until the count reaches zero; it can then be set again (a
/// new *round*). `name` is `object` or `object@group`; the same members offer it as
/// [`AtomicLong`](crate::AtomicLong). Every call goes to any member.
///
/// [`count_down`](Self::count_down) sends one invocation id for all its attempts, so a count
/// down the client retries (after a timeout or a lost connection) is counted once; it is also
/// tied to the round it read first, so a late retry cannot count down the next round.
///
/// [`wait_timeout`](Self::wait_timeout) is cancel-safe: it changes nothing on the cluster. A
/// dropped wait leaves the member waiting on an answer nobody reads until that request's timeout
/// (at most 30 s; longer waits are sent as several requests).
///
/// Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// use std::time::Duration;
///
/// let ready = client.get_count_down_latch("workers-ready").await?;
/// ready.try_set_count(3).await?;
/// // … each of three workers calls `ready.count_down().await?` …
/// if ready.wait_timeout(Duration::from_secs(60)).await? {
///     println!("all workers are ready");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CountDownLatch {
    cp: CpProxy,
}

impl fmt::Debug for CountDownLatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountDownLatch")
            .field("name", &self.cp.core.name())
            .field("group", &self.cp.group_id.name)
            .finish_non_exhaustive()
    }
}

impl CountDownLatch {
    pub(crate) async fn new(client: &HazelcastClient, name: &str) -> Result<Self, HazelcastError> {
        Ok(CountDownLatch {
            cp: CpProxy::new(client, name, COUNT_DOWN_LATCH_SERVICE).await?,
        })
    }

    /// The object's name (without the CP group).
    pub fn name(&self) -> &str {
        self.cp.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.cp.core.invoke(request, Route::Any).await
    }

    /// Sets the count to `count` if it is zero (a new round); returns whether it did. A count of
    /// 0 or above `i32::MAX` is refused with [`CpError::InvalidArgument`].
    pub async fn try_set_count(&self, count: u32) -> Result<bool, HazelcastError> {
        let count = i32::try_from(count)
            .ok()
            .filter(|&c| c > 0)
            .ok_or(CpError::InvalidArgument {
                argument: "count",
                reason: "must be between 1 and i32::MAX",
            })?;
        let answer = self
            .call(&CountDownLatchTrySetCountRequest {
                count,
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        Ok(CountDownLatchTrySetCountResponse::decode(&answer)?.response)
    }

    /// The current count (0 once the latch is open).
    pub async fn get_count(&self) -> Result<u32, HazelcastError> {
        let answer = self
            .call(&CountDownLatchGetCountRequest {
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        // The members' `GetCountMessageTask` answers with the message type of
        // `CountDownLatch.GetRound`'s response (the same layout: one int); the Java client's
        // decoder does not check the type. Both are accepted.
        let count = if answer.message_type() == CountDownLatchGetRoundResponse::MESSAGE_TYPE {
            CountDownLatchGetRoundResponse::decode(&answer)?.response
        } else {
            CountDownLatchGetCountResponse::decode(&answer)?.response
        };
        Ok(u32::try_from(count).unwrap_or(0))
    }

    /// Counts down by one (nothing when the count is already zero). Retried with the same
    /// invocation id after a timeout, as the Java client does, so it counts at most once.
    pub async fn count_down(&self) -> Result<(), HazelcastError> {
        let answer = self
            .call(&CountDownLatchGetRoundRequest {
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        let expected_round = CountDownLatchGetRoundResponse::decode(&answer)?.response;
        let request = CountDownLatchCountDownRequest {
            invocation_uid: invocation_uid(),
            expected_round,
            group_id: &self.cp.group_id,
            name: self.name(),
        };
        loop {
            match self.call(&request).await {
                Ok(answer) => {
                    check_type(&answer, CountDownLatchCountDownRequest::MESSAGE_TYPE + 1)?;
                    return Ok(());
                }
                Err(e) if e.is_timeout() => {
                    tracing::debug!(latch = %self.name(), "count down timed out; sending it again");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits until the count reaches zero or `timeout` passes; returns whether it reached zero.
    pub async fn wait_timeout(&self, timeout: Duration) -> Result<bool, HazelcastError> {
        let chunk = max_wait(&self.cp.core)?;
        let mut left = timeout;
        loop {
            let wait = left.min(chunk);
            let answer = self
                .call(&CountDownLatchAwaitRequest {
                    invocation_uid: invocation_uid(),
                    timeout_ms: millis(wait),
                    group_id: &self.cp.group_id,
                    name: self.name(),
                })
                .await?;
            if CountDownLatchAwaitResponse::decode(&answer)?.response {
                return Ok(true);
            }
            left = left.saturating_sub(wait);
            if left.is_zero() {
                return Ok(false);
            }
        }
    }

    /// Destroys the latch in its CP group; the proxy (and any other of the same name) cannot be
    /// used afterwards.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.cp.destroy(COUNT_DOWN_LATCH_SERVICE).await
    }
}
