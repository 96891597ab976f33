//! Shared helpers of the integration tests, which run the client's layers against real Hazelcast
//! members started by `hazelcast-testkit` (see the `[[test]]` targets of this package).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hazelcast_codec::messages::map::{MapGetRequest, MapGetResponse, MapSetRequest};
use hazelcast_codec::{Deserialize, Serialize};
use hazelcast_invocation::{ClusterClient, DiscoveryAddresses, InvocationConfig, InvocationError, Target};
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};
use hazelcast_transport::Address;

pub use hazelcast_testkit::raw::{RawConnection, RawError};

/// Polls `cond` every 20 ms until it holds; panics naming `what` after `deadline`.
pub async fn wait_for(what: &str, deadline: Duration, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts a cluster off the async runtime (the test kit blocks while members start).
pub async fn start_cluster(config: ClusterConfig) -> Arc<Cluster> {
    tokio::task::spawn_blocking(move || config.start())
        .await
        .expect("the start task runs")
        .map(Arc::new)
        .expect("the cluster starts")
}

/// Runs a blocking cluster operation (kill, restart, pause …) off the async runtime, panicking
/// with `what` if it fails.
pub async fn on_cluster<E: std::fmt::Debug + Send + 'static>(
    cluster: &Arc<Cluster>,
    what: &str,
    op: impl FnOnce(&Cluster) -> Result<(), E> + Send + 'static,
) {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || op(&c))
        .await
        .expect("the cluster operation runs")
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
}

/// The binary's shared cluster, started on first use off the async runtime.
pub async fn shared(cluster: &'static SharedCluster) -> &'static Cluster {
    tokio::task::spawn_blocking(move || cluster.get().map(|_| ()))
        .await
        .expect("the start task runs")
        .expect("the shared cluster starts");
    cluster.get().expect("started")
}

/// The members of `cluster` as the client's member list.
pub fn seeds(cluster: &Cluster) -> Arc<DiscoveryAddresses> {
    Arc::new(DiscoveryAddresses::fixed(
        cluster.addresses().iter().map(|a| Address::from(*a)),
    ))
}

/// A client configuration for `cluster`: its name, a 30 s invocation timeout and quick
/// reconnect backoff.
pub fn client_config(cluster: &Cluster) -> InvocationConfig {
    let mut cfg = InvocationConfig::default();
    cfg.cluster_name = cluster.cluster_name().to_owned();
    cfg.invocation_timeout = Duration::from_secs(30);
    cfg.connection_retry.initial = Duration::from_millis(200);
    cfg.connection_retry.max = Duration::from_secs(1);
    cfg
}

/// The address of a socket address.
pub fn endpoint(a: std::net::SocketAddr) -> Address {
    Address::from(a)
}

/// Writes `n` keys `<map>-<i>` → `i` and reads each back, every call routed by its key's
/// partition; panics naming the failing call.
pub async fn put_get(client: &ClusterClient, map: &str, n: i32) {
    for i in 0..n {
        let key = format!("{map}-{i}");
        map_set(client, map, &key, i)
            .await
            .unwrap_or_else(|e| panic!("set {i}: {e}"));
        let got = map_get::<i32>(client, map, &key)
            .await
            .unwrap_or_else(|e| panic!("get {i}: {e}"));
        assert_eq!(got, Some(i), "read back {key}");
    }
}

/// `Map.Set` of `key` to `value`, routed to the key's partition.
pub async fn map_set<V: Serialize>(
    client: &ClusterClient,
    map: &str,
    key: &str,
    value: V,
) -> Result<(), InvocationError> {
    let (k, v) = (key.to_data(), value.to_data());
    let pid = client.partition_id(&k);
    let request = MapSetRequest {
        thread_id: 1,
        ttl: -1,
        name: map,
        key: &k,
        value: &v,
    };
    client.invoke(&request, Target::Partition(pid)).await?;
    Ok(())
}

/// `Map.Get` of `key`, routed to the key's partition.
pub async fn map_get<V: Deserialize>(
    client: &ClusterClient,
    map: &str,
    key: &str,
) -> Result<Option<V>, InvocationError> {
    let k = key.to_data();
    let pid = client.partition_id(&k);
    let answer = client
        .invoke(
            &MapGetRequest {
                thread_id: 1,
                name: map,
                key: &k,
            },
            Target::Partition(pid),
        )
        .await?;
    Ok(MapGetResponse::decode(&answer)?
        .response
        .map(|d| V::from_data(&d))
        .transpose()?)
}

/// Dials every member through another address (a fault proxy, a relay): member `real[i]` is
/// reached at `via[i]`, and the `via` addresses are the seeds.
#[derive(Debug)]
pub struct Redirected {
    by_member: std::collections::HashMap<std::net::SocketAddr, std::net::SocketAddr>,
    seeds: Vec<Address>,
}

impl Redirected {
    /// `real[i]` is dialled at `via[i]`.
    pub fn new(real: &[std::net::SocketAddr], via: &[std::net::SocketAddr]) -> Arc<Self> {
        Arc::new(Redirected {
            by_member: real.iter().copied().zip(via.iter().copied()).collect(),
            seeds: via.iter().copied().map(endpoint).collect(),
        })
    }
}

#[async_trait::async_trait]
impl hazelcast_invocation::AddressSource for Redirected {
    async fn seeds(&self) -> Result<Vec<Address>, InvocationError> {
        Ok(self.seeds.clone())
    }
    async fn dial_address(&self, member: &hazelcast_codec::custom::MemberInfo) -> Address {
        let real: std::net::SocketAddr = member
            .client_address()
            .to_string()
            .parse()
            .expect("member address");
        endpoint(self.by_member.get(&real).copied().unwrap_or(real))
    }
}

/// Runs an `async fn` test body on both tokio runtime flavours: `flavours!(name);` next to
/// `async fn name()` gives the tests `name::current_thread` and `name::multi_thread`. The client
/// must work on both; a `current_thread` runtime is also where a call that never yields shows
/// (it freezes everything else).
#[macro_export]
macro_rules! flavours {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "current_thread")]
            async fn current_thread() {
                super::$name().await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$name().await
            }
        }
    };
}

/// The index in `addresses` (a cluster's member addresses, in the order the proxy or the test
/// uses) of each member the client lists, by UUID.
pub fn member_index(
    client: &ClusterClient,
    addresses: &[std::net::SocketAddr],
) -> std::collections::HashMap<hazelcast_codec::Uuid, usize> {
    client
        .snapshot()
        .members
        .members
        .iter()
        .map(|m| {
            let a: std::net::SocketAddr = m.client_address().to_string().parse().expect("address");
            let i = addresses.iter().position(|x| *x == a).expect("a member");
            (m.uuid, i)
        })
        .collect()
}
