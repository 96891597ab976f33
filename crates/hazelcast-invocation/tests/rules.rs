//! The retry, redo and backup-acknowledgement rules, against a scripted member (no JVM): which
//! failures are retried, when a write is sent again, and how backup acknowledgements, the backup
//! timeout and a closing connection decide the outcome of a call that has its response.
//!
//! Plain `#[tokio::test]`s run on a `current_thread` runtime, where a retry path that never
//! yields would freeze the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{KeepingConnector, ScriptedMember};
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::map::{MapGetRequest, MapSetRequest};
use hazelcast_codec::{ClientMessage, ErrorCode, Serialize};
use hazelcast_invocation::{
    ClusterClient, DefaultRetryPolicy, Indeterminate, InvocationConfig, InvocationError, Target,
};
use tokio::task::JoinHandle;

const SET_RESPONSE: i32 = 0x010F01;
const GET_RESPONSE: i32 = 0x010201;

async fn connect(member: &ScriptedMember, cfg: InvocationConfig) -> ClusterClient {
    ClusterClient::connect(cfg, member.addresses())
        .await
        .expect("connects to the scripted member")
}

fn set(client: &ClusterClient) -> JoinHandle<Result<ClientMessage, InvocationError>> {
    let client = client.clone();
    tokio::spawn(async move {
        let (key, value) = ("k".to_data(), 1i64.to_data());
        let request = MapSetRequest {
            thread_id: 1,
            ttl: -1,
            name: "m",
            key: &key,
            value: &value,
        };
        client
            .invoke(&request, Target::Partition(client.partition_id(&key)))
            .await
    })
}

fn get(client: &ClusterClient) -> JoinHandle<Result<ClientMessage, InvocationError>> {
    let client = client.clone();
    tokio::spawn(async move {
        let key = "k".to_data();
        let request = MapGetRequest {
            thread_id: 1,
            name: "m",
            key: &key,
        };
        client
            .invoke(&request, Target::Partition(client.partition_id(&key)))
            .await
    })
}

async fn outcome(
    call: JoinHandle<Result<ClientMessage, InvocationError>>,
) -> Result<ClientMessage, InvocationError> {
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the call ends within 10 s")
        .expect("the call task runs")
}

#[test]
fn message_types_match_the_codec() {
    assert_eq!(SET_RESPONSE, MapSetRequest::MESSAGE_TYPE + 1);
    assert_eq!(GET_RESPONSE, MapGetRequest::MESSAGE_TYPE + 1);
}

#[tokio::test]
async fn a_write_cut_off_is_not_sent_again_without_redo() {
    let member = ScriptedMember::start().await;
    let client = connect(&member, member.config()).await;
    let call = set(&client);
    let first = member.next().await;
    assert_eq!(first.msg.message_type(), MapSetRequest::MESSAGE_TYPE);
    first.conn.close();
    let err = outcome(call).await.expect_err("a cut-off write fails");
    assert!(
        matches!(err, InvocationError::TargetDisconnected { .. }),
        "{err:?}"
    );
    assert!(
        !member.has_request_within(Duration::from_millis(500)).await,
        "the write was sent again"
    );
}

#[tokio::test]
async fn a_write_cut_off_is_sent_again_with_redo_operation() {
    let member = ScriptedMember::start().await;
    let mut cfg = member.config();
    cfg.redo_operation = true;
    let client = connect(&member, cfg).await;
    let call = set(&client);
    member.next().await.conn.close();
    let again = member.next().await;
    assert_eq!(again.msg.message_type(), MapSetRequest::MESSAGE_TYPE);
    again.reply(SET_RESPONSE, 0);
    outcome(call).await.expect("the redone write succeeds");
    assert_eq!(member.accepted(), 2, "the client reconnected once");
}

#[tokio::test]
async fn a_read_cut_off_is_sent_again_without_redo() {
    let member = ScriptedMember::start().await;
    let client = connect(&member, member.config()).await;
    let call = get(&client);
    member.next().await.conn.close();
    let again = member.next().await;
    assert_eq!(again.msg.message_type(), MapGetRequest::MESSAGE_TYPE);
    again.reply(GET_RESPONSE, 0);
    outcome(call).await.expect("the retried read succeeds");
}

#[tokio::test]
async fn a_read_on_a_connection_the_client_closed_is_retried_on_a_new_one() {
    let member = ScriptedMember::start().await;
    let connector = Arc::new(KeepingConnector::default());
    let client = ClusterClient::connect_with(
        member.config(),
        member.addresses(),
        connector.clone(),
        Arc::new(DefaultRetryPolicy),
    )
    .await
    .expect("connects");
    let call = get(&client);
    let first = member.next().await;
    // The client closes its own connection (as a heartbeat timeout does) while the read is out.
    connector.close(0);
    drop(first);
    let again = member.next().await;
    again.reply(GET_RESPONSE, 0);
    outcome(call)
        .await
        .expect("the read is retried on the new connection");
    assert_eq!(connector.opened(), 2);
}

#[tokio::test]
async fn a_retryable_server_error_is_retried() {
    let member = ScriptedMember::start().await;
    let client = connect(&member, member.config()).await;
    let call = set(&client);
    member.next().await.fail(ErrorCode::PartitionMigrating);
    member.next().await.reply(SET_RESPONSE, 0);
    outcome(call).await.expect("succeeds on the second attempt");
}

#[tokio::test]
async fn a_non_retryable_server_error_fails_at_once() {
    let member = ScriptedMember::start().await;
    let client = connect(&member, member.config()).await;
    let call = get(&client);
    member.next().await.fail(ErrorCode::IllegalArgument);
    match outcome(call).await {
        Err(InvocationError::Server(e)) => assert_eq!(e.code, ErrorCode::IllegalArgument),
        other => panic!("expected the server error, got {other:?}"),
    }
    assert!(!member.has_request_within(Duration::from_millis(300)).await);
}

#[tokio::test]
async fn a_response_waits_for_its_backup_acknowledgement() {
    let member = ScriptedMember::start().await;
    let client = connect(&member, member.config()).await;
    let mut call = set(&client);
    let request = member.next().await;
    request.reply(SET_RESPONSE, 1);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut call)
            .await
            .is_err(),
        "the call completed before its backup acknowledged"
    );
    request.ack_via(&request.conn);
    outcome(call).await.expect("acknowledged write succeeds");
}

#[tokio::test]
async fn an_acknowledgement_may_arrive_before_the_response() {
    let member = ScriptedMember::start().await;
    let client = connect(&member, member.config()).await;
    let call = set(&client);
    let request = member.next().await;
    request.ack_via(&request.conn);
    request.reply(SET_RESPONSE, 1);
    outcome(call).await.expect("acknowledged write succeeds");
}

#[tokio::test]
async fn a_missing_acknowledgement_is_a_success_after_the_backup_timeout_by_default() {
    let member = ScriptedMember::start().await;
    let mut cfg = member.config();
    cfg.operation_backup_timeout = Duration::from_millis(300);
    let client = connect(&member, cfg).await;
    let call = set(&client);
    let started = Instant::now();
    member.next().await.reply(SET_RESPONSE, 1);
    outcome(call)
        .await
        .expect("the applied write is reported a success");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "it waited for the backup timeout"
    );
}

#[tokio::test]
async fn a_missing_acknowledgement_is_indeterminate_when_asked() {
    let member = ScriptedMember::start().await;
    let mut cfg = member.config();
    cfg.operation_backup_timeout = Duration::from_millis(300);
    cfg.fail_on_indeterminate_operation_state = true;
    let client = connect(&member, cfg).await;
    let call = set(&client);
    member.next().await.reply(SET_RESPONSE, 2);
    match outcome(call).await {
        Err(InvocationError::IndeterminateOperationState {
            reason: Indeterminate::BackupTimeout {
                expected, received, ..
            },
        }) => assert_eq!((expected, received), (2, 0)),
        other => panic!("expected an indeterminate state, got {other:?}"),
    }
}

#[tokio::test]
async fn a_held_response_is_not_failed_by_its_connection_closing() {
    let member = ScriptedMember::start().await;
    let mut cfg = member.config();
    cfg.operation_backup_timeout = Duration::from_millis(500);
    let client = connect(&member, cfg).await;
    let call = set(&client);
    let request = member.next().await;
    // The response, then the end of the primary's connection, in this order on one stream: the
    // client reads the response before it sees the connection close.
    request.reply(SET_RESPONSE, 1);
    request.conn.close();
    // The member applied the write; only the backup timeout decides now.
    outcome(call).await.expect("the held response is the outcome");
}
