module hazelcast-rs/benches/peers/go

go 1.21

require github.com/hazelcast/hazelcast-go-client v1.5.0
