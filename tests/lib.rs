//! Integration tests of the client against real Hazelcast members (see the `it_*` test targets).
