//! Benchmarks of the Hazelcast Rust client.
//!
//! * `codec.rs` (criterion, `cargo bench -p hazelcast-benches`): request encoding and response
//!   decoding of `Map.Put`/`Map.Get`, cluster-view event decoding, partition hashing and owner
//!   lookup.
//! * `loadgen` (binary): the load generator, closed loop (concurrency C) or open loop (fixed
//!   rate R, latency from the intended send time), through the client's invocation service.
//! * `wirelimit` (binary): the same workloads as pre-encoded requests pipelined on raw
//!   connections, one per member, with minimal work per response: the members' ceiling.
//! * `alloc_count` (binary) and `tests/alloc.rs`: heap allocations per `Map.Get` on the
//!   invocation hot path and in the codec alone, counted exactly by a counting allocator.
//! * `peers/`: the same CLI and JSON output for the official Java, Python and Go clients.
//!
//! Every driver shares the command line of [`cli::Options`] and prints one [`report::Report`]
//! as a single JSON line on stdout (progress goes to stderr). `cargo xtask bench` runs them all.

pub mod alloc;
pub mod cli;
pub mod client;
pub mod hotpath;
pub mod report;
pub mod sys;
pub mod workload;
