//! `AtomicReference` against real members: open-source 5.4.0, whose CP subsystem runs in unsafe mode
//! (the CP subsystem is Enterprise-only from 5.5 on).

use super::{client, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation() {
    let client = client().await;
    let r = client
        .get_atomic_reference::<String>(&unique("ops"))
        .await
        .expect("atomic reference");
    assert_eq!(r.get().await.expect("get"), None);
    assert!(r.is_null().await.expect("is_null"));
    r.set("one").await.expect("set");
    assert!(!r.is_null().await.expect("is_null"));
    assert_eq!(r.get().await.expect("get").as_deref(), Some("one"));
    assert!(r.contains("one").await.expect("contains"));
    assert!(!r.contains("two").await.expect("contains"));
    assert_eq!(
        r.get_and_set("two").await.expect("get_and_set").as_deref(),
        Some("one")
    );
    let (one, two, three) = ("one".to_owned(), "two".to_owned(), "three".to_owned());
    assert!(
        !r.compare_and_set(Some(&one), Some(&three))
            .await
            .expect("stale compare_and_set")
    );
    assert!(
        r.compare_and_set(Some(&two), Some(&three))
            .await
            .expect("compare_and_set")
    );
    assert_eq!(r.get().await.expect("get").as_deref(), Some("three"));
    assert!(
        r.compare_and_set(Some(&three), None)
            .await
            .expect("compare_and_set to none")
    );
    assert!(r.is_null().await.expect("is_null"));
    assert!(
        r.compare_and_set(None, Some(&one))
            .await
            .expect("compare_and_set from none")
    );
    r.clear().await.expect("clear");
    assert_eq!(r.get().await.expect("get"), None);
    r.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_share_the_value_and_groups_are_separate() {
    let first = client().await;
    let second = client().await;
    let name = unique("shared");
    let a = first.get_atomic_reference::<i64>(&name).await.expect("reference");
    let b = second
        .get_atomic_reference::<i64>(&format!("{name}@default"))
        .await
        .expect("the same reference");
    a.set(42).await.expect("set");
    assert_eq!(b.get().await.expect("get"), Some(42));
    // Racing compare-and-sets: exactly one wins.
    let (x, y) = tokio::join!(
        a.compare_and_set(Some(&42), Some(&1)),
        b.compare_and_set(Some(&42), Some(&2))
    );
    assert!(
        x.expect("cas") ^ y.expect("cas"),
        "exactly one compare_and_set wins"
    );
    let other = first
        .get_atomic_reference::<i64>(&format!("{name}@other"))
        .await
        .expect("in another group");
    assert_eq!(
        other.get().await.expect("get"),
        None,
        "another group, another value"
    );
    first.shutdown().await;
    second.shutdown().await;
}
