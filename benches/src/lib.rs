//! Benchmarks of the Hazelcast Rust client (see the `[[bench]]` targets).
