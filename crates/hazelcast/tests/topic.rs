//! `Topic` against real members: publish and publish_all reach every listener in order with
//! the publish time and the publishing member, across clients; closing one leaves the others;
//! user types as messages; the stream as a `futures_core::Stream`.

use std::pin::Pin;
use std::time::{Duration, SystemTime};

use hazelcast::serialization::Compact;
use hazelcast::serialization::FromData;
use hazelcast::{ClientConfig, HazelcastClient, MessageStream, TopicMessage, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2));

async fn client() -> HazelcastClient {
    tokio::task::spawn_blocking(|| CLUSTER.get().map(|_| ()))
        .await
        .expect("join")
        .expect("a 2-member cluster starts");
    let cluster: &Cluster = CLUSTER.get().expect("cluster");
    let config = ClientConfig::builder()
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

async fn next<T: FromData>(stream: &mut MessageStream<T>) -> TopicMessage<T> {
    tokio::time::timeout(Duration::from_secs(10), stream.recv())
        .await
        .expect("a message within 10 s")
        .expect("stream open")
        .expect("decodes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_messages_reach_a_listener_in_order_with_time_and_member() {
    let client = client().await;
    let topic = client.get_topic::<String>(&unique("news")).await.expect("topic");
    let mut stream = topic.messages().await.expect("listener");
    let before = SystemTime::now() - Duration::from_secs(60);
    topic.publish("one").await.expect("publish");
    let rest = ["two".to_owned(), "three".to_owned(), "four".to_owned()];
    topic.publish_all(&rest).await.expect("publish_all");
    let members: Vec<Uuid> = client.members().iter().map(|m| m.uuid).collect();
    let mut got = Vec::new();
    for _ in 0..4 {
        let m = next(&mut stream).await;
        let at = m.publish_time().expect("a time after the epoch");
        assert!(
            at > before && at < SystemTime::now() + Duration::from_secs(60),
            "publish time {at:?}"
        );
        assert!(members.contains(&m.member), "{} is a member", m.member);
        got.push(m.message);
    }
    assert_eq!(got, ["one", "two", "three", "four"]);
    assert_eq!(stream.dropped(), 0);
    stream.close().await;
    topic.destroy().await.expect("destroy");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listener_of_every_client_gets_each_message_and_closing_one_leaves_the_others() {
    let (publisher, reader) = (client().await, client().await);
    let name = unique("fanout");
    let out = publisher.get_topic::<i64>(&name).await.expect("topic");
    let input = reader.get_topic::<i64>(&name).await.expect("topic");
    let mut first = input.messages().await.expect("listener");
    let mut second = input.messages().await.expect("listener");
    let mut own = out.messages().await.expect("listener");
    for i in 0..20 {
        out.publish(i).await.expect("publish");
    }
    for stream in [&mut first, &mut second, &mut own] {
        let mut seen = Vec::new();
        for _ in 0..20 {
            seen.push(next(stream).await.message);
        }
        assert_eq!(seen, (0..20).collect::<Vec<_>>());
    }
    // Closing one listener leaves the others registered.
    second.close().await;
    out.publish(100).await.expect("publish");
    assert_eq!(next(&mut first).await.message, 100);
    assert_eq!(next(&mut own).await.message, 100);
    publisher.shutdown().await;
    reader.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_sees_only_messages_published_after_it_registered() {
    let client = client().await;
    let topic = client.get_topic::<String>(&unique("late")).await.expect("topic");
    topic.publish("early").await.expect("publish");
    let mut stream = topic.messages().await.expect("listener");
    topic.publish("late").await.expect("publish");
    assert_eq!(next(&mut stream).await.message, "late");
    client.shutdown().await;
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename = "com.example.Trade")]
struct Trade {
    symbol: String,
    price: f64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_messages_reach_another_client_through_the_stream_trait() {
    let (publisher, reader) = (client().await, client().await);
    let name = unique("trades");
    let input = reader.get_topic::<Compact<Trade>>(&name).await.expect("topic");
    let mut stream = input.messages().await.expect("listener");
    let out = publisher.get_topic::<Compact<Trade>>(&name).await.expect("topic");
    let trade = Trade {
        symbol: "HZ".into(),
        price: 12.5,
    };
    out.publish(Compact(trade.clone())).await.expect("publish");
    // The first message carries a schema the reader does not know yet: `recv` fetches it.
    let Compact(got) = next(&mut stream).await.message;
    assert_eq!(got, trade);
    // Now the schema is known, and the `Stream` implementation reads the next one.
    let second = Trade {
        symbol: "RS".into(),
        price: 1.0,
    };
    out.publish(Compact(second.clone())).await.expect("publish");
    let item = tokio::time::timeout(
        Duration::from_secs(10),
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut stream), cx)),
    )
    .await
    .expect("a message within 10 s")
    .expect("stream open")
    .expect("decodes");
    assert_eq!(item.message.0, second);
    publisher.shutdown().await;
    reader.shutdown().await;
}
