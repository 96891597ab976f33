//! The pattern every distributed-object proxy follows: a [`ProxyCore`] (the client, the
//! object's name and service) that creates the object on the cluster on first use, routes
//! requests (by key, by the object's name, to any member), and turns keys, values and items into
//! `Data` and back through the client's serialization (Compact schemas included). Listeners go
//! through [`listener`].
//!
//! A new structure is a short file: a struct holding a `ProxyCore` and its item types, one
//! method per operation (build the generated request, [`ProxyCore::invoke`], decode the
//! generated response), and a `HazelcastClient::get_*` constructor.

pub(crate) mod listener;
pub(crate) mod owned;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hazelcast_codec::messages::Request;
use hazelcast_codec::{ClientMessage, Data, Serialize};
use hazelcast_invocation::{ClusterClient, Target};
use hazelcast_serialization::{FromData, ToData};

use crate::client::HazelcastClient;
use crate::error::HazelcastError;

/// Where a request goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Route<'a> {
    /// The partition of the object's name (queues, lists, sets, topics, counters, …).
    Name,
    /// The partition of a serialized key.
    Key(&'a Data),
    /// A given partition.
    Partition(i32),
    /// Any member.
    Any,
    /// A given member (any connection when the client has none to it).
    Member(hazelcast_codec::Uuid),
}

/// What every proxy holds: the client, the object's name and its service.
#[derive(Debug, Clone)]
pub(crate) struct ProxyCore {
    client: HazelcastClient,
    name: Arc<str>,
    service: &'static str,
    /// The partition of the name, with the partition count it was computed for.
    name_partition: Arc<NamePartition>,
}

/// The partition of an object's name, cached with the partition count it was computed for: a
/// different count (another cluster) computes it again. Lock-free: the count and the partition
/// packed in one word, 0 while unknown.
#[derive(Debug, Default)]
pub(crate) struct NamePartition(AtomicU64);

impl NamePartition {
    /// The cached partition, if it was computed for `count` partitions.
    pub(crate) fn get(&self, count: i32) -> Option<i32> {
        let packed = self.0.load(Ordering::Acquire);
        let (cached_count, partition) = ((packed >> 32) as u32, packed as u32);
        (packed != 0 && i64::from(cached_count) == i64::from(count))
            .then(|| i32::try_from(partition).ok())
            .flatten()
    }

    /// Records `partition` as the partition for `count` partitions.
    pub(crate) fn set(&self, count: i32, partition: i32) {
        if let (Ok(c), Ok(p)) = (u32::try_from(count), u32::try_from(partition))
            && c > 0
        {
            self.0
                .store((u64::from(c) << 32) | u64::from(p), Ordering::Release);
        }
    }
}

impl ProxyCore {
    /// The proxy of `name` in `service`, created on the cluster (`Client.CreateProxy`) the first
    /// time this client asks for it (and again after a switch to a new cluster).
    pub(crate) async fn new(
        client: &HazelcastClient,
        name: &str,
        service: &'static str,
    ) -> Result<Self, HazelcastError> {
        client.create_proxy(name, service).await?;
        Ok(ProxyCore {
            client: client.clone(),
            name: name.into(),
            service,
            name_partition: Arc::default(),
        })
    }

    /// The proxy of `name` in `service` without `Client.CreateProxy`: for CP structures, which
    /// live in a CP group rather than in the proxy registry (Java's `ClientRaftProxyFactory`
    /// creates none either).
    pub(crate) fn unregistered(client: &HazelcastClient, name: &str, service: &'static str) -> Self {
        ProxyCore {
            client: client.clone(),
            name: name.into(),
            service,
            name_partition: Arc::default(),
        }
    }

    /// The object's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The client.
    pub(crate) fn client(&self) -> &HazelcastClient {
        &self.client
    }

    /// The connected invocation client, or the error a call gets now.
    pub(crate) fn cluster(&self) -> Result<ClusterClient, HazelcastError> {
        self.client.cluster()
    }

    /// The partition of the object's name: that of its partition key, the part after `@` when
    /// the name has one (`orders@eu` lives with everything keyed `eu`), as the official clients
    /// compute it.
    pub(crate) fn name_partition(&self, cc: &ClusterClient) -> Result<i32, HazelcastError> {
        let count = cc.partition_count();
        if let Some(p) = self.name_partition.get(count) {
            return Ok(p);
        }
        let key = partition_key(&self.name);
        let p = self.client.partition_of(cc, &Serialize::to_data(key))?;
        self.name_partition.set(count, p);
        Ok(p)
    }

    /// Sends `request` along `route` and returns the raw answer.
    pub(crate) async fn invoke<R: Request>(
        &self,
        request: &R,
        route: Route<'_>,
    ) -> Result<ClientMessage, HazelcastError> {
        let cc = self.cluster()?;
        let target = match route {
            Route::Name => Target::Partition(self.name_partition(&cc)?),
            Route::Key(key) => Target::Partition(self.client.partition_of(&cc, key)?),
            Route::Partition(p) => Target::Partition(p),
            Route::Any => Target::Any,
            Route::Member(uuid) => Target::Member(uuid),
        };
        cc.invoke(request, target)
            .await
            .map_err(|e| self.client.call_error(e))
    }

    /// Serializes an item, key or value (sending the Compact schemas it needs first).
    pub(crate) async fn data<T: ToData + ?Sized>(&self, value: &T) -> Result<Data, HazelcastError> {
        self.client.write_data(value).await
    }

    /// Serializes every item of `values`.
    pub(crate) async fn all_data<'v, T, I>(&self, values: I) -> Result<Vec<Data>, HazelcastError>
    where
        T: ToData + ?Sized + 'v,
        I: IntoIterator<Item = &'v T>,
    {
        let mut out = Vec::new();
        for v in values {
            out.push(self.client.write_data(v).await?);
        }
        Ok(out)
    }

    /// Deserializes an item, key or value (fetching unknown Compact schemas).
    pub(crate) async fn value<T: FromData>(&self, data: &Data) -> Result<T, HazelcastError> {
        self.client.read_data(data).await
    }

    /// Deserializes a value that may be absent (no data, empty, or the null type).
    pub(crate) async fn opt<T: FromData>(&self, data: Option<Data>) -> Result<Option<T>, HazelcastError> {
        match data {
            Some(d) if !is_null(&d) => Ok(Some(self.value(&d).await?)),
            _ => Ok(None),
        }
    }

    /// Deserializes every item of `data`.
    pub(crate) async fn values<T: FromData>(&self, data: &[Data]) -> Result<Vec<T>, HazelcastError> {
        let mut out = Vec::with_capacity(data.len());
        for d in data {
            out.push(self.value(d).await?);
        }
        Ok(out)
    }

    /// Destroys the object on the cluster.
    pub(crate) async fn destroy(&self) -> Result<(), HazelcastError> {
        self.client.destroy_proxy(&self.name, self.service).await
    }
}

/// A `Data` that stands for no value (absent, empty or the null type).
pub(crate) fn is_null(d: &Data) -> bool {
    d.is_empty() || d.type_id() == hazelcast_codec::serialization::type_id::NULL
}

/// The partition key of an object name: the part after the first `@`, else the whole name
/// (Java's `StringPartitioningStrategy`).
pub(crate) fn partition_key(name: &str) -> &str {
    match name.find('@') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// A count the member sent as `i32`, as `usize` (a negative count is 0).
pub(crate) fn count(n: i32) -> usize {
    usize::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_partition_is_cached_per_partition_count() {
        let cache = NamePartition::default();
        assert_eq!(cache.get(271), None, "nothing cached yet");
        assert_eq!(cache.get(0), None, "no partition count yet");
        cache.set(271, 170);
        assert_eq!(cache.get(271), Some(170));
        // Another cluster with another partition count: computed again, not the old value.
        assert_eq!(cache.get(7), None);
        cache.set(7, 0);
        assert_eq!(cache.get(7), Some(0));
        assert_eq!(cache.get(271), None);
        // An unknown partition count caches nothing.
        cache.set(0, 3);
        assert_eq!(cache.get(7), Some(0));
    }

    #[test]
    fn the_partition_key_is_what_follows_the_first_at() {
        assert_eq!(partition_key("orders"), "orders");
        assert_eq!(partition_key("orders@eu"), "eu");
        assert_eq!(partition_key("a@b@c"), "b@c");
        assert_eq!(partition_key("trailing@"), "");
    }
}
