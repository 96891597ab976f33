//! The fault-injection proxy against a real member.
//!
//! The tests share one 1-member cluster; set `HZ_SKIP_MEMBER_TESTS=1` to skip them on a host
//! without Java.

mod common;

use common::*;

use std::time::{Duration, Instant};

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    ClientAddClusterViewListenerRequest, ClientAddClusterViewListenerResponse,
};
use hazelcast_codec::messages::map::{MapGetResponse, MapPutRequest};
use hazelcast_codec::{ClientMessage, Deserialize, ErrorCode, ErrorResponse, Serialize, Uuid};
use hazelcast_testkit::proxy::{Condition, FaultProxy, Reaction, Rule, forge_error_response};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

static MEMBER: SharedCluster = SharedCluster::new(ClusterConfig::new);

fn skip() -> bool {
    let skip = std::env::var_os("HZ_SKIP_MEMBER_TESTS").is_some_and(|v| !v.is_empty() && v != "0");
    if skip {
        hazelcast_testkit::report_skip(
            &hazelcast_testkit::current_test_name(),
            "HZ_SKIP_MEMBER_TESTS is set (no real members)",
        );
    }
    skip
}

/// The shared member, started off the async threads; `None` when member tests are skipped.
async fn member() -> Option<&'static Cluster> {
    if skip() {
        return None;
    }
    let cluster = tokio::task::spawn_blocking(|| MEMBER.get().map_err(|e| e.to_string()))
        .await
        .expect("cluster start task")
        .expect("a 1-member cluster of a real Hazelcast member starts");
    Some(cluster)
}

/// A proxy in front of the shared member.
async fn proxy(cluster: &Cluster) -> FaultProxy {
    FaultProxy::start(&cluster.addresses())
        .await
        .expect("proxy starts")
}

/// A map name no other test uses.
fn map_name(test: &str) -> String {
    format!("proxy-{test}-{}", Uuid::new_v4())
}

async fn recv_feedback(rx: &mut UnboundedReceiver<ClientMessage>) -> ClientMessage {
    tokio::time::timeout(ANSWER, rx.recv())
        .await
        .expect("feedback within the deadline")
        .expect("feedback channel open")
}

#[tokio::test(flavor = "multi_thread")]
async fn passes_everything_through_and_counts_requests_by_type() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    assert_ne!(proxy.address(0), cluster.address(0));
    assert_eq!(proxy.target(0), cluster.address(0));
    assert_eq!(proxy.addresses(), vec![proxy.address(0)]);

    let map = map_name("pass");
    let mut client = Client::connect(proxy.address(0)).await;
    let auth = client.authenticate(cluster.cluster_name()).await;
    assert_eq!(auth.partition_count, 271);
    client.put_ok(&map, "k", 7).await;
    client.put_ok(&map, "k", 8).await;
    assert_eq!(client.get_ok(&map, "k").await, Some(8));

    let stats = proxy.stats();
    assert_eq!(stats.connections_accepted(), 1);
    let member = &stats.members[0];
    assert_eq!(member.connections_accepted, 1);
    assert_eq!(member.requests(AUTH), 1);
    assert_eq!(member.requests(PUT), 2);
    assert_eq!(member.requests(GET), 1);
    assert_eq!(stats.requests(GET), 1);
    assert_eq!(member.requests_forwarded.values().sum::<u64>(), 4);
    assert_eq!(member.responses_forwarded, 4);
    assert_eq!(member.requests_intercepted + member.responses_intercepted, 0);
    assert_eq!(proxy.connections(), 1);

    drop(client);
    eventually("the proxied connection to close", ANSWER, || {
        proxy.connections() == 0
    })
    .await;
    proxy.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_get_answers_never_arrive_while_puts_are_answered() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    proxy.set_response_rules(vec![Rule::new(
        Condition::MessageType(GET_ANSWER),
        Reaction::Drop,
    )]);
    let map = map_name("drop");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    client.put_ok(&map, "k", 1).await;

    let get = client.get(&map, "k").await;
    let put = client.put(&map, "k", 2).await;
    // The put sent after the get is answered; the get never is.
    let answer = client.answer(put, ANSWER).await.expect("put answer");
    assert_eq!(answer.message_type(), PUT_ANSWER);
    assert!(matches!(client.answer(get, QUIET).await, Err(Recv::Timeout)));

    let member = &proxy.stats().members[0];
    assert_eq!(member.requests(GET), 1, "the get reached the member");
    assert_eq!(member.responses_intercepted, 1, "its answer was dropped");
}

#[tokio::test(flavor = "multi_thread")]
async fn delayed_requests_are_answered_no_earlier_than_the_delay_and_in_order() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let delay = Duration::from_millis(700);
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(GET),
        Reaction::Delay(delay),
    )]);
    let map = map_name("delay");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    client.put_ok(&map, "k", 5).await;

    let sent = Instant::now();
    let get = client.get(&map, "k").await;
    // Head-of-line: a put sent right behind the delayed get waits behind it and reaches the
    // member after it, so the get still reads the old value.
    let put = client.put(&map, "k", 6).await;
    let first = client.recv(ANSWER).await.expect("first answer");
    let elapsed = sent.elapsed();
    assert_eq!(first.correlation_id(), get, "the delayed get is answered first");
    assert!(
        elapsed >= delay,
        "answered after {elapsed:?}, before the {delay:?} delay"
    );
    assert_eq!(get_value(&first), Some(5));
    let second = client.recv(ANSWER).await.expect("second answer");
    assert_eq!(second.correlation_id(), put);

    // Without the rule the next get is not delayed.
    proxy.clear_rules();
    let sent = Instant::now();
    assert_eq!(client.get_ok(&map, "k").await, Some(6));
    assert!(sent.elapsed() < delay * 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_member_left_error_answers_the_put_which_never_reaches_the_member() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let class = "com.hazelcast.core.MemberLeftException";
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(PUT),
        forge_error_response(ErrorCode::MemberLeft, class, "forged by the proxy"),
    )]);
    let map = map_name("forge");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;

    let put = client.put(&map, "k", 1).await;
    let answer = client.answer(put, ANSWER).await.expect("forged answer");
    assert!(answer.is_error());
    let error = ErrorResponse::decode(&answer).expect("an error response");
    assert_eq!(error.code(), ErrorCode::MemberLeft);
    assert_eq!(error.errors[0].class_name, class);
    assert_eq!(error.errors[0].message.as_deref(), Some("forged by the proxy"));

    // The member never saw the put.
    assert_eq!(client.get_ok(&map, "k").await, None);
    let member = &proxy.stats().members[0];
    assert_eq!(member.requests(PUT), 0);
    assert_eq!(member.requests_intercepted, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn cut_on_the_first_get_only_then_later_connections_pass() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(GET).and(Condition::Times(1)),
        Reaction::CutConnection,
    )]);
    let map = map_name("cut");
    let mut first = Client::connect(proxy.address(0)).await;
    first.authenticate(cluster.cluster_name()).await;
    first.put_ok(&map, "k", 3).await;
    let get = first.get(&map, "k").await;
    assert!(
        matches!(first.answer(get, ANSWER).await, Err(Recv::Closed)),
        "the client sees its connection closed"
    );
    eventually("the cut connection to be gone", ANSWER, || {
        proxy.connections() == 0
    })
    .await;

    let mut second = Client::connect(proxy.address(0)).await;
    second.authenticate(cluster.cluster_name()).await;
    assert_eq!(second.get_ok(&map, "k").await, Some(3));
    assert_eq!(second.get_ok(&map, "k").await, Some(3));
    let member = &proxy.stats().members[0];
    assert_eq!(member.connections_accepted, 2);
    assert_eq!(member.requests(GET), 2);
    assert_eq!(member.requests_intercepted, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn cut_after_a_delay_drops_the_message_and_closes_later() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let after = Duration::from_millis(400);
    proxy.set_request_rules(vec![Rule::new(
        Condition::MessageType(GET),
        Reaction::CutConnectionAfter(after),
    )]);
    let map = map_name("cut-after");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    let started = Instant::now();
    let get = client.get(&map, "k").await;
    // Until the cut, other messages still flow.
    client.put_ok(&map, "k", 4).await;
    assert!(matches!(client.answer(get, ANSWER).await, Err(Recv::Closed)));
    assert!(started.elapsed() >= after, "closed after {:?}", started.elapsed());
    assert_eq!(proxy.stats().members[0].requests(GET), 0, "the get was dropped");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_reported_delivered_survives_a_cut_that_follows() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let (delivered_tx, mut delivered) = unbounded_channel();
    let (matched_tx, mut matched) = unbounded_channel();
    proxy.set_response_rules(vec![
        Rule::new(Condition::MessageType(GET_ANSWER), Reaction::Pass)
            .with_feedback(matched_tx)
            .with_delivery_feedback(delivered_tx),
    ]);
    let map = map_name("delivered");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    client.put_ok(&map, "k", 5).await;
    for _ in 0..20 {
        let get = client.get(&map, "k").await;
        let reported = recv_feedback(&mut delivered).await;
        assert_eq!(reported.correlation_id(), get);
        assert_eq!(recv_feedback(&mut matched).await.correlation_id(), get);
        // Read it only now: it was in the socket before this test asked for more.
        let answer = client.answer(get, ANSWER).await.expect("delivered answer");
        assert_eq!(get_value(&answer), Some(5));
    }
    // A delivered answer is readable even when the connection is cut right after the report.
    let get = client.get(&map, "k").await;
    recv_feedback(&mut delivered).await;
    proxy.cut_member(0);
    let answer = client
        .answer(get, ANSWER)
        .await
        .expect("answer kept across the cut");
    assert_eq!(get_value(&answer), Some(5));
    assert!(matches!(client.recv(ANSWER).await, Err(Recv::Closed)));
    // Dropped messages are never reported as delivered: the first report on a new connection,
    // whose writer reports in queue order, is of the put answer that passed after the dropped get.
    let (delivered_tx, mut delivered) = unbounded_channel();
    proxy.set_response_rules(vec![
        Rule::new(Condition::MessageType(GET_ANSWER), Reaction::Drop)
            .with_delivery_feedback(delivered_tx.clone()),
        Rule::new(Condition::MessageType(PUT_ANSWER), Reaction::Pass).with_delivery_feedback(delivered_tx),
    ]);
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    let get = client.get(&map, "k").await;
    let put = client.put(&map, "k", 6).await;
    let first = recv_feedback(&mut delivered).await;
    assert_eq!(
        first.correlation_id(),
        put,
        "the dropped get ({get}) was not reported"
    );
    assert!(matches!(client.answer(get, QUIET).await, Err(Recv::Timeout)));
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_seq_selects_a_connection_and_cut_all_closes_every_one() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    proxy.set_request_rules(vec![Rule::new(
        Condition::And(vec![
            Condition::Member(0),
            Condition::ConnectionSeq(0),
            Condition::MessageType(GET),
        ]),
        Reaction::Drop,
    )]);
    let map = map_name("seq");
    let mut zeroth = Client::connect(proxy.address(0)).await;
    zeroth.authenticate(cluster.cluster_name()).await;
    let mut first = Client::connect(proxy.address(0)).await;
    first.authenticate(cluster.cluster_name()).await;

    assert_eq!(first.get_ok(&map, "k").await, None);
    let get = zeroth.get(&map, "k").await;
    assert!(matches!(zeroth.answer(get, QUIET).await, Err(Recv::Timeout)));
    assert_eq!(proxy.connections(), 2);

    proxy.cut_all();
    assert!(matches!(zeroth.recv(ANSWER).await, Err(Recv::Closed)));
    assert!(matches!(first.recv(ANSWER).await, Err(Recv::Closed)));
    eventually("all connections to be gone", ANSWER, || proxy.connections() == 0).await;
    // The listener still accepts.
    let mut third = Client::connect(proxy.address(0)).await;
    third.authenticate(cluster.cluster_name()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_changed_on_an_open_connection_apply_to_the_next_message() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let map = map_name("change");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    client.put_ok(&map, "k", 9).await;
    assert_eq!(client.get_ok(&map, "k").await, Some(9));

    proxy.set_response_rules(vec![Rule::new(
        Condition::MessageType(GET_ANSWER),
        Reaction::Drop,
    )]);
    let get = client.get(&map, "k").await;
    assert!(matches!(client.answer(get, QUIET).await, Err(Recv::Timeout)));

    proxy.set_response_rules(Vec::new());
    assert_eq!(client.get_ok(&map, "k").await, Some(9));
    assert_eq!(
        proxy.stats().members[0].connections_accepted,
        1,
        "same connection throughout"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feedback_receives_matched_messages_and_transform_rewrites_them() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let (requests_tx, mut requests) = unbounded_channel();
    let (answers_tx, mut answers) = unbounded_channel();
    proxy.set_request_rules(vec![
        Rule::new(Condition::MessageType(PUT), Reaction::Pass).with_feedback(requests_tx),
    ]);
    proxy.set_response_rules(vec![
        Rule::new(
            Condition::MessageType(GET_ANSWER),
            // Every Map.Get answer reads 42.
            Reaction::transform(|answer| {
                MapGetResponse::new(Some(42.to_data())).encode(answer.correlation_id())
            }),
        )
        .with_feedback(answers_tx),
    ]);
    let map = map_name("feedback");
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    let put = client.put(&map, "k", 1).await;

    let seen = recv_feedback(&mut requests).await;
    assert_eq!(seen.correlation_id(), put);
    let put_params = MapPutRequest::decode_request(&seen).expect("a put request");
    assert_eq!(put_params.name, map);
    let (key, value) = (put_params.key, put_params.value);
    assert_eq!(String::from_data(&key).expect("string key"), "k");
    assert_eq!(i32::from_data(&value).expect("i32 value"), 1);
    client.answer(put, ANSWER).await.expect("put answer");

    let get = client.get(&map, "k").await;
    let answer = client.answer(get, ANSWER).await.expect("get answer");
    assert_eq!(get_value(&answer), Some(42), "the transformed answer");
    let original = recv_feedback(&mut answers).await;
    assert_eq!(original.correlation_id(), get);
    assert_eq!(get_value(&original), Some(1), "feedback sees the member's answer");
    assert!(requests.try_recv().is_err(), "the get did not match the put rule");
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_told_apart_from_responses() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let (events_tx, mut events) = unbounded_channel();
    proxy.set_response_rules(vec![
        Rule::new(Condition::IsEvent, Reaction::Drop).with_feedback(events_tx),
    ]);
    let mut client = Client::connect(proxy.address(0)).await;
    client.authenticate(cluster.cluster_name()).await;
    let id = client.send(&ClientAddClusterViewListenerRequest {}, -1).await;
    // The member pushes the members view (and the partitions view) as events.
    let event = recv_feedback(&mut events).await;
    assert!(event.is_event());
    assert_eq!(event.correlation_id(), id);
    let mut answered = false;
    let quiet_until = Instant::now() + QUIET;
    loop {
        let left = quiet_until.saturating_duration_since(Instant::now());
        let wait = if answered { left } else { ANSWER };
        match client.recv(wait).await {
            Ok(msg) => {
                assert!(!msg.is_event(), "an event got through: {msg:?}");
                ClientAddClusterViewListenerResponse::decode(&msg).expect("listener answer");
                answered = true;
            }
            Err(Recv::Timeout) if answered => break,
            Err(e) => panic!("no listener answer: {e:?}"),
        }
    }
    let member = &proxy.stats().members[0];
    assert_eq!(member.events_forwarded, 0);
    assert!(member.responses_intercepted >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_proxy_closes_its_connections_and_listeners() {
    let Some(cluster) = member().await else { return };
    let proxy = proxy(cluster).await;
    let addr = proxy.address(0);
    let mut client = Client::connect(addr).await;
    client.authenticate(cluster.cluster_name()).await;
    drop(proxy);
    assert!(matches!(client.recv(ANSWER).await, Err(Recv::Closed)));
    let deadline = Instant::now() + ANSWER;
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "the listener still accepts");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
