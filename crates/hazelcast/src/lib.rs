//! # hazelcast
//!
//! A Rust client for [Hazelcast](https://hazelcast.com) 5.x clusters. This facade crate is the one
//! dependency users add:
//!
//! * [`HazelcastClient`]: started from a [`ClientConfig`] (option names and defaults of the
//!   official clients; TOML, YAML or JSON files; `HZ_*` environment overrides; a builder),
//!   lifecycle and membership events, the member list, a graceful [`shutdown`](HazelcastClient::shutdown);
//! * [`Map<K, V>`]: a typed distributed map, with entry listeners as a
//!   [`Stream`](futures_core::Stream) ([`EntryEventStream`]).
//!
//! Keys and values go through [`Serialize`]/[`Deserialize`], implemented for `String`/`&str`,
//! `i8`…`i64`, `f32`, `f64`, `bool`, `Vec<u8>`, [`Uuid`] and [`JsonValue`] with the official
//! type ids: the Java, Python, Go, Node.js and C++ clients read what this client writes, and the
//! other way round.
//!
//! ```no_run
//! use hazelcast::{ClientConfig, HazelcastClient};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), hazelcast::HazelcastError> {
//!     let config = ClientConfig::builder()
//!         .cluster_name("dev")
//!         .cluster_members(["127.0.0.1:5701"])
//!         .build()?;
//!     let client = HazelcastClient::start(config).await?;
//!     let map = client.get_map::<String, String>("greetings").await?;
//!     map.put("hello", "world").await?;
//!     println!("{:?}", map.get("hello").await?);
//!     client.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! ## The layers below
//!
//! Re-exported so a user needs one dependency:
//!
//! * [`codec`]: the Open Binary Client Protocol 2.x codec (frames, messages, `Data`
//!   serialization, partition hashing), usable on its own;
//! * [`transport`]: TCP/TLS connections;
//! * [`discovery`]: member address lists, cloud discovery, public-address translation;
//! * [`invocation`]: connections, cluster view, routing, retries, backup acknowledgements.
//!
//! ## Choices worth knowing
//!
//! * **Thread id.** Map calls carry the thread id [`THREAD_ID`] (1): it only matters for entry
//!   locks, which this client does not take.
//! * **Async start.** With `async_start`, [`HazelcastClient::start`] returns at once and a task
//!   connects in the background; calls fail with `ClientOffline` until then (as in the Python
//!   client). [`HazelcastClient::wait_until_connected`] waits for it.
//! * **Entry events** pass through a bounded queue per listener; a consumer that falls behind
//!   loses events (counted by [`EntryEventStream::dropped`]) rather than stalling the
//!   connection that carries every other call.
//! * **Cloud discovery and TLS.** Hazelcast Cloud (Viridian) clusters only accept mutual TLS:
//!   with `cloud_discovery_token` also set `ssl_enabled`, `ssl_cafile`, `ssl_certfile`,
//!   `ssl_keyfile` (and `ssl_password`) from the cluster's console download, and
//!   `ssl_server_name = "hazelcast.cloud"` if the certificates do not name the members' public
//!   addresses. TLS is not switched on implicitly (a warning is logged when it is off).

mod assembly;
mod atomic_long;
mod client;
mod config;
mod cp;
mod distributed_object;
mod error;
mod flake_id_generator;
mod list;
mod map;
mod multi_map;
mod multi_map_lock;
mod pn_counter;
mod proxy;
mod queue;
mod reliable_topic;
mod replicated_map;
mod ringbuffer;
mod schemas;
mod set;
mod topic;

// The README's and the docs' Rust snippets are doc tests of this crate (compiled, and run unless
// marked `no_run`), so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
mod readme_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/getting-started.md")]
mod getting_started_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/configuration.md")]
mod configuration_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/network.md")]
mod network_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/messaging.md")]
mod messaging_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/counters.md")]
mod counters_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/collections.md")]
mod collections_snippets {}
#[cfg(doctest)]
#[doc = include_str!("../../../docs/objects.md")]
mod objects_snippets {}
#[doc = include_str!("../../../docs/cp.md")]
mod cp_snippets {}

pub use hazelcast_codec as codec;
pub use hazelcast_discovery as discovery;
pub use hazelcast_invocation as invocation;
pub use hazelcast_serialization as serialization;
pub use hazelcast_transport as transport;

pub use atomic_long::AtomicLong;
pub use client::HazelcastClient;
pub use config::{
    ClientConfig, ClientConfigBuilder, ConfigFormat, ENV_PREFIX, Mark, OptionSpec, SslProtocol, option_names,
};
pub use cp::atomic_reference::AtomicReference;
pub use cp::count_down_latch::CountDownLatch;
pub use cp::error::CpError;
pub use cp::fenced_lock::FencedLock;
pub use cp::semaphore::Semaphore;
pub use distributed_object::{
    DistributedObjectEvent, DistributedObjectEventStream, DistributedObjectEventType, DistributedObjectInfo,
};
pub use error::{ConfigError, HazelcastError};
pub use flake_id_generator::FlakeIdGenerator;
pub use list::List;
pub use map::{
    EntryEvent, EntryEventStream, EntryEventType, EntryListenerOptions, Map, SerializeAs, THREAD_ID,
};
pub use multi_map::MultiMap;
pub use pn_counter::PnCounter;
pub use queue::{ItemEvent, ItemEventStream, ItemEventType, Queue};
pub use reliable_topic::{
    ListenOptions, MessageLoss, RELIABLE_TOPIC_RINGBUFFER_PREFIX, ReliableMessage, ReliableMessageStream,
    ReliableTopic, ReliableTopicError, ReliableTopicEvent, ReliableTopicOptions, StartFrom,
    TopicOverloadPolicy,
};
pub use replicated_map::ReplicatedMap;
pub use ringbuffer::{OverflowPolicy, RINGBUFFER_MAX_BATCH, ReadBatch, Ringbuffer, RingbufferError};
pub use set::Set;
pub use topic::{MessageStream, Topic, TopicMessage};

pub use hazelcast_codec::custom::MemberInfo;
pub use hazelcast_codec::{Data, Deserialize, JsonValue, Serialize, Uuid};
pub use hazelcast_invocation::{ClientEvent, InvocationError, LoadBalancer, ReconnectMode};
pub use hazelcast_transport::{Secret, TrustStore};
