//! `CountDownLatch` against real members: open-source 5.4.0, whose CP subsystem runs in unsafe mode
//! (the CP subsystem is Enterprise-only from 5.5 on).

use hazelcast::{CpError, HazelcastError, Uuid};
use std::time::Duration;

use super::{client, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let latch = client.get_count_down_latch(&unique("ops")).await.expect("latch");
    assert!(matches!(
        latch.try_set_count(0).await,
        Err(HazelcastError::Cp(CpError::InvalidArgument { .. }))
    ));
    assert_eq!(latch.get_count().await.expect("count"), 0);
    assert!(latch.wait_timeout(Duration::ZERO).await.expect("an open latch"));
    assert!(latch.try_set_count(2).await.expect("set"));
    assert!(!latch.try_set_count(5).await.expect("set while counting"));
    assert_eq!(latch.get_count().await.expect("count"), 2);
    latch.count_down().await.expect("count down");
    assert_eq!(latch.get_count().await.expect("count"), 1);
    assert!(
        !latch
            .wait_timeout(Duration::from_millis(200))
            .await
            .expect("wait")
    );
    latch.count_down().await.expect("count down");
    assert!(latch.wait_timeout(Duration::from_secs(1)).await.expect("wait"));
    latch.count_down().await.expect("count down an open latch");
    assert_eq!(latch.get_count().await.expect("count"), 0);
    assert!(latch.try_set_count(1).await.expect("a new round"));
    assert_eq!(latch.get_count().await.expect("count"), 1);
    latch.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_of_other_clients_are_released_by_the_last_count_down() {
    let first = client().await;
    let second = client().await;
    let name = unique("waiters");
    let a = first.get_count_down_latch(&name).await.expect("latch");
    let b = second.get_count_down_latch(&name).await.expect("latch");
    assert!(a.try_set_count(3).await.expect("set"));
    let mut waiters = Vec::new();
    for _ in 0..3 {
        let b = b.clone();
        waiters.push(tokio::spawn(async move {
            b.wait_timeout(Duration::from_secs(20)).await
        }));
    }
    let mut counters = Vec::new();
    for _ in 0..3 {
        let a = a.clone();
        counters.push(tokio::spawn(async move { a.count_down().await }));
    }
    for c in counters {
        c.await.expect("join").expect("count down");
    }
    for w in waiters {
        assert!(
            w.await.expect("join").expect("wait"),
            "the waiter saw the latch open"
        );
    }
    assert_eq!(b.get_count().await.expect("count"), 0);
    first.shutdown().await;
    second.shutdown().await;
}

/// What `count_down`'s retries rely on: the member counts one invocation id once, and a count
/// down of a past round not at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_count_down_sent_twice_with_one_invocation_id_counts_once() {
    use hazelcast::codec::custom::RaftGroupId;
    use hazelcast::codec::messages::count_down_latch::{
        CountDownLatchCountDownRequest, CountDownLatchGetRoundRequest, CountDownLatchGetRoundResponse,
    };
    use hazelcast::codec::messages::cp_group::{CpGroupCreateCpGroupRequest, CpGroupCreateCpGroupResponse};
    use hazelcast::invocation::Target;

    let client = client().await;
    let name = unique("retried");
    let latch = client.get_count_down_latch(&name).await.expect("latch");
    assert!(latch.try_set_count(3).await.expect("set"));
    let cc = client.cluster_client().expect("connected");
    let answer = cc
        .invoke(&CpGroupCreateCpGroupRequest { proxy_name: &name }, Target::Any)
        .await
        .expect("group");
    let group: RaftGroupId = CpGroupCreateCpGroupResponse::decode(&answer)
        .expect("decode")
        .group_id;
    let answer = cc
        .invoke(
            &CountDownLatchGetRoundRequest {
                group_id: &group,
                name: &name,
            },
            Target::Any,
        )
        .await
        .expect("round");
    let round = CountDownLatchGetRoundResponse::decode(&answer)
        .expect("decode")
        .response;
    let request = CountDownLatchCountDownRequest {
        invocation_uid: Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
        expected_round: round,
        group_id: &group,
        name: &name,
    };
    for _ in 0..2 {
        cc.invoke(&request, Target::Any).await.expect("count down");
    }
    assert_eq!(latch.get_count().await.expect("count"), 2, "counted once");
    latch.count_down().await.expect("count down");
    assert_eq!(latch.get_count().await.expect("count"), 1);
    client.shutdown().await;
}

/// A dropped wait changes nothing: the member answers the abandoned request at its timeout,
/// and the latch counts and opens as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_wait_changes_nothing() {
    let client = client().await;
    let latch = client
        .get_count_down_latch(&unique("dropped"))
        .await
        .expect("latch");
    assert!(latch.try_set_count(1).await.expect("set"));
    assert!(
        tokio::time::timeout(
            Duration::from_millis(300),
            latch.wait_timeout(Duration::from_secs(20))
        )
        .await
        .is_err(),
        "the latch is closed: the wait must wait"
    );
    assert_eq!(latch.get_count().await.expect("count"), 1);
    latch.count_down().await.expect("count down");
    assert!(latch.wait_timeout(Duration::from_secs(1)).await.expect("wait"));
    assert_eq!(latch.get_count().await.expect("count"), 0);
    client.shutdown().await;
}
