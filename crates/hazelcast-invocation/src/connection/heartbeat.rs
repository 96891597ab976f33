//! One heartbeat timer per connection: a ping after `heartbeat_interval` without writing, and
//! the connection closed after `heartbeat_timeout` without reading.
//!
//! The ping is due one interval after the later of the last write and the last ping: queuing a
//! ping does not move `last_write` until the writer has written it, so counting from the last
//! write alone would queue a ping on every wake-up until then.

use std::sync::Arc;
use std::time::Instant as StdInstant;

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::ClientPingRequest;
use hazelcast_transport::LocalCloseReason;
use tokio::time::Instant;

use super::MemberConnection;
use crate::client::Inner;
use crate::deadline;

impl Inner {
    /// Starts the heartbeat of a published connection (ends with it, or with the client).
    pub(crate) fn spawn_heartbeat(self: &Arc<Self>, member: Arc<MemberConnection>) {
        let this = self.clone();
        self.lifecycle.spawn(async move { this.heartbeat(member).await });
    }

    async fn heartbeat(&self, member: Arc<MemberConnection>) {
        let interval = self.cfg.heartbeat_interval;
        let timeout = self.cfg.heartbeat_timeout;
        let connection = &member.connection;
        let mut last_ping: Option<StdInstant> = None;
        loop {
            let last_activity = match last_ping {
                Some(p) => p.max(connection.last_write()),
                None => connection.last_write(),
            };
            let next_ping = deadline::from(Instant::from_std(last_activity), interval);
            let dead_at = deadline::from(Instant::from_std(connection.last_read()), timeout);
            tokio::select! {
                _ = deadline::sleep_until(deadline::min(next_ping, dead_at)) => {}
                _ = connection.closed() => return,
            }
            if deadline::passed(deadline::from(Instant::from_std(connection.last_read()), timeout)) {
                tracing::warn!(
                    connection = member.id(),
                    ?timeout,
                    "heartbeat timed out; closing the connection"
                );
                self.conns.close(
                    &member,
                    LocalCloseReason::HeartbeatTimeout { silent_for: timeout },
                );
                return;
            }
            if deadline::passed(next_ping) {
                let mut ping = ClientPingRequest {}.encode(-1);
                ping.set_correlation_id(self.next_id());
                // The answer finds no pending call and is dropped; reading it is what counts.
                let _ = connection.try_send(ping);
                last_ping = Some(StdInstant::now());
            }
        }
    }
}
