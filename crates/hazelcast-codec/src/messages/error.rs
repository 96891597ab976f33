//! The protocol error codes (`ClientProtocolErrorCodes`) and error responses.

use crate::custom::ErrorHolder;
use crate::error::CodecError;
use crate::message::ClientMessage;
use crate::types::{Decode, VarList};

/// A protocol error code. Codes outside the table (e.g. from SQL or Jet) are kept as [`ErrorCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `UNDEFINED` (0).
    Undefined,
    /// `ARRAY_INDEX_OUT_OF_BOUNDS` (1).
    ArrayIndexOutOfBounds,
    /// `ARRAY_STORE` (2).
    ArrayStore,
    /// `AUTHENTICATION` (3).
    Authentication,
    /// `CACHE` (4).
    Cache,
    /// `CACHE_LOADER` (5).
    CacheLoader,
    /// `CACHE_NOT_EXISTS` (6).
    CacheNotExists,
    /// `CACHE_WRITER` (7).
    CacheWriter,
    /// `CALLER_NOT_MEMBER` (8).
    CallerNotMember,
    /// `CANCELLATION` (9).
    Cancellation,
    /// `CLASS_CAST` (10).
    ClassCast,
    /// `CLASS_NOT_FOUND` (11).
    ClassNotFound,
    /// `CONCURRENT_MODIFICATION` (12).
    ConcurrentModification,
    /// `CONFIG_MISMATCH` (13).
    ConfigMismatch,
    /// `DISTRIBUTED_OBJECT_DESTROYED` (14).
    DistributedObjectDestroyed,
    /// `EOF` (15).
    Eof,
    /// `ENTRY_PROCESSOR` (16).
    EntryProcessor,
    /// `EXECUTION` (17).
    Execution,
    /// `HAZELCAST` (18).
    Hazelcast,
    /// `HAZELCAST_INSTANCE_NOT_ACTIVE` (19).
    HazelcastInstanceNotActive,
    /// `HAZELCAST_OVERLOAD` (20).
    HazelcastOverload,
    /// `HAZELCAST_SERIALIZATION` (21).
    HazelcastSerialization,
    /// `IO` (22).
    Io,
    /// `ILLEGAL_ARGUMENT` (23).
    IllegalArgument,
    /// `ILLEGAL_ACCESS_EXCEPTION` (24).
    IllegalAccessException,
    /// `ILLEGAL_ACCESS_ERROR` (25).
    IllegalAccessError,
    /// `ILLEGAL_MONITOR_STATE` (26).
    IllegalMonitorState,
    /// `ILLEGAL_STATE` (27).
    IllegalState,
    /// `ILLEGAL_THREAD_STATE` (28).
    IllegalThreadState,
    /// `INDEX_OUT_OF_BOUNDS` (29).
    IndexOutOfBounds,
    /// `INTERRUPTED` (30).
    Interrupted,
    /// `INVALID_ADDRESS` (31).
    InvalidAddress,
    /// `INVALID_CONFIGURATION` (32).
    InvalidConfiguration,
    /// `MEMBER_LEFT` (33).
    MemberLeft,
    /// `NEGATIVE_ARRAY_SIZE` (34).
    NegativeArraySize,
    /// `NO_SUCH_ELEMENT` (35).
    NoSuchElement,
    /// `NOT_SERIALIZABLE` (36).
    NotSerializable,
    /// `NULL_POINTER` (37).
    NullPointer,
    /// `OPERATION_TIMEOUT` (38).
    OperationTimeout,
    /// `PARTITION_MIGRATING` (39).
    PartitionMigrating,
    /// `QUERY` (40).
    Query,
    /// `QUERY_RESULT_SIZE_EXCEEDED` (41).
    QueryResultSizeExceeded,
    /// `SPLIT_BRAIN_PROTECTION` (42).
    SplitBrainProtection,
    /// `REACHED_MAX_SIZE` (43).
    ReachedMaxSize,
    /// `REJECTED_EXECUTION` (44).
    RejectedExecution,
    /// `RESPONSE_ALREADY_SENT` (45).
    ResponseAlreadySent,
    /// `RETRYABLE_HAZELCAST` (46).
    RetryableHazelcast,
    /// `RETRYABLE_IO` (47).
    RetryableIo,
    /// `RUNTIME` (48).
    Runtime,
    /// `SECURITY` (49).
    Security,
    /// `SOCKET` (50).
    Socket,
    /// `STALE_SEQUENCE` (51).
    StaleSequence,
    /// `TARGET_DISCONNECTED` (52).
    TargetDisconnected,
    /// `TARGET_NOT_MEMBER` (53).
    TargetNotMember,
    /// `TIMEOUT` (54).
    Timeout,
    /// `TOPIC_OVERLOAD` (55).
    TopicOverload,
    /// `TRANSACTION` (56).
    Transaction,
    /// `TRANSACTION_NOT_ACTIVE` (57).
    TransactionNotActive,
    /// `TRANSACTION_TIMED_OUT` (58).
    TransactionTimedOut,
    /// `URI_SYNTAX` (59).
    UriSyntax,
    /// `UTF_DATA_FORMAT` (60).
    UtfDataFormat,
    /// `UNSUPPORTED_OPERATION` (61).
    UnsupportedOperation,
    /// `WRONG_TARGET` (62).
    WrongTarget,
    /// `XA` (63).
    Xa,
    /// `ACCESS_CONTROL` (64).
    AccessControl,
    /// `LOGIN` (65).
    Login,
    /// `UNSUPPORTED_CALLBACK` (66).
    UnsupportedCallback,
    /// `NO_DATA_MEMBER` (67).
    NoDataMember,
    /// `REPLICATED_MAP_CANT_BE_CREATED` (68).
    ReplicatedMapCantBeCreated,
    /// `MAX_MESSAGE_SIZE_EXCEEDED` (69).
    MaxMessageSizeExceeded,
    /// `WAN_REPLICATION_QUEUE_FULL` (70).
    WanReplicationQueueFull,
    /// `ASSERTION_ERROR` (71).
    AssertionError,
    /// `OUT_OF_MEMORY_ERROR` (72).
    OutOfMemoryError,
    /// `STACK_OVERFLOW_ERROR` (73).
    StackOverflowError,
    /// `NATIVE_OUT_OF_MEMORY_ERROR` (74).
    NativeOutOfMemoryError,
    /// `SERVICE_NOT_FOUND` (75).
    ServiceNotFound,
    /// `STALE_TASK_ID` (76).
    StaleTaskId,
    /// `DUPLICATE_TASK` (77).
    DuplicateTask,
    /// `STALE_TASK` (78).
    StaleTask,
    /// `LOCAL_MEMBER_RESET` (79).
    LocalMemberReset,
    /// `INDETERMINATE_OPERATION_STATE` (80).
    IndeterminateOperationState,
    /// `FLAKE_ID_NODE_ID_OUT_OF_RANGE_EXCEPTION` (81).
    FlakeIdNodeIdOutOfRange,
    /// `TARGET_NOT_REPLICA_EXCEPTION` (82).
    TargetNotReplica,
    /// `MUTATION_DISALLOWED_EXCEPTION` (83).
    MutationDisallowed,
    /// `CONSISTENCY_LOST_EXCEPTION` (84).
    ConsistencyLost,
    /// `SESSION_EXPIRED_EXCEPTION` (85).
    SessionExpired,
    /// `WAIT_KEY_CANCELLED_EXCEPTION` (86).
    WaitKeyCancelled,
    /// `LOCK_ACQUIRE_LIMIT_REACHED_EXCEPTION` (87).
    LockAcquireLimitReached,
    /// `LOCK_OWNERSHIP_LOST_EXCEPTION` (88).
    LockOwnershipLost,
    /// `CP_GROUP_DESTROYED_EXCEPTION` (89).
    CpGroupDestroyed,
    /// `CANNOT_REPLICATE_EXCEPTION` (90).
    CannotReplicate,
    /// `LEADER_DEMOTED_EXCEPTION` (91).
    LeaderDemoted,
    /// `STALE_APPEND_REQUEST_EXCEPTION` (92).
    StaleAppendRequest,
    /// `NOT_LEADER_EXCEPTION` (93).
    NotLeader,
    /// `VERSION_MISMATCH_EXCEPTION` (94).
    VersionMismatch,
    /// `NO_SUCH_METHOD_ERROR` (95).
    NoSuchMethodError,
    /// `NO_SUCH_METHOD_EXCEPTION` (96).
    NoSuchMethodException,
    /// `NO_SUCH_FIELD_ERROR` (97).
    NoSuchFieldError,
    /// `NO_SUCH_FIELD_EXCEPTION` (98).
    NoSuchFieldException,
    /// `NO_CLASS_DEF_FOUND_ERROR` (99).
    NoClassDefFoundError,
    /// A code this table does not know.
    Other(i32),
}

impl ErrorCode {
    /// Every known code, in numeric order.
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::Undefined,
        ErrorCode::ArrayIndexOutOfBounds,
        ErrorCode::ArrayStore,
        ErrorCode::Authentication,
        ErrorCode::Cache,
        ErrorCode::CacheLoader,
        ErrorCode::CacheNotExists,
        ErrorCode::CacheWriter,
        ErrorCode::CallerNotMember,
        ErrorCode::Cancellation,
        ErrorCode::ClassCast,
        ErrorCode::ClassNotFound,
        ErrorCode::ConcurrentModification,
        ErrorCode::ConfigMismatch,
        ErrorCode::DistributedObjectDestroyed,
        ErrorCode::Eof,
        ErrorCode::EntryProcessor,
        ErrorCode::Execution,
        ErrorCode::Hazelcast,
        ErrorCode::HazelcastInstanceNotActive,
        ErrorCode::HazelcastOverload,
        ErrorCode::HazelcastSerialization,
        ErrorCode::Io,
        ErrorCode::IllegalArgument,
        ErrorCode::IllegalAccessException,
        ErrorCode::IllegalAccessError,
        ErrorCode::IllegalMonitorState,
        ErrorCode::IllegalState,
        ErrorCode::IllegalThreadState,
        ErrorCode::IndexOutOfBounds,
        ErrorCode::Interrupted,
        ErrorCode::InvalidAddress,
        ErrorCode::InvalidConfiguration,
        ErrorCode::MemberLeft,
        ErrorCode::NegativeArraySize,
        ErrorCode::NoSuchElement,
        ErrorCode::NotSerializable,
        ErrorCode::NullPointer,
        ErrorCode::OperationTimeout,
        ErrorCode::PartitionMigrating,
        ErrorCode::Query,
        ErrorCode::QueryResultSizeExceeded,
        ErrorCode::SplitBrainProtection,
        ErrorCode::ReachedMaxSize,
        ErrorCode::RejectedExecution,
        ErrorCode::ResponseAlreadySent,
        ErrorCode::RetryableHazelcast,
        ErrorCode::RetryableIo,
        ErrorCode::Runtime,
        ErrorCode::Security,
        ErrorCode::Socket,
        ErrorCode::StaleSequence,
        ErrorCode::TargetDisconnected,
        ErrorCode::TargetNotMember,
        ErrorCode::Timeout,
        ErrorCode::TopicOverload,
        ErrorCode::Transaction,
        ErrorCode::TransactionNotActive,
        ErrorCode::TransactionTimedOut,
        ErrorCode::UriSyntax,
        ErrorCode::UtfDataFormat,
        ErrorCode::UnsupportedOperation,
        ErrorCode::WrongTarget,
        ErrorCode::Xa,
        ErrorCode::AccessControl,
        ErrorCode::Login,
        ErrorCode::UnsupportedCallback,
        ErrorCode::NoDataMember,
        ErrorCode::ReplicatedMapCantBeCreated,
        ErrorCode::MaxMessageSizeExceeded,
        ErrorCode::WanReplicationQueueFull,
        ErrorCode::AssertionError,
        ErrorCode::OutOfMemoryError,
        ErrorCode::StackOverflowError,
        ErrorCode::NativeOutOfMemoryError,
        ErrorCode::ServiceNotFound,
        ErrorCode::StaleTaskId,
        ErrorCode::DuplicateTask,
        ErrorCode::StaleTask,
        ErrorCode::LocalMemberReset,
        ErrorCode::IndeterminateOperationState,
        ErrorCode::FlakeIdNodeIdOutOfRange,
        ErrorCode::TargetNotReplica,
        ErrorCode::MutationDisallowed,
        ErrorCode::ConsistencyLost,
        ErrorCode::SessionExpired,
        ErrorCode::WaitKeyCancelled,
        ErrorCode::LockAcquireLimitReached,
        ErrorCode::LockOwnershipLost,
        ErrorCode::CpGroupDestroyed,
        ErrorCode::CannotReplicate,
        ErrorCode::LeaderDemoted,
        ErrorCode::StaleAppendRequest,
        ErrorCode::NotLeader,
        ErrorCode::VersionMismatch,
        ErrorCode::NoSuchMethodError,
        ErrorCode::NoSuchMethodException,
        ErrorCode::NoSuchFieldError,
        ErrorCode::NoSuchFieldException,
        ErrorCode::NoClassDefFoundError,
    ];

    /// The code for a number.
    pub fn from_code(code: i32) -> ErrorCode {
        match code {
            0 => ErrorCode::Undefined,
            1 => ErrorCode::ArrayIndexOutOfBounds,
            2 => ErrorCode::ArrayStore,
            3 => ErrorCode::Authentication,
            4 => ErrorCode::Cache,
            5 => ErrorCode::CacheLoader,
            6 => ErrorCode::CacheNotExists,
            7 => ErrorCode::CacheWriter,
            8 => ErrorCode::CallerNotMember,
            9 => ErrorCode::Cancellation,
            10 => ErrorCode::ClassCast,
            11 => ErrorCode::ClassNotFound,
            12 => ErrorCode::ConcurrentModification,
            13 => ErrorCode::ConfigMismatch,
            14 => ErrorCode::DistributedObjectDestroyed,
            15 => ErrorCode::Eof,
            16 => ErrorCode::EntryProcessor,
            17 => ErrorCode::Execution,
            18 => ErrorCode::Hazelcast,
            19 => ErrorCode::HazelcastInstanceNotActive,
            20 => ErrorCode::HazelcastOverload,
            21 => ErrorCode::HazelcastSerialization,
            22 => ErrorCode::Io,
            23 => ErrorCode::IllegalArgument,
            24 => ErrorCode::IllegalAccessException,
            25 => ErrorCode::IllegalAccessError,
            26 => ErrorCode::IllegalMonitorState,
            27 => ErrorCode::IllegalState,
            28 => ErrorCode::IllegalThreadState,
            29 => ErrorCode::IndexOutOfBounds,
            30 => ErrorCode::Interrupted,
            31 => ErrorCode::InvalidAddress,
            32 => ErrorCode::InvalidConfiguration,
            33 => ErrorCode::MemberLeft,
            34 => ErrorCode::NegativeArraySize,
            35 => ErrorCode::NoSuchElement,
            36 => ErrorCode::NotSerializable,
            37 => ErrorCode::NullPointer,
            38 => ErrorCode::OperationTimeout,
            39 => ErrorCode::PartitionMigrating,
            40 => ErrorCode::Query,
            41 => ErrorCode::QueryResultSizeExceeded,
            42 => ErrorCode::SplitBrainProtection,
            43 => ErrorCode::ReachedMaxSize,
            44 => ErrorCode::RejectedExecution,
            45 => ErrorCode::ResponseAlreadySent,
            46 => ErrorCode::RetryableHazelcast,
            47 => ErrorCode::RetryableIo,
            48 => ErrorCode::Runtime,
            49 => ErrorCode::Security,
            50 => ErrorCode::Socket,
            51 => ErrorCode::StaleSequence,
            52 => ErrorCode::TargetDisconnected,
            53 => ErrorCode::TargetNotMember,
            54 => ErrorCode::Timeout,
            55 => ErrorCode::TopicOverload,
            56 => ErrorCode::Transaction,
            57 => ErrorCode::TransactionNotActive,
            58 => ErrorCode::TransactionTimedOut,
            59 => ErrorCode::UriSyntax,
            60 => ErrorCode::UtfDataFormat,
            61 => ErrorCode::UnsupportedOperation,
            62 => ErrorCode::WrongTarget,
            63 => ErrorCode::Xa,
            64 => ErrorCode::AccessControl,
            65 => ErrorCode::Login,
            66 => ErrorCode::UnsupportedCallback,
            67 => ErrorCode::NoDataMember,
            68 => ErrorCode::ReplicatedMapCantBeCreated,
            69 => ErrorCode::MaxMessageSizeExceeded,
            70 => ErrorCode::WanReplicationQueueFull,
            71 => ErrorCode::AssertionError,
            72 => ErrorCode::OutOfMemoryError,
            73 => ErrorCode::StackOverflowError,
            74 => ErrorCode::NativeOutOfMemoryError,
            75 => ErrorCode::ServiceNotFound,
            76 => ErrorCode::StaleTaskId,
            77 => ErrorCode::DuplicateTask,
            78 => ErrorCode::StaleTask,
            79 => ErrorCode::LocalMemberReset,
            80 => ErrorCode::IndeterminateOperationState,
            81 => ErrorCode::FlakeIdNodeIdOutOfRange,
            82 => ErrorCode::TargetNotReplica,
            83 => ErrorCode::MutationDisallowed,
            84 => ErrorCode::ConsistencyLost,
            85 => ErrorCode::SessionExpired,
            86 => ErrorCode::WaitKeyCancelled,
            87 => ErrorCode::LockAcquireLimitReached,
            88 => ErrorCode::LockOwnershipLost,
            89 => ErrorCode::CpGroupDestroyed,
            90 => ErrorCode::CannotReplicate,
            91 => ErrorCode::LeaderDemoted,
            92 => ErrorCode::StaleAppendRequest,
            93 => ErrorCode::NotLeader,
            94 => ErrorCode::VersionMismatch,
            95 => ErrorCode::NoSuchMethodError,
            96 => ErrorCode::NoSuchMethodException,
            97 => ErrorCode::NoSuchFieldError,
            98 => ErrorCode::NoSuchFieldException,
            99 => ErrorCode::NoClassDefFoundError,
            other => ErrorCode::Other(other),
        }
    }

    /// The number of the code.
    pub fn code(self) -> i32 {
        match self {
            ErrorCode::Undefined => 0,
            ErrorCode::ArrayIndexOutOfBounds => 1,
            ErrorCode::ArrayStore => 2,
            ErrorCode::Authentication => 3,
            ErrorCode::Cache => 4,
            ErrorCode::CacheLoader => 5,
            ErrorCode::CacheNotExists => 6,
            ErrorCode::CacheWriter => 7,
            ErrorCode::CallerNotMember => 8,
            ErrorCode::Cancellation => 9,
            ErrorCode::ClassCast => 10,
            ErrorCode::ClassNotFound => 11,
            ErrorCode::ConcurrentModification => 12,
            ErrorCode::ConfigMismatch => 13,
            ErrorCode::DistributedObjectDestroyed => 14,
            ErrorCode::Eof => 15,
            ErrorCode::EntryProcessor => 16,
            ErrorCode::Execution => 17,
            ErrorCode::Hazelcast => 18,
            ErrorCode::HazelcastInstanceNotActive => 19,
            ErrorCode::HazelcastOverload => 20,
            ErrorCode::HazelcastSerialization => 21,
            ErrorCode::Io => 22,
            ErrorCode::IllegalArgument => 23,
            ErrorCode::IllegalAccessException => 24,
            ErrorCode::IllegalAccessError => 25,
            ErrorCode::IllegalMonitorState => 26,
            ErrorCode::IllegalState => 27,
            ErrorCode::IllegalThreadState => 28,
            ErrorCode::IndexOutOfBounds => 29,
            ErrorCode::Interrupted => 30,
            ErrorCode::InvalidAddress => 31,
            ErrorCode::InvalidConfiguration => 32,
            ErrorCode::MemberLeft => 33,
            ErrorCode::NegativeArraySize => 34,
            ErrorCode::NoSuchElement => 35,
            ErrorCode::NotSerializable => 36,
            ErrorCode::NullPointer => 37,
            ErrorCode::OperationTimeout => 38,
            ErrorCode::PartitionMigrating => 39,
            ErrorCode::Query => 40,
            ErrorCode::QueryResultSizeExceeded => 41,
            ErrorCode::SplitBrainProtection => 42,
            ErrorCode::ReachedMaxSize => 43,
            ErrorCode::RejectedExecution => 44,
            ErrorCode::ResponseAlreadySent => 45,
            ErrorCode::RetryableHazelcast => 46,
            ErrorCode::RetryableIo => 47,
            ErrorCode::Runtime => 48,
            ErrorCode::Security => 49,
            ErrorCode::Socket => 50,
            ErrorCode::StaleSequence => 51,
            ErrorCode::TargetDisconnected => 52,
            ErrorCode::TargetNotMember => 53,
            ErrorCode::Timeout => 54,
            ErrorCode::TopicOverload => 55,
            ErrorCode::Transaction => 56,
            ErrorCode::TransactionNotActive => 57,
            ErrorCode::TransactionTimedOut => 58,
            ErrorCode::UriSyntax => 59,
            ErrorCode::UtfDataFormat => 60,
            ErrorCode::UnsupportedOperation => 61,
            ErrorCode::WrongTarget => 62,
            ErrorCode::Xa => 63,
            ErrorCode::AccessControl => 64,
            ErrorCode::Login => 65,
            ErrorCode::UnsupportedCallback => 66,
            ErrorCode::NoDataMember => 67,
            ErrorCode::ReplicatedMapCantBeCreated => 68,
            ErrorCode::MaxMessageSizeExceeded => 69,
            ErrorCode::WanReplicationQueueFull => 70,
            ErrorCode::AssertionError => 71,
            ErrorCode::OutOfMemoryError => 72,
            ErrorCode::StackOverflowError => 73,
            ErrorCode::NativeOutOfMemoryError => 74,
            ErrorCode::ServiceNotFound => 75,
            ErrorCode::StaleTaskId => 76,
            ErrorCode::DuplicateTask => 77,
            ErrorCode::StaleTask => 78,
            ErrorCode::LocalMemberReset => 79,
            ErrorCode::IndeterminateOperationState => 80,
            ErrorCode::FlakeIdNodeIdOutOfRange => 81,
            ErrorCode::TargetNotReplica => 82,
            ErrorCode::MutationDisallowed => 83,
            ErrorCode::ConsistencyLost => 84,
            ErrorCode::SessionExpired => 85,
            ErrorCode::WaitKeyCancelled => 86,
            ErrorCode::LockAcquireLimitReached => 87,
            ErrorCode::LockOwnershipLost => 88,
            ErrorCode::CpGroupDestroyed => 89,
            ErrorCode::CannotReplicate => 90,
            ErrorCode::LeaderDemoted => 91,
            ErrorCode::StaleAppendRequest => 92,
            ErrorCode::NotLeader => 93,
            ErrorCode::VersionMismatch => 94,
            ErrorCode::NoSuchMethodError => 95,
            ErrorCode::NoSuchMethodException => 96,
            ErrorCode::NoSuchFieldError => 97,
            ErrorCode::NoSuchFieldException => 98,
            ErrorCode::NoClassDefFoundError => 99,
            ErrorCode::Other(c) => c,
        }
    }

    /// The name the protocol table gives the code.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Undefined => "UNDEFINED",
            ErrorCode::ArrayIndexOutOfBounds => "ARRAY_INDEX_OUT_OF_BOUNDS",
            ErrorCode::ArrayStore => "ARRAY_STORE",
            ErrorCode::Authentication => "AUTHENTICATION",
            ErrorCode::Cache => "CACHE",
            ErrorCode::CacheLoader => "CACHE_LOADER",
            ErrorCode::CacheNotExists => "CACHE_NOT_EXISTS",
            ErrorCode::CacheWriter => "CACHE_WRITER",
            ErrorCode::CallerNotMember => "CALLER_NOT_MEMBER",
            ErrorCode::Cancellation => "CANCELLATION",
            ErrorCode::ClassCast => "CLASS_CAST",
            ErrorCode::ClassNotFound => "CLASS_NOT_FOUND",
            ErrorCode::ConcurrentModification => "CONCURRENT_MODIFICATION",
            ErrorCode::ConfigMismatch => "CONFIG_MISMATCH",
            ErrorCode::DistributedObjectDestroyed => "DISTRIBUTED_OBJECT_DESTROYED",
            ErrorCode::Eof => "EOF",
            ErrorCode::EntryProcessor => "ENTRY_PROCESSOR",
            ErrorCode::Execution => "EXECUTION",
            ErrorCode::Hazelcast => "HAZELCAST",
            ErrorCode::HazelcastInstanceNotActive => "HAZELCAST_INSTANCE_NOT_ACTIVE",
            ErrorCode::HazelcastOverload => "HAZELCAST_OVERLOAD",
            ErrorCode::HazelcastSerialization => "HAZELCAST_SERIALIZATION",
            ErrorCode::Io => "IO",
            ErrorCode::IllegalArgument => "ILLEGAL_ARGUMENT",
            ErrorCode::IllegalAccessException => "ILLEGAL_ACCESS_EXCEPTION",
            ErrorCode::IllegalAccessError => "ILLEGAL_ACCESS_ERROR",
            ErrorCode::IllegalMonitorState => "ILLEGAL_MONITOR_STATE",
            ErrorCode::IllegalState => "ILLEGAL_STATE",
            ErrorCode::IllegalThreadState => "ILLEGAL_THREAD_STATE",
            ErrorCode::IndexOutOfBounds => "INDEX_OUT_OF_BOUNDS",
            ErrorCode::Interrupted => "INTERRUPTED",
            ErrorCode::InvalidAddress => "INVALID_ADDRESS",
            ErrorCode::InvalidConfiguration => "INVALID_CONFIGURATION",
            ErrorCode::MemberLeft => "MEMBER_LEFT",
            ErrorCode::NegativeArraySize => "NEGATIVE_ARRAY_SIZE",
            ErrorCode::NoSuchElement => "NO_SUCH_ELEMENT",
            ErrorCode::NotSerializable => "NOT_SERIALIZABLE",
            ErrorCode::NullPointer => "NULL_POINTER",
            ErrorCode::OperationTimeout => "OPERATION_TIMEOUT",
            ErrorCode::PartitionMigrating => "PARTITION_MIGRATING",
            ErrorCode::Query => "QUERY",
            ErrorCode::QueryResultSizeExceeded => "QUERY_RESULT_SIZE_EXCEEDED",
            ErrorCode::SplitBrainProtection => "SPLIT_BRAIN_PROTECTION",
            ErrorCode::ReachedMaxSize => "REACHED_MAX_SIZE",
            ErrorCode::RejectedExecution => "REJECTED_EXECUTION",
            ErrorCode::ResponseAlreadySent => "RESPONSE_ALREADY_SENT",
            ErrorCode::RetryableHazelcast => "RETRYABLE_HAZELCAST",
            ErrorCode::RetryableIo => "RETRYABLE_IO",
            ErrorCode::Runtime => "RUNTIME",
            ErrorCode::Security => "SECURITY",
            ErrorCode::Socket => "SOCKET",
            ErrorCode::StaleSequence => "STALE_SEQUENCE",
            ErrorCode::TargetDisconnected => "TARGET_DISCONNECTED",
            ErrorCode::TargetNotMember => "TARGET_NOT_MEMBER",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::TopicOverload => "TOPIC_OVERLOAD",
            ErrorCode::Transaction => "TRANSACTION",
            ErrorCode::TransactionNotActive => "TRANSACTION_NOT_ACTIVE",
            ErrorCode::TransactionTimedOut => "TRANSACTION_TIMED_OUT",
            ErrorCode::UriSyntax => "URI_SYNTAX",
            ErrorCode::UtfDataFormat => "UTF_DATA_FORMAT",
            ErrorCode::UnsupportedOperation => "UNSUPPORTED_OPERATION",
            ErrorCode::WrongTarget => "WRONG_TARGET",
            ErrorCode::Xa => "XA",
            ErrorCode::AccessControl => "ACCESS_CONTROL",
            ErrorCode::Login => "LOGIN",
            ErrorCode::UnsupportedCallback => "UNSUPPORTED_CALLBACK",
            ErrorCode::NoDataMember => "NO_DATA_MEMBER",
            ErrorCode::ReplicatedMapCantBeCreated => "REPLICATED_MAP_CANT_BE_CREATED",
            ErrorCode::MaxMessageSizeExceeded => "MAX_MESSAGE_SIZE_EXCEEDED",
            ErrorCode::WanReplicationQueueFull => "WAN_REPLICATION_QUEUE_FULL",
            ErrorCode::AssertionError => "ASSERTION_ERROR",
            ErrorCode::OutOfMemoryError => "OUT_OF_MEMORY_ERROR",
            ErrorCode::StackOverflowError => "STACK_OVERFLOW_ERROR",
            ErrorCode::NativeOutOfMemoryError => "NATIVE_OUT_OF_MEMORY_ERROR",
            ErrorCode::ServiceNotFound => "SERVICE_NOT_FOUND",
            ErrorCode::StaleTaskId => "STALE_TASK_ID",
            ErrorCode::DuplicateTask => "DUPLICATE_TASK",
            ErrorCode::StaleTask => "STALE_TASK",
            ErrorCode::LocalMemberReset => "LOCAL_MEMBER_RESET",
            ErrorCode::IndeterminateOperationState => "INDETERMINATE_OPERATION_STATE",
            ErrorCode::FlakeIdNodeIdOutOfRange => "FLAKE_ID_NODE_ID_OUT_OF_RANGE_EXCEPTION",
            ErrorCode::TargetNotReplica => "TARGET_NOT_REPLICA_EXCEPTION",
            ErrorCode::MutationDisallowed => "MUTATION_DISALLOWED_EXCEPTION",
            ErrorCode::ConsistencyLost => "CONSISTENCY_LOST_EXCEPTION",
            ErrorCode::SessionExpired => "SESSION_EXPIRED_EXCEPTION",
            ErrorCode::WaitKeyCancelled => "WAIT_KEY_CANCELLED_EXCEPTION",
            ErrorCode::LockAcquireLimitReached => "LOCK_ACQUIRE_LIMIT_REACHED_EXCEPTION",
            ErrorCode::LockOwnershipLost => "LOCK_OWNERSHIP_LOST_EXCEPTION",
            ErrorCode::CpGroupDestroyed => "CP_GROUP_DESTROYED_EXCEPTION",
            ErrorCode::CannotReplicate => "CANNOT_REPLICATE_EXCEPTION",
            ErrorCode::LeaderDemoted => "LEADER_DEMOTED_EXCEPTION",
            ErrorCode::StaleAppendRequest => "STALE_APPEND_REQUEST_EXCEPTION",
            ErrorCode::NotLeader => "NOT_LEADER_EXCEPTION",
            ErrorCode::VersionMismatch => "VERSION_MISMATCH_EXCEPTION",
            ErrorCode::NoSuchMethodError => "NO_SUCH_METHOD_ERROR",
            ErrorCode::NoSuchMethodException => "NO_SUCH_METHOD_EXCEPTION",
            ErrorCode::NoSuchFieldError => "NO_SUCH_FIELD_ERROR",
            ErrorCode::NoSuchFieldException => "NO_SUCH_FIELD_EXCEPTION",
            ErrorCode::NoClassDefFoundError => "NO_CLASS_DEF_FOUND_ERROR",
            ErrorCode::Other(_) => "UNKNOWN",
        }
    }

    /// True for server errors that mean the operation was not applied and may always be retried
    /// (`CALLER_NOT_MEMBER`, `MEMBER_LEFT`, `PARTITION_MIGRATING`, `RETRYABLE_HAZELCAST`,
    /// `RETRYABLE_IO`, `TARGET_NOT_MEMBER`, `WRONG_TARGET`, `TARGET_NOT_REPLICA`,
    /// `CANNOT_REPLICATE`), plus `HAZELCAST_INSTANCE_NOT_ACTIVE`.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::CallerNotMember
                | ErrorCode::MemberLeft
                | ErrorCode::PartitionMigrating
                | ErrorCode::RetryableHazelcast
                | ErrorCode::RetryableIo
                | ErrorCode::TargetNotMember
                | ErrorCode::WrongTarget
                | ErrorCode::TargetNotReplica
                | ErrorCode::CannotReplicate
                | ErrorCode::HazelcastInstanceNotActive
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.name(), self.code())
    }
}

/// A decoded error response (message type 0): the thrown exception followed by its causes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// Element 0 is the exception, following elements are its causes in order.
    pub errors: Vec<ErrorHolder>,
}

impl ErrorResponse {
    /// An error response from the exception (element 0) and its causes (the member side; tests
    /// and the test kit).
    pub fn new(errors: Vec<ErrorHolder>) -> Self {
        ErrorResponse { errors }
    }

    /// Decodes an error response.
    pub fn decode(msg: &ClientMessage) -> Result<Self, CodecError> {
        super::check_type(msg, crate::message::ERROR_MESSAGE_TYPE)?;
        let mut r = msg.reader();
        r.next_frame()?;
        Ok(ErrorResponse {
            errors: VarList::<ErrorHolder>::decode(&mut r)?.0,
        })
    }

    /// Encodes an error response (the member side; tests and the test kit).
    pub fn encode(&self, correlation_id: i64) -> ClientMessage {
        let mut w =
            crate::message::MessageWriter::response(crate::message::ERROR_MESSAGE_TYPE, correlation_id, 0);
        crate::types::encode_var_list(&self.errors, &mut w);
        w.finish()
    }

    /// The code of the outermost exception.
    pub fn code(&self) -> ErrorCode {
        self.errors
            .first()
            .map_or(ErrorCode::Undefined, |e| ErrorCode::from_code(e.error_code))
    }
}
