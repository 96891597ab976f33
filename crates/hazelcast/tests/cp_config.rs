//! The CP structures against members with a CP configuration of their own: a short CP session
//! time-to-live (the client's heartbeats keep a held lock), a lock with a reentrancy limit, a
//! jdk-compatible semaphore. Open-source 5.4.0 members, whose CP subsystem runs in unsafe mode.

use std::time::Duration;

use hazelcast::{CpError, HazelcastClient, HazelcastError, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

/// The last open-source member version with the CP subsystem.
const CP_VERSION: &str = "5.4.0";

/// Session time-to-live the members are given, in seconds.
const SESSION_TTL_SECS: u64 = 5;

static CLUSTER: SharedCluster = SharedCluster::new(|| {
    ClusterConfig::new().members(1).version(CP_VERSION).extra_xml(format!(
        "<cp-subsystem>\
           <session-time-to-live-seconds>{SESSION_TTL_SECS}</session-time-to-live-seconds>\
           <session-heartbeat-interval-seconds>1</session-heartbeat-interval-seconds>\
           <semaphores><semaphore><name>jdk</name><jdk-compatible>true</jdk-compatible></semaphore></semaphores>\
           <locks><fenced-lock><name>limited</name><lock-acquire-limit>2</lock-acquire-limit></fenced-lock></locks>\
         </cp-subsystem>"
    ))
});

async fn client() -> HazelcastClient {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a member starts");
    let cluster: &Cluster = CLUSTER.get().expect("cluster");
    let config = hazelcast::ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config");
    HazelcastClient::start(config).await.expect("start")
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

/// The client heartbeats its session (every second, as the member asks), so a lock held
/// longer than the session's time-to-live stays held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_a_held_lock_past_the_session_time_to_live() {
    let client = client().await;
    let lock = client.get_fenced_lock(&unique("held")).await.expect("lock");
    let fence = lock.lock().await.expect("lock");
    // Time has to pass here: twice the time-to-live without losing the lock.
    tokio::time::sleep(Duration::from_secs(2 * SESSION_TTL_SECS)).await;
    assert!(lock.is_locked_by_current_owner().await.expect("still held"));
    assert_eq!(lock.fence().await.expect("fence"), fence);
    lock.unlock().await.expect("unlock");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reentrancy_limit_is_a_typed_error() {
    let client = client().await;
    let lock = client.get_fenced_lock("limited").await.expect("lock");
    let fence = lock.lock().await.expect("lock");
    assert_eq!(lock.lock().await.expect("second acquire"), fence);
    assert!(matches!(
        lock.lock().await,
        Err(HazelcastError::Cp(CpError::LockAcquireLimitReached { .. }))
    ));
    assert_eq!(lock.try_lock(Duration::ZERO).await.expect("try_lock"), None);
    assert_eq!(lock.get_lock_count().await.expect("count"), 2);
    lock.unlock().await.expect("unlock");
    lock.unlock().await.expect("unlock");
    assert!(!lock.is_locked().await.expect("is_locked"));
    client.shutdown().await;
}

/// A jdk-compatible semaphore has no sessions: anyone may release, and the permits of a client
/// that shut down stay taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jdk_compatible_semaphore_is_sessionless() {
    let first = client().await;
    let second = client().await;
    let a = first.get_semaphore("jdk").await.expect("semaphore");
    let b = second.get_semaphore("jdk").await.expect("semaphore");
    assert!(a.is_jdk_compatible() && b.is_jdk_compatible());
    let sessionful = first
        .get_semaphore(&unique("sessionful"))
        .await
        .expect("semaphore");
    assert!(!sessionful.is_jdk_compatible());

    assert!(a.init(3).await.expect("init"));
    a.acquire(2).await.expect("acquire");
    assert_eq!(a.available_permits().await.expect("available"), 1);
    b.release(1).await.expect("anyone may release");
    assert_eq!(a.available_permits().await.expect("available"), 2);
    assert!(
        !b.try_acquire(3, Duration::from_millis(100))
            .await
            .expect("try_acquire")
    );
    assert!(a.try_acquire(2, Duration::ZERO).await.expect("try_acquire"));
    first.shutdown().await;
    assert_eq!(
        b.available_permits().await.expect("available"),
        0,
        "no session: the permits of a client that left stay taken"
    );
    b.increase_permits(2).await.expect("increase");
    b.reduce_permits(1).await.expect("reduce");
    assert_eq!(b.drain().await.expect("drain"), 1);
    assert_eq!(b.available_permits().await.expect("available"), 0);
    second.shutdown().await;
}
