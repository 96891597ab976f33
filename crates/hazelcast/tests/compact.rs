//! User types through the facade against real members: Compact records from serde structs,
//! their schemas sent to the cluster before the records are visible, fetched by a client that
//! has never seen the type, and sent again after a whole-cluster restart.

use std::time::{Duration, Instant};

use hazelcast::serialization::{Compact, GenericRecord, Json};
use hazelcast::{ClientConfig, ClientEvent, HazelcastClient, HazelcastError, Uuid};
use hazelcast_testkit::{Cluster, ClusterConfig};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "com.example.Person")]
struct Person {
    name: String,
    age: i32,
    email: Option<String>,
    scores: Vec<f64>,
    address: Address,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "com.example.Address")]
struct Address {
    city: String,
    zip: i64,
}

/// `Person` as an older reader knows it: fewer fields (extra fields are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "com.example.Person")]
struct PersonV1 {
    name: String,
    age: i32,
}

fn person(i: i32) -> Person {
    Person {
        name: format!("person-{i}"),
        age: 20 + i,
        email: (i % 2 == 0).then(|| format!("p{i}@example.com")),
        scores: vec![f64::from(i), 0.5],
        address: Address {
            city: "Lyon".into(),
            zip: 69_000 + i64::from(i),
        },
    }
}

fn config(cluster: &Cluster) -> ClientConfig {
    ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(cluster.addresses().iter().map(ToString::to_string))
        .invocation_timeout(Duration::from_secs(30))
        .build()
        .expect("valid config")
}

async fn start(cluster: &Cluster) -> HazelcastClient {
    HazelcastClient::start(config(cluster))
        .await
        .expect("client starts")
}

async fn start_cluster(members: usize) -> Cluster {
    tokio::task::spawn_blocking(move || ClusterConfig::new().members(members).start())
        .await
        .expect("join")
        .expect("cluster starts")
}

fn map_name(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_saw_the_type_reads_records_another_wrote() {
    let cluster = start_cluster(2).await;
    let (writer, reader) = (start(&cluster).await, start(&cluster).await);
    let name = map_name("people");
    let people = writer.get_map::<i32, Compact<Person>>(&name).await.expect("map");
    for i in 0..20 {
        people.set(i, Compact(person(i))).await.expect("set");
    }
    assert!(
        writer.serialization().schemas().unreplicated().is_empty(),
        "every schema a written record uses is on the cluster"
    );
    assert!(
        reader.serialization().schemas().is_empty(),
        "the reader knows no schema yet"
    );

    let read = reader.get_map::<i32, Compact<Person>>(&name).await.expect("map");
    for i in 0..20 {
        let Compact(p) = read.get(i).await.expect("get").expect("present");
        assert_eq!(p, person(i));
    }
    // Fetched once each: Person and the nested Address.
    assert_eq!(reader.serialization().schemas().len(), 2);

    // Evolution: a struct with fewer fields reads the same records; a generic record sees all.
    let older = reader
        .get_map::<i32, Compact<PersonV1>>(&name)
        .await
        .expect("map");
    let Compact(v1) = older.get(3).await.expect("get").expect("present");
    assert_eq!(
        v1,
        PersonV1 {
            name: "person-3".into(),
            age: 23
        }
    );
    let generic = reader.get_map::<i32, GenericRecord>(&name).await.expect("map");
    let record = generic.get(4).await.expect("get").expect("present");
    assert_eq!(record.type_name(), "com.example.Person");

    // A record of another shape under a struct that needs a missing field is a typed error.
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename = "com.example.Person")]
    struct NeedsPhone {
        name: String,
        phone: String,
    }
    let wrong = reader
        .get_map::<i32, Compact<NeedsPhone>>(&name)
        .await
        .expect("map");
    let e = wrong.get(5).await.expect_err("missing field");
    assert!(matches!(e, HazelcastError::Value(_)), "{e:?}");
    assert!(e.to_string().contains("phone"), "{e}");

    writer.shutdown().await;
    reader.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_values_round_trip_and_are_json_on_the_member() {
    let cluster = start_cluster(1).await;
    let client = start(&cluster).await;
    let map = client
        .get_map::<String, Json<Address>>(&map_name("json"))
        .await
        .expect("map");
    let a = Address {
        city: "Oslo".into(),
        zip: 150,
    };
    map.set("a", Json(a.clone())).await.expect("set");
    let Json(back) = map.get("a").await.expect("get").expect("present");
    assert_eq!(back, a);
    // The same entry read as the raw JSON text other clients see.
    let raw = client
        .get_map::<String, hazelcast::JsonValue>(map.name())
        .await
        .expect("map");
    let text = raw.get("a").await.expect("get").expect("present").0;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).expect("json")["city"],
        "Oslo"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_are_sent_again_after_a_whole_cluster_restart() {
    let cluster = std::sync::Arc::new(start_cluster(1).await);
    let writer = start(&cluster).await;
    let name = map_name("restart");
    let people = writer.get_map::<i32, Compact<Person>>(&name).await.expect("map");
    people
        .set(1, Compact(person(1)))
        .await
        .expect("set before the restart");

    let mut events = writer.events();
    let restarting = cluster.clone();
    tokio::task::spawn_blocking(move || restarting.restart(0))
        .await
        .expect("join")
        .expect("restart");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(ClientEvent::ClusterChanged)) => break,
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            other => panic!("no ClusterChanged within 120 s: {other:?}"),
        }
    }

    // The new cluster lost the schema; the writer's registry still knows it. Records written
    // now must be readable by a client that never saw the type.
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(e) = people.set(2, Compact(person(2))).await {
        assert!(
            Instant::now() < deadline && e.is_retryable(),
            "set after the restart: {e:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reader = start(&cluster).await;
    let read = reader.get_map::<i32, Compact<Person>>(&name).await.expect("map");
    let Compact(p) = read.get(2).await.expect("get").expect("present");
    assert_eq!(p, person(2));
    writer.shutdown().await;
    reader.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_writes_of_a_new_type_all_succeed() {
    let cluster = start_cluster(1).await;
    let client = start(&cluster).await;
    let people = client
        .get_map::<i32, Compact<Person>>(&map_name("concurrent"))
        .await
        .expect("map");
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let people = people.clone();
            tokio::spawn(async move { people.set(i, Compact(person(i))).await })
        })
        .collect();
    for t in tasks {
        t.await.expect("join").expect("set");
    }
    assert!(client.serialization().schemas().unreplicated().is_empty());
    assert_eq!(client.schemas_sent(), 2, "Person and Address, each sent once");
    assert_eq!(people.size().await.expect("size"), 32);
    client.shutdown().await;
}
