//! Custom types of the networking layer, as the official protocol definitions (`custom/*.yaml`) declare them.

use uuid::Uuid;

use crate::custom_type;
use crate::types::{EntryList, VarList};

custom_type! {
    /// A member's network address as the member reports it.
    pub struct Address = "Address" {
        fixed {
            /// Port.
            port: i32,
        }
        var {
            /// Host name or IP literal.
            host: String,
        }
        later_var {}
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

custom_type! {
    /// A member's Hazelcast version (`major.minor.patch`).
    pub struct MemberVersion = "MemberVersion" {
        fixed {
            /// Major version.
            major: u8,
            /// Minor version.
            minor: u8,
            /// Patch version.
            patch: u8,
        }
        var {}
        later_var {}
    }
}

custom_type! {
    /// A cluster version (`major.minor`), pushed by members speaking protocol 2.8 or later.
    pub struct Version = "Version" {
        fixed {
            /// Major version.
            major: u8,
            /// Minor version.
            minor: u8,
        }
        var {}
        later_var {}
    }
}

/// Protocol types of an [`EndpointQualifier`].
pub mod protocol_type {
    /// Member-to-member traffic.
    pub const MEMBER: i32 = 0;
    /// Client traffic.
    pub const CLIENT: i32 = 1;
    /// WAN replication.
    pub const WAN: i32 = 2;
    /// REST.
    pub const REST: i32 = 3;
    /// Memcache.
    pub const MEMCACHE: i32 = 4;
}

custom_type! {
    /// Names one of a member's endpoints (the key of its address map).
    pub struct EndpointQualifier = "EndpointQualifier" {
        fixed {
            /// Protocol type (see [`protocol_type`]).
            kind: i32,
        }
        var {
            /// Optional identifier, e.g. `"public"` for a member's public client address.
            identifier: Option<String>,
        }
        later_var {}
    }
}

custom_type! {
    /// A cluster member as the member list describes it.
    pub struct MemberInfo = "MemberInfo" {
        fixed {
            /// The member's UUID.
            uuid: Uuid,
            /// Lite members own no partitions.
            lite_member: bool,
        }
        var {
            /// The member's address.
            address: Address,
            /// Member attributes.
            attributes: EntryList<String, String>,
            /// The member's version.
            version: MemberVersion,
        }
        later_var {
            /// Addresses per endpoint (protocol 2.0.1+).
            address_map: EntryList<EndpointQualifier, Address>,
        }
    }
}

impl MemberInfo {
    /// The address a client should use by default: the address-map entry for `(CLIENT, null)`,
    /// else `(MEMBER, null)`, else the plain address.
    pub fn client_address(&self) -> &Address {
        self.endpoint(protocol_type::CLIENT, None)
            .or_else(|| self.endpoint(protocol_type::MEMBER, None))
            .unwrap_or(&self.address)
    }

    /// The address-map entry for an endpoint, if the member advertises one.
    pub fn endpoint(&self, kind: i32, identifier: Option<&str>) -> Option<&Address> {
        self.address_map
            .as_ref()?
            .0
            .iter()
            .find(|(q, _)| q.kind == kind && q.identifier.as_deref() == identifier)
            .map(|(_, a)| a)
    }
}

custom_type! {
    /// A distributed object (name and service) that exists in the cluster.
    pub struct DistributedObjectInfo = "DistributedObjectInfo" {
        fixed {}
        var {
            /// Service name, e.g. `hz:impl:mapService`.
            service_name: String,
            /// Object name.
            name: String,
        }
        later_var {}
    }
}

custom_type! {
    /// One frame of a server-side stack trace.
    pub struct StackTraceElement = "StackTraceElement" {
        fixed {
            /// Line number.
            line_number: i32,
        }
        var {
            /// Declaring class.
            class_name: String,
            /// Method.
            method_name: String,
            /// Source file, if known.
            file_name: Option<String>,
        }
        later_var {}
    }
}

custom_type! {
    /// One exception of a server error: its code, class, message and stack trace.
    pub struct ErrorHolder = "ErrorHolder" {
        fixed {
            /// The protocol error code (see [`crate::ErrorCode`]).
            error_code: i32,
        }
        var {
            /// The Java exception class.
            class_name: String,
            /// The exception message.
            message: Option<String>,
            /// The stack trace.
            stack_trace_elements: VarList<StackTraceElement>,
        }
        later_var {}
    }
}
