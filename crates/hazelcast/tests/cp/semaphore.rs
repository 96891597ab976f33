//! `Semaphore` against real members: open-source 5.4.0, whose CP subsystem runs in unsafe mode
//! (the CP subsystem is Enterprise-only from 5.5 on).

use hazelcast::{CpError, HazelcastError};
use std::time::Duration;

use super::{client, eventually, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let s = client.get_semaphore(&unique("ops")).await.expect("semaphore");
    assert_eq!(s.available_permits().await.expect("available"), 0);
    assert!(s.init(3).await.expect("init"));
    assert!(!s.init(5).await.expect("second init"), "initialized once");
    s.acquire(2).await.expect("acquire");
    assert_eq!(s.available_permits().await.expect("available"), 1);
    assert!(
        !s.try_acquire(2, Duration::from_millis(100))
            .await
            .expect("try_acquire")
    );
    assert!(s.try_acquire(1, Duration::ZERO).await.expect("try_acquire"));
    assert_eq!(s.available_permits().await.expect("available"), 0);
    s.release(3).await.expect("release");
    assert_eq!(s.available_permits().await.expect("available"), 3);
    s.increase_permits(2).await.expect("increase");
    assert_eq!(s.available_permits().await.expect("available"), 5);
    s.reduce_permits(1).await.expect("reduce");
    assert_eq!(s.available_permits().await.expect("available"), 4);
    assert_eq!(s.drain().await.expect("drain"), 4);
    assert_eq!(s.available_permits().await.expect("available"), 0);
    s.release(4).await.expect("release the drained permits");
    assert!(matches!(
        s.release(1).await,
        Err(HazelcastError::Cp(CpError::PermitsNotHeld { permits: 1, .. }))
    ));
    s.reduce_permits(6).await.expect("reduce below zero");
    assert_eq!(s.available_permits().await.expect("available"), -2);
    assert!(matches!(
        s.acquire(0).await,
        Err(HazelcastError::Cp(CpError::InvalidArgument { .. }))
    ));
    s.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_a_session_cannot_release() {
    let first = client().await;
    let second = client().await;
    let name = unique("no-session");
    let a = first.get_semaphore(&name).await.expect("semaphore");
    let b = second.get_semaphore(&name).await.expect("semaphore");
    a.init(1).await.expect("init");
    a.acquire(1).await.expect("acquire");
    assert!(matches!(
        b.release(1).await,
        Err(HazelcastError::Cp(CpError::NoSession { .. }))
    ));
    assert_eq!(a.available_permits().await.expect("available"), 0);
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acquire_waits_for_a_release_by_another_client() {
    let first = client().await;
    let second = client().await;
    let name = unique("blocking");
    let a = first.get_semaphore(&name).await.expect("semaphore");
    let b = second.get_semaphore(&name).await.expect("semaphore");
    a.init(2).await.expect("init");
    a.acquire(2).await.expect("acquire");
    let mut waiter = tokio::spawn({
        let b = b.clone();
        async move { b.acquire(1).await }
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut waiter)
            .await
            .is_err(),
        "acquired a permit that is not available"
    );
    a.release(1).await.expect("release");
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the waiter gets the released permit")
        .expect("join")
        .expect("acquire");
    assert_eq!(a.available_permits().await.expect("available"), 0);
    b.release(1).await.expect("release");
    a.release(1).await.expect("release");
    assert_eq!(a.available_permits().await.expect("available"), 2);
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_acquire_leaves_no_permit_taken() {
    let client = client().await;
    let name = unique("dropped");
    let s = client.get_semaphore(&name).await.expect("semaphore");
    // Another handle: a call of the same handle would cancel the member's wait.
    let dropped = client.get_semaphore(&name).await.expect("semaphore");
    s.init(1).await.expect("init");
    s.acquire(1).await.expect("acquire");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), dropped.acquire(1))
            .await
            .is_err(),
        "no permit is available: the call must wait"
    );
    s.release(1).await.expect("release");
    // The member grants the permit to the abandoned request; the client's task releases it.
    assert!(
        eventually(Duration::from_secs(20), || async {
            s.available_permits().await.expect("available") == 1
        })
        .await,
        "the abandoned request kept its permit"
    );
    assert!(
        s.try_acquire(1, Duration::from_secs(5))
            .await
            .expect("try_acquire")
    );
    s.release(1).await.expect("release");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_the_session_and_returns_the_permits() {
    let first = client().await;
    let second = client().await;
    let name = unique("shutdown");
    let a = first.get_semaphore(&name).await.expect("semaphore");
    let b = second.get_semaphore(&name).await.expect("semaphore");
    a.init(2).await.expect("init");
    a.acquire(2).await.expect("acquire");
    assert!(
        !b.try_acquire(1, Duration::from_millis(100))
            .await
            .expect("try_acquire")
    );
    first.shutdown().await;
    assert!(
        b.try_acquire(2, Duration::from_secs(10))
            .await
            .expect("try_acquire"),
        "the closed session's permits were not returned"
    );
    b.release(2).await.expect("release");
    second.shutdown().await;
}
