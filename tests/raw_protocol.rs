//! Proof that the codec speaks the protocol byte-exactly: a plain TCP socket, the `CP2`
//! preamble, and messages built and decoded by `hazelcast-codec` against real Hazelcast members.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, AUTH_STATUS_CREDENTIALS_FAILED, ClientAddClusterViewListenerEvent,
    ClientAddClusterViewListenerRequest, ClientAddClusterViewListenerResponse, ClientCreateProxyRequest,
    ClientCreateProxyResponse, ClientGetDistributedObjectsRequest, ClientGetDistributedObjectsResponse,
};
use hazelcast_codec::messages::map::{
    MapGetRequest, MapGetResponse, MapPutRequest, MapPutResponse, MapSizeRequest, MapSizeResponse,
};
use hazelcast_codec::{Deserialize, ErrorResponse, Serialize, partition};
use hazelcast_integration_tests::RawConnection;
use hazelcast_testkit::{Cluster, ClusterConfig, SharedCluster};

static THREE_MEMBERS: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(3));

fn cluster() -> &'static Cluster {
    THREE_MEMBERS
        .get()
        .expect("a 3-member cluster of real Hazelcast members starts")
}

const TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn authentication_against_a_real_member() {
    let cluster = cluster();
    let addr = cluster.address(0);
    let mut conn = RawConnection::connect(addr).expect("connect");
    let (msg, auth) = conn
        .authenticate(cluster.cluster_name())
        .expect("authentication answer");

    assert!(!msg.is_error(), "authentication failed with an error message");
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED);
    assert!(auth.member_uuid.is_some(), "member uuid missing");
    let address = auth.address.expect("member address");
    assert_eq!(address.host, addr.ip().to_string());
    assert_eq!(address.port, addr.port());
    assert_eq!(auth.partition_count, 271);
    assert_eq!(auth.serialization_version, 1);
    assert!(!auth.cluster_id.is_nil());
    let expected_version = cluster.version();
    assert!(
        auth.server_hazelcast_version
            .starts_with(expected_version.trim_end_matches(".0")),
        "server version {} does not match the started {}",
        auth.server_hazelcast_version,
        expected_version
    );
    // 5.4+ members (protocol 2.7+) send the member list and partition table with the answer.
    let members = auth
        .member_infos
        .expect("member list in the authentication answer")
        .0;
    assert_eq!(members.len(), 3);
    assert!(members.iter().any(|m| Some(m.uuid) == auth.member_uuid));
}

#[test]
fn wrong_cluster_name_is_rejected() {
    let cluster = cluster();
    let mut conn = RawConnection::connect(cluster.address(1)).expect("connect");
    let (_, auth) = conn
        .authenticate("no-such-cluster")
        .expect("authentication answer");
    assert_eq!(auth.status, AUTH_STATUS_CREDENTIALS_FAILED);
    assert_eq!(auth.member_uuid, None);
    assert_eq!(auth.address, None);
}

#[test]
fn cluster_view_of_three_members() {
    let cluster = cluster();
    let mut conn = RawConnection::connect(cluster.address(0)).expect("connect");
    let (_, auth) = conn
        .authenticate(cluster.cluster_name())
        .expect("authentication answer");
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED);

    let id = conn
        .send(&ClientAddClusterViewListenerRequest {}, -1)
        .expect("send");
    // A fresh cluster assigns its partitions on the first partition-bound operation and pushes an
    // empty table until then: read one key so that the test does not depend on the other tests.
    let probe = "cluster-view-probe".to_data();
    let pid = partition::partition_id(&probe, auth.partition_count);
    let get_id = conn
        .send(
            &MapGetRequest {
                thread_id: 1,
                name: "cluster-view",
                key: &probe,
            },
            pid,
        )
        .unwrap();
    let mut members = None;
    let mut partitions = None;
    let mut answered = false;
    // Events may arrive before or after the answer; collect until both views and the answer are in.
    let deadline = Instant::now() + TIMEOUT;
    while members.is_none() || partitions.is_none() || !answered {
        let left = deadline
            .checked_duration_since(Instant::now())
            .expect("cluster view within the deadline");
        let msg = conn.recv(left).expect("cluster view message");
        if msg.correlation_id() == get_id {
            assert!(!msg.is_error(), "probe read failed");
            continue;
        }
        assert_eq!(msg.correlation_id(), id, "unexpected message {msg:?}");
        if msg.is_event() {
            match ClientAddClusterViewListenerEvent::decode(&msg).expect("decodable event") {
                ClientAddClusterViewListenerEvent::MembersView(v) => members = Some(v),
                ClientAddClusterViewListenerEvent::PartitionsView(v) if !v.partitions.0.is_empty() => {
                    partitions = Some(v)
                }
                _ => {}
            }
        } else {
            ClientAddClusterViewListenerResponse::decode(&msg).expect("listener answer");
            answered = true;
        }
    }
    let members = members.map(|m| m.member_infos.0).unwrap_or_default();
    assert_eq!(members.len(), 3, "members view");
    let mut seen_addrs: Vec<_> = members
        .iter()
        .map(|m| format!("{}", m.client_address()))
        .collect();
    seen_addrs.sort();
    let mut expected: Vec<_> = cluster.addresses().iter().map(|a| a.to_string()).collect();
    expected.sort();
    assert_eq!(seen_addrs, expected);
    for m in &members {
        assert!(m.address_map.is_some(), "5.x members send the address map");
        assert_eq!(m.version.major, 5);
    }

    let owners = partitions.map(|p| p.partitions.0).unwrap_or_default();
    let member_ids: HashSet<_> = members.iter().map(|m| m.uuid).collect();
    let mut all = Vec::new();
    for (owner, ids) in &owners {
        assert!(
            member_ids.contains(owner),
            "partition owner {owner} is not a member"
        );
        all.extend_from_slice(ids);
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (0..271).collect::<Vec<i32>>(),
        "each of the 271 partitions has exactly one owner"
    );
}

#[test]
fn map_put_and_get_on_the_partition_owner() {
    let cluster = cluster();
    let mut conn = RawConnection::connect(cluster.address(2)).expect("connect");
    let (_, auth) = conn
        .authenticate(cluster.cluster_name())
        .expect("authentication answer");
    assert_eq!(auth.status, AUTH_STATUS_AUTHENTICATED);

    let map = "raw-protocol-map";
    let id = conn
        .send(
            &ClientCreateProxyRequest {
                name: map,
                service_name: "hz:impl:mapService",
            },
            -1,
        )
        .unwrap();
    ClientCreateProxyResponse::decode(&conn.recv_answer(id, TIMEOUT, |_| {}).unwrap())
        .expect("proxy created");

    let count = auth.partition_count;
    for i in 0..20i32 {
        let key = format!("key-{i}").to_data();
        let value = (i * 1000).to_data();
        let pid = partition::partition_id(&key, count);
        let put = MapPutRequest {
            thread_id: 1,
            ttl: -1,
            name: map,
            key: &key,
            value: &value,
        };
        let id = conn.send(&put, pid).unwrap();
        let answer = conn.recv_answer(id, TIMEOUT, |_| {}).unwrap();
        assert!(
            !answer.is_error(),
            "put failed: {:?}",
            ErrorResponse::decode(&answer)
        );
        assert_eq!(MapPutResponse::decode(&answer).unwrap().response, None);

        let id = conn
            .send(
                &MapGetRequest {
                    thread_id: 1,
                    name: map,
                    key: &key,
                },
                pid,
            )
            .unwrap();
        let got = MapGetResponse::decode(&conn.recv_answer(id, TIMEOUT, |_| {}).unwrap()).unwrap();
        let got = got.response.expect("value present");
        assert_eq!(i32::from_data(&got).unwrap(), i * 1000);
    }
    let id = conn.send(&MapSizeRequest { name: map }, -1).unwrap();
    let size = MapSizeResponse::decode(&conn.recv_answer(id, TIMEOUT, |_| {}).unwrap()).unwrap();
    assert_eq!(size.response, 20);

    let id = conn.send(&ClientGetDistributedObjectsRequest {}, -1).unwrap();
    let objects =
        ClientGetDistributedObjectsResponse::decode(&conn.recv_answer(id, TIMEOUT, |_| {}).unwrap()).unwrap();
    assert!(
        objects
            .response
            .0
            .iter()
            .any(|o| o.name == map && o.service_name == "hz:impl:mapService")
    );
}

#[test]
fn unknown_message_type_gets_an_error_response() {
    let cluster = cluster();
    let mut conn = RawConnection::connect(cluster.address(0)).expect("connect");
    conn.authenticate(cluster.cluster_name())
        .expect("authentication answer");
    // A request of a service id no member knows.
    let mut w = hazelcast_codec::MessageWriter::request(0x00FA_0100, -1, 32);
    w.set_correlation_id(77);
    let msg = w.finish();
    conn.send_raw(&msg).unwrap();
    let answer = conn.recv_answer(77, TIMEOUT, |_| {}).unwrap();
    assert!(answer.is_error());
    let err = ErrorResponse::decode(&answer).expect("error response decodes");
    assert!(!err.errors.is_empty());
    assert!(!err.errors[0].class_name.is_empty());
}
