//! Cancel-safe blocking calls: a call whose effect the caller must see (a granted lock, a taken
//! item) runs as a task of the client, and when the caller has dropped its future by the time
//! the call succeeds, the task undoes the effect instead of losing it.

use std::future::Future;

use hazelcast_invocation::{ClusterClient, InvocationError};
use tokio::sync::oneshot;

use crate::error::HazelcastError;

/// Runs `call` as a task of the client `cc` and returns its outcome. When the caller dropped
/// this future before `call` succeeded, the task hands the success to `abandoned` (which
/// unlocks the lock, gives the item back, …); a failure of an abandoned call is only dropped.
/// Fails with [`InvocationError::ClientNotActive`] when the client shut down first.
pub(crate) async fn run_owned<T, C, A, AF>(
    cc: &ClusterClient,
    call: C,
    abandoned: A,
) -> Result<T, HazelcastError>
where
    T: Send + 'static,
    C: Future<Output = Result<T, HazelcastError>> + Send + 'static,
    A: FnOnce(T) -> AF + Send + 'static,
    AF: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    cc.spawn(async move {
        if let Err(Ok(value)) = tx.send(call.await) {
            abandoned(value).await;
        }
    });
    rx.await
        .unwrap_or(Err(HazelcastError::Invocation(InvocationError::ClientNotActive)))
}
