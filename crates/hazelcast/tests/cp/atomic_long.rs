//! `AtomicLong` against real members. The CP subsystem is Enterprise-only from 5.5 on, so these
//! tests run open-source 5.4.0 members, whose CP subsystem runs in unsafe mode (no CP members
//! configured).

use hazelcast::HazelcastError;

use super::{client, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let a = client.get_atomic_long(&unique("ops")).await.expect("atomic long");
    assert_eq!(a.get().await.expect("get"), 0);
    a.set(10).await.expect("set");
    assert_eq!(a.get().await.expect("get"), 10);
    assert_eq!(a.get_and_set(20).await.expect("get_and_set"), 10);
    assert_eq!(a.add_and_get(5).await.expect("add_and_get"), 25);
    assert_eq!(a.get_and_add(-5).await.expect("get_and_add"), 25);
    assert!(!a.compare_and_set(0, 1).await.expect("failed compare_and_set"));
    assert!(a.compare_and_set(20, 30).await.expect("compare_and_set"));
    assert_eq!(a.increment_and_get().await.expect("increment_and_get"), 31);
    assert_eq!(a.decrement_and_get().await.expect("decrement_and_get"), 30);
    assert_eq!(a.get_and_increment().await.expect("get_and_increment"), 30);
    assert_eq!(a.get_and_decrement().await.expect("get_and_decrement"), 31);
    assert_eq!(a.get().await.expect("get"), 30);
    a.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxies_of_one_name_share_the_value_and_the_default_group_may_be_named() {
    let first = client().await;
    let second = client().await;
    let name = unique("shared");
    let a = first.get_atomic_long(&name).await.expect("atomic long");
    let b = second
        .get_atomic_long(&format!("{name}@default"))
        .await
        .expect("same atomic long");
    assert_eq!(b.name(), name);
    a.set(7).await.expect("set");
    assert_eq!(b.get().await.expect("get through the other client"), 7);

    let mut tasks = Vec::new();
    for proxy in [a.clone(), b.clone()] {
        for _ in 0..4 {
            let proxy = proxy.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..25 {
                    proxy.increment_and_get().await.expect("increment");
                }
            }));
        }
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(a.get().await.expect("get"), 7 + 2 * 4 * 25);

    let other_group = first
        .get_atomic_long(&format!("{name}@other"))
        .await
        .expect("in another group");
    assert_eq!(other_group.name(), name);
    assert_eq!(
        other_group.get().await.expect("get"),
        0,
        "another group, another value"
    );
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_names_are_refused_before_any_call() {
    let client = client().await;
    for bad in ["", "x@", "@y", "x@y@z"] {
        assert!(
            matches!(
                client.get_atomic_long(bad).await,
                Err(HazelcastError::InvalidCpName { .. })
            ),
            "{bad:?} accepted"
        );
    }
    client.shutdown().await;
}
