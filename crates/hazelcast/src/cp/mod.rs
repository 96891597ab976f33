//! What every CP structure shares: names of the form `object@group` and the CP group id the
//! cluster assigns (`CPGroup.CreateCPGroup`), as Java's `ClientRaftProxyFactory` handles them;
//! invocation ids and the longest wait one blocking request asks for. One file per structure
//! below, and the client's CP sessions in [`session`].

pub(crate) mod atomic_reference;
pub(crate) mod count_down_latch;
pub(crate) mod error;
pub(crate) mod fenced_lock;
pub(crate) mod semaphore;
pub(crate) mod session;

use std::time::Duration;

use hazelcast_codec::Uuid;

use hazelcast_codec::custom::RaftGroupId;
use hazelcast_codec::messages::cp_group::{
    CpGroupCreateCpGroupRequest, CpGroupCreateCpGroupResponse, CpGroupDestroyCpObjectRequest,
};
use hazelcast_codec::messages::{Request, check_type};

use crate::client::HazelcastClient;
use crate::error::HazelcastError;
use crate::proxy::{ProxyCore, Route};

/// The name of the CP group used when a name names none.
const DEFAULT_GROUP_NAME: &str = "default";

/// The longest wait one blocking CP request (`await`, `tryLock`, `acquire`) asks the member
/// for; longer waits are sent as several requests, each well within the invocation timeout.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// The wait of one blocking request: [`MAX_WAIT`], or half the invocation timeout when that is
/// shorter (the member answers a wait that ran out, which must arrive before the call's
/// deadline).
pub(crate) fn max_wait(core: &ProxyCore) -> Result<Duration, HazelcastError> {
    let timeout = core.cluster()?.config().invocation_timeout;
    Ok(MAX_WAIT.min(timeout / 2).max(Duration::from_millis(1)))
}

/// A fresh invocation id: the members recognise a retried call by it (Java's
/// `newUnsecureUUID`).
pub(crate) fn invocation_uid() -> Uuid {
    Uuid::from_u128(rand::random())
}

/// A duration in whole milliseconds for the wire (saturating).
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A CP structure's names: the one the group is created for and the object's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CpName {
    /// The name without an explicit `@default` (Java's `withoutDefaultGroupName`): sent with
    /// `CPGroup.CreateCPGroup`.
    pub(crate) proxy_name: String,
    /// The part before `@` (Java's `getObjectNameForProxy`): the name in every request.
    pub(crate) object_name: String,
}

impl CpName {
    /// Splits `name` (`object` or `object@group`, surrounding blanks ignored).
    pub(crate) fn parse(name: &str) -> Result<Self, HazelcastError> {
        let invalid = |reason| HazelcastError::InvalidCpName {
            name: name.to_owned(),
            reason,
        };
        let trimmed = name.trim();
        let Some(at) = trimmed.find('@') else {
            if trimmed.is_empty() {
                return Err(invalid("the object name is empty"));
            }
            return Ok(CpName {
                proxy_name: trimmed.to_owned(),
                object_name: trimmed.to_owned(),
            });
        };
        let (object, group) = (trimmed[..at].trim(), &trimmed[at + 1..]);
        if group.contains('@') {
            return Err(invalid("a CP group may be named at most once"));
        }
        if object.is_empty() {
            return Err(invalid("the object name is empty"));
        }
        if group.trim().is_empty() {
            return Err(invalid("the CP group name is empty"));
        }
        let proxy_name = if group.trim().eq_ignore_ascii_case(DEFAULT_GROUP_NAME) {
            trimmed[..at].to_owned()
        } else {
            trimmed.to_owned()
        };
        Ok(CpName {
            proxy_name,
            object_name: object.to_owned(),
        })
    }
}

/// A CP structure's proxy: the object's name (in the core) and its CP group.
#[derive(Debug, Clone)]
pub(crate) struct CpProxy {
    pub(crate) core: ProxyCore,
    pub(crate) group_id: RaftGroupId,
}

impl CpProxy {
    /// Asks any member for the CP group of `name` (creating the group if needed) and builds the
    /// proxy; no `Client.CreateProxy` is sent (CP objects are created by their first operation).
    pub(crate) async fn new(
        client: &HazelcastClient,
        name: &str,
        service: &'static str,
    ) -> Result<Self, HazelcastError> {
        let name = CpName::parse(name)?;
        let core = ProxyCore::unregistered(client, &name.object_name, service);
        let answer = core
            .invoke(
                &CpGroupCreateCpGroupRequest {
                    proxy_name: &name.proxy_name,
                },
                Route::Any,
            )
            .await?;
        let group_id = CpGroupCreateCpGroupResponse::decode(&answer)?.group_id;
        Ok(CpProxy { core, group_id })
    }

    /// Destroys the object in its CP group (`CPGroup.DestroyCPObject`).
    pub(crate) async fn destroy(&self, service: &'static str) -> Result<(), HazelcastError> {
        let answer = self
            .core
            .invoke(
                &CpGroupDestroyCpObjectRequest {
                    group_id: &self.group_id,
                    service_name: service,
                    object_name: self.core.name(),
                },
                Route::Any,
            )
            .await?;
        check_type(&answer, CpGroupDestroyCpObjectRequest::MESSAGE_TYPE + 1)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str) -> (String, String) {
        let n = CpName::parse(name).expect("valid");
        (n.proxy_name, n.object_name)
    }

    #[test]
    fn names_split_into_the_group_request_name_and_the_object_name() {
        assert_eq!(parse("hits"), ("hits".into(), "hits".into()));
        assert_eq!(parse(" hits "), ("hits".into(), "hits".into()));
        assert_eq!(parse("hits@orders"), ("hits@orders".into(), "hits".into()));
        assert_eq!(parse("hits@default"), ("hits".into(), "hits".into()));
        assert_eq!(parse("hits@DEFAULT"), ("hits".into(), "hits".into()));
    }

    #[test]
    fn malformed_names_are_refused() {
        for bad in ["", "  ", "@group", "hits@", "hits@a@b", " @x"] {
            assert!(
                matches!(CpName::parse(bad), Err(HazelcastError::InvalidCpName { .. })),
                "{bad:?} accepted"
            );
        }
    }
}
