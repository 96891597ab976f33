//! Client service messages (service id 0).

use uuid::Uuid;

use crate::custom::{Address, DistributedObjectInfo, MemberInfo, Version};
use crate::types::{ByteArray, EntryList, FixedList, ListRef, PartitionOwners, UuidGroups, VarList};

/// Authentication status: authenticated.
pub const AUTH_STATUS_AUTHENTICATED: u8 = 0;
/// Authentication status: credentials (or cluster name) rejected.
pub const AUTH_STATUS_CREDENTIALS_FAILED: u8 = 1;
/// Authentication status: serialization version mismatch.
pub const AUTH_STATUS_SERIALIZATION_VERSION_MISMATCH: u8 = 2;
/// Authentication status: the client is not allowed in the cluster.
pub const AUTH_STATUS_NOT_ALLOWED_IN_CLUSTER: u8 = 3;

/// Routing mode sent in the authentication request: one connection.
pub const ROUTING_MODE_UNISOCKET: u8 = 0;
/// Routing mode sent in the authentication request: a connection per member.
pub const ROUTING_MODE_SMART: u8 = 1;

request! {
    /// `Client.Authentication`: the first message on every connection.
    pub struct AuthenticationRequest<'a> {
        message_type = 0x000100,
        retryable = true,
        partition = None,
        response = AuthenticationResponse,
        fixed {
            /// The client instance's UUID.
            uuid: Option<Uuid>,
            /// Serialization version; must be 1.
            serialization_version: u8,
            /// Routing mode (protocol 2.8+; older members ignore it).
            routing_mode: u8,
            /// CP direct-to-leader routing (protocol 2.8+).
            cp_direct_to_leader_routing: bool,
        }
        var {
            /// The cluster name.
            cluster_name: &'a str,
            /// User name, if credentials are configured.
            username: Option<&'a str>,
            /// Password, if credentials are configured.
            password: Option<&'a str>,
            /// Client type code.
            client_type: &'a str,
            /// Client version.
            client_hazelcast_version: &'a str,
            /// Client instance name.
            client_name: &'a str,
            /// Client labels.
            labels: ListRef<'a, String>,
        }
    }
}

response! {
    /// Answer to [`AuthenticationRequest`].
    pub struct AuthenticationResponse = 0x000101 {
        fixed {
            /// Status (see the `AUTH_STATUS_*` constants).
            status: u8,
            /// The member's UUID (null on failure).
            member_uuid: Option<Uuid>,
            /// The member's serialization version.
            serialization_version: u8,
            /// Partition count of the cluster.
            partition_count: i32,
            /// Cluster id; changes when the whole cluster restarts.
            cluster_id: Uuid,
            /// Enterprise blue/green failover support.
            failover_supported: bool,
        }
        later_fixed {
            /// Member-list version (2.7+).
            member_list_version: i32,
            /// Partition-table version (2.7+).
            partition_list_version: i32,
        }
        var {
            /// The member's address (null on failure).
            address: Option<Address>,
            /// The member's version string, e.g. `5.7.0`.
            server_hazelcast_version: String,
        }
        later_var {
            /// TPC ports (2.7+; null when TPC is disabled).
            tpc_ports: Option<FixedList<i32>>,
            /// TPC token (2.7+).
            tpc_token: Option<ByteArray>,
            /// Member list (2.7+).
            member_infos: VarList<MemberInfo>,
            /// Partition table (2.7+).
            partitions: PartitionOwners,
            /// Server metadata (2.8+).
            key_value_pairs: EntryList<String, String>,
        }
    }
}

request! {
    /// `Client.AddClusterViewListener`: subscribe to member-list and partition-table views.
    pub struct AddClusterViewListenerRequest {
        message_type = 0x000300,
        retryable = false,
        partition = None,
        response = AddClusterViewListenerResponse,
        fixed {}
        var {}
    }
}

response! {
    /// Answer to [`AddClusterViewListenerRequest`].
    pub struct AddClusterViewListenerResponse = 0x000301 {
        fixed {}
        later_fixed {}
        var {}
        later_var {}
    }
}

event! {
    /// The member list pushed by the cluster-view listener.
    pub struct MembersViewEvent = 0x000302 {
        fixed {
            /// View version; apply only when newer than the current one.
            version: i32,
        }
        later_fixed {}
        var {
            /// The members.
            member_infos: VarList<MemberInfo>,
        }
        later_var {}
    }
}

event! {
    /// The partition table pushed by the cluster-view listener.
    pub struct PartitionsViewEvent = 0x000303 {
        fixed {
            /// View version.
            version: i32,
        }
        later_fixed {}
        var {
            /// Member UUID → partition ids it owns.
            partitions: PartitionOwners,
        }
        later_var {}
    }
}

event! {
    /// Member groups (protocol 2.8+).
    pub struct MemberGroupsViewEvent = 0x000304 {
        fixed {
            /// View version.
            version: i32,
        }
        later_fixed {}
        var {
            /// Groups of member UUIDs.
            member_groups: UuidGroups,
        }
        later_var {}
    }
}

event! {
    /// Cluster version (protocol 2.8+).
    pub struct ClusterVersionEvent = 0x000305 {
        fixed {}
        later_fixed {}
        var {
            /// The cluster version.
            version: Version,
        }
        later_var {}
    }
}

/// An event delivered to the cluster-view listener.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClusterViewEvent {
    /// A member list.
    MembersView(MembersViewEvent),
    /// A partition table.
    PartitionsView(PartitionsViewEvent),
    /// Member groups.
    MemberGroupsView(MemberGroupsViewEvent),
    /// The cluster version.
    ClusterVersion(ClusterVersionEvent),
    /// An event type this client does not know (ignored, as the protocol requires).
    Unknown(i32),
}

impl ClusterViewEvent {
    /// Decodes any event of the cluster-view listener.
    pub fn decode(msg: &crate::message::ClientMessage) -> Result<Self, crate::CodecError> {
        Ok(match msg.message_type() {
            MembersViewEvent::MESSAGE_TYPE => ClusterViewEvent::MembersView(MembersViewEvent::decode(msg)?),
            PartitionsViewEvent::MESSAGE_TYPE => {
                ClusterViewEvent::PartitionsView(PartitionsViewEvent::decode(msg)?)
            }
            MemberGroupsViewEvent::MESSAGE_TYPE => {
                ClusterViewEvent::MemberGroupsView(MemberGroupsViewEvent::decode(msg)?)
            }
            ClusterVersionEvent::MESSAGE_TYPE => {
                ClusterViewEvent::ClusterVersion(ClusterVersionEvent::decode(msg)?)
            }
            other => ClusterViewEvent::Unknown(other),
        })
    }
}

request! {
    /// `Client.Ping`: keeps a connection alive.
    pub struct PingRequest {
        message_type = 0x000B00,
        retryable = true,
        partition = None,
        response = PingResponse,
        fixed {}
        var {}
    }
}

response! {
    /// Answer to [`PingRequest`].
    pub struct PingResponse = 0x000B01 {
        fixed {}
        later_fixed {}
        var {}
        later_var {}
    }
}

request! {
    /// `Client.LocalBackupListener`: ask the member to send backup acknowledgements to this client.
    pub struct LocalBackupListenerRequest {
        message_type = 0x000F00,
        retryable = false,
        partition = None,
        response = LocalBackupListenerResponse,
        fixed {}
        var {}
    }
}

response! {
    /// Answer to [`LocalBackupListenerRequest`].
    pub struct LocalBackupListenerResponse = 0x000F01 {
        fixed {
            /// Registration id.
            response: Uuid,
        }
        later_fixed {}
        var {}
        later_var {}
    }
}

event! {
    /// A backup acknowledgement for the operation with the given correlation id.
    pub struct BackupEvent = 0x000F02 {
        fixed {
            /// Correlation id of the acknowledged operation.
            source_invocation_correlation_id: i64,
        }
        later_fixed {}
        var {}
        later_var {}
    }
}

request! {
    /// `Client.CreateProxy`: create a distributed object on the cluster.
    pub struct CreateProxyRequest<'a> {
        message_type = 0x000400,
        retryable = false,
        partition = None,
        response = CreateProxyResponse,
        fixed {}
        var {
            /// Object name.
            name: &'a str,
            /// Service name, e.g. `hz:impl:mapService`.
            service_name: &'a str,
        }
    }
}

response! {
    /// Answer to [`CreateProxyRequest`].
    pub struct CreateProxyResponse = 0x000401 {
        fixed {}
        later_fixed {}
        var {}
        later_var {}
    }
}

request! {
    /// `Client.DestroyProxy`: destroy a distributed object.
    pub struct DestroyProxyRequest<'a> {
        message_type = 0x000500,
        retryable = false,
        partition = None,
        response = DestroyProxyResponse,
        fixed {}
        var {
            /// Object name.
            name: &'a str,
            /// Service name.
            service_name: &'a str,
        }
    }
}

response! {
    /// Answer to [`DestroyProxyRequest`].
    pub struct DestroyProxyResponse = 0x000501 {
        fixed {}
        later_fixed {}
        var {}
        later_var {}
    }
}

request! {
    /// `Client.GetDistributedObjects`: list the cluster's distributed objects.
    pub struct GetDistributedObjectsRequest {
        message_type = 0x000800,
        retryable = false,
        partition = None,
        response = GetDistributedObjectsResponse,
        fixed {}
        var {}
    }
}

response! {
    /// Answer to [`GetDistributedObjectsRequest`].
    pub struct GetDistributedObjectsResponse = 0x000801 {
        fixed {}
        later_fixed {}
        var {
            /// The objects.
            response: VarList<DistributedObjectInfo>,
        }
        later_var {}
    }
}
