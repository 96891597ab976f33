//! `FencedLock` against real members: open-source 5.4.0, whose CP subsystem runs in unsafe mode
//! (the CP subsystem is Enterprise-only from 5.5 on).

use hazelcast::{CpError, HazelcastError};
use std::time::Duration;

use super::{client, eventually, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_reenters_and_others_are_refused_until_it_unlocks() {
    let client = client().await;
    let lock = client.get_fenced_lock(&unique("reentrant")).await.expect("lock");
    let other = lock.new_owner();
    assert!(!lock.is_locked().await.expect("is_locked"));
    assert_eq!(lock.get_lock_count().await.expect("count"), 0);

    let fence = lock.lock().await.expect("lock");
    assert!(fence > 0, "a valid fence");
    assert_eq!(
        lock.lock().await.expect("lock again"),
        fence,
        "reentrant: same fence"
    );
    assert_eq!(
        lock.try_lock(Duration::ZERO).await.expect("try_lock"),
        Some(fence)
    );
    assert_eq!(lock.get_lock_count().await.expect("count"), 3);
    assert_eq!(lock.fence().await.expect("fence"), fence);
    assert!(lock.is_locked_by_current_owner().await.expect("mine"));
    assert!(
        lock.clone()
            .is_locked_by_current_owner()
            .await
            .expect("a clone is the same owner")
    );

    assert!(other.is_locked().await.expect("is_locked"));
    assert!(!other.is_locked_by_current_owner().await.expect("not the other's"));
    assert_eq!(
        other
            .try_lock(Duration::from_millis(200))
            .await
            .expect("try_lock"),
        None
    );
    assert!(matches!(
        other.unlock().await,
        Err(HazelcastError::Cp(CpError::LockNotOwned { .. }))
    ));
    assert!(matches!(
        other.fence().await,
        Err(HazelcastError::Cp(CpError::LockNotOwned { .. }))
    ));

    for left in [2, 1, 0] {
        lock.unlock().await.expect("unlock");
        assert_eq!(lock.get_lock_count().await.expect("count"), left);
    }
    assert!(matches!(
        lock.unlock().await,
        Err(HazelcastError::Cp(CpError::LockNotOwned { .. }))
    ));
    let next = other
        .try_lock(Duration::from_secs(5))
        .await
        .expect("try_lock")
        .expect("free now");
    assert!(
        next > fence,
        "a new owner gets a larger fence ({next} after {fence})"
    );
    other.unlock().await.expect("unlock");
    lock.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_by_one_client_blocks_another_until_unlock() {
    let first = client().await;
    let second = client().await;
    let name = unique("blocking");
    let a = first.get_fenced_lock(&name).await.expect("lock");
    let b = second.get_fenced_lock(&name).await.expect("lock");
    let fence = a.lock().await.expect("lock");

    let mut waiter = tokio::spawn({
        let b = b.clone();
        async move { b.lock().await }
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut waiter)
            .await
            .is_err(),
        "the other client got a held lock"
    );
    assert!(a.is_locked_by_current_owner().await.expect("held"));

    a.unlock().await.expect("unlock");
    let next = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the waiter gets the lock after the unlock")
        .expect("join")
        .expect("lock");
    assert!(next > fence);
    assert!(b.is_locked_by_current_owner().await.expect("b holds it"));
    assert!(!a.is_locked_by_current_owner().await.expect("a does not"));
    b.unlock().await.expect("unlock");
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_lock_call_leaves_no_acquisition() {
    let client = client().await;
    let holder = client.get_fenced_lock(&unique("dropped")).await.expect("lock");
    let dropped = holder.new_owner();
    holder.lock().await.expect("lock");

    // The caller gives up while the member keeps the request waiting.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), dropped.lock())
            .await
            .is_err(),
        "the lock is held: the call must wait"
    );
    holder.unlock().await.expect("unlock");

    // The member grants the lock to the abandoned request; the client's task unlocks it.
    assert!(
        eventually(Duration::from_secs(20), || async {
            !holder.is_locked().await.expect("is_locked")
        })
        .await,
        "the abandoned request still holds the lock"
    );
    assert!(!dropped.is_locked_by_current_owner().await.expect("not held"));
    let third = holder.new_owner();
    assert!(
        third
            .try_lock(Duration::from_secs(5))
            .await
            .expect("try_lock")
            .is_some()
    );
    third.unlock().await.expect("unlock");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_the_session_and_releases_the_lock() {
    let first = client().await;
    let second = client().await;
    let name = unique("shutdown");
    let a = first.get_fenced_lock(&name).await.expect("lock");
    let b = second.get_fenced_lock(&name).await.expect("lock");
    a.lock().await.expect("lock");
    assert_eq!(
        b.try_lock(Duration::from_millis(100)).await.expect("try_lock"),
        None
    );

    first.shutdown().await;
    // Without the session close the member would keep the lock for the session's
    // time-to-live (5 minutes).
    let fence = b.try_lock(Duration::from_secs(10)).await.expect("try_lock");
    assert!(fence.is_some(), "the closed session's lock was not released");
    b.unlock().await.expect("unlock");
    second.shutdown().await;
}

/// The cluster closing the owner's session (here through `CPSession.CloseSession`, as an
/// operator or an expired time-to-live would) releases the lock, and the owner learns it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_closed_by_the_cluster_loses_the_lock() {
    use hazelcast::codec::messages::cp_group::{CpGroupCreateCpGroupRequest, CpGroupCreateCpGroupResponse};
    use hazelcast::codec::messages::cp_session::CpSessionCloseSessionRequest;
    use hazelcast::codec::messages::fenced_lock::{
        FencedLockGetLockOwnershipRequest, FencedLockGetLockOwnershipResponse,
    };
    use hazelcast::invocation::Target;

    let first = client().await;
    let second = client().await;
    let name = unique("lost");
    let lock = first.get_fenced_lock(&name).await.expect("lock");
    let other = second.get_fenced_lock(&name).await.expect("lock");
    lock.lock().await.expect("lock");

    let cc = second.cluster_client().expect("connected");
    let answer = cc
        .invoke(&CpGroupCreateCpGroupRequest { proxy_name: &name }, Target::Any)
        .await
        .expect("group");
    let group = CpGroupCreateCpGroupResponse::decode(&answer)
        .expect("decode")
        .group_id;
    let answer = cc
        .invoke(
            &FencedLockGetLockOwnershipRequest {
                group_id: &group,
                name: &name,
            },
            Target::Any,
        )
        .await
        .expect("ownership");
    let session = FencedLockGetLockOwnershipResponse::decode(&answer)
        .expect("decode")
        .session_id;
    cc.invoke(
        &CpSessionCloseSessionRequest {
            session_id: session,
            group_id: &group,
        },
        Target::Any,
    )
    .await
    .expect("close the session");

    assert!(
        other
            .try_lock(Duration::from_secs(5))
            .await
            .expect("try_lock")
            .is_some(),
        "the closed session's lock was not released"
    );
    match lock.unlock().await {
        Err(HazelcastError::Cp(CpError::LockOwnershipLost { session_id, .. })) => {
            assert_eq!(session_id, session);
        }
        other => panic!("unlock after the session closed: {other:?}"),
    }
    // The next call takes a new session.
    assert_eq!(lock.try_lock(Duration::ZERO).await.expect("try_lock"), None);
    other.unlock().await.expect("unlock");
    assert!(
        lock.try_lock(Duration::from_secs(5))
            .await
            .expect("try_lock")
            .is_some()
    );
    lock.unlock().await.expect("unlock");
    first.shutdown().await;
    second.shutdown().await;
}

/// Clones of a handle are one owner: the members keep one wait per owner, so a second call
/// of the same owner cancels the first one's wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_call_of_the_same_owner_cancels_its_wait() {
    let client = client().await;
    let lock = client.get_fenced_lock(&unique("one-owner")).await.expect("lock");
    let holder = lock.new_owner();
    holder.lock().await.expect("lock");
    let mut waiting = tokio::spawn({
        let lock = lock.clone();
        async move { lock.lock().await }
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut waiting)
            .await
            .is_err(),
        "the lock is held: the call must wait"
    );
    assert_eq!(lock.try_lock(Duration::ZERO).await.expect("try_lock"), None);
    let first = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the first wait ends")
        .expect("join");
    assert!(
        matches!(first, Err(HazelcastError::Cp(CpError::WaitCancelled { .. }))),
        "{first:?}"
    );
    holder.unlock().await.expect("unlock");
    assert!(
        !holder.is_locked().await.expect("is_locked"),
        "the cancelled wait took no lock"
    );
    client.shutdown().await;
}
