//! Map service messages (service id 1).
//!
//! Adding a message is a matter of copying its parameters from `Map.yaml`: fixed-size ones into
//! `fixed`, the others into `var`, each in definition order.

use uuid::Uuid;

use crate::serialization::Data;
use crate::types::{EntryList, EntryListRef, ListRef, VarList};

/// Declares a response type without parameters.
macro_rules! empty_response {
    ($(#[$m:meta])* $name:ident = $mt:literal) => {
        response! {
            $(#[$m])*
            pub struct $name = $mt { fixed {} later_fixed {} var {} later_var {} }
        }
    };
}

/// Declares a response type with one fixed parameter `response`.
macro_rules! fixed_response {
    ($(#[$m:meta])* $name:ident = $mt:literal, $t:ty) => {
        response! {
            $(#[$m])*
            pub struct $name = $mt {
                fixed {
                    /// The result.
                    response: $t,
                }
                later_fixed {}
                var {}
                later_var {}
            }
        }
    };
}

/// Declares a response type with one variable parameter `response`.
macro_rules! var_response {
    ($(#[$m:meta])* $name:ident = $mt:literal, $t:ty) => {
        response! {
            $(#[$m])*
            pub struct $name = $mt {
                fixed {}
                later_fixed {}
                var {
                    /// The result.
                    response: $t,
                }
                later_var {}
            }
        }
    };
}

request! {
    /// `Map.Put`: puts an entry, returning the old value.
    pub struct MapPutRequest<'a> {
        message_type = 0x010100, retryable = false, partition = Key, response = MapPutResponse,
        fixed { /// Thread id (lock owner).
                thread_id: i64, /// Time to live in ms; −1 = map default, 0 = infinite.
                ttl: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Value.
              value: &'a Data }
    }
}
var_response!(/// Answer to [`MapPutRequest`]: the old value.
    MapPutResponse = 0x010101, Option<Data>);

request! {
    /// `Map.Get`: reads the value of a key.
    pub struct MapGetRequest<'a> {
        message_type = 0x010200, retryable = true, partition = Key, response = MapGetResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data }
    }
}
var_response!(/// Answer to [`MapGetRequest`]: the value, if any.
    MapGetResponse = 0x010201, Option<Data>);

request! {
    /// `Map.Remove`: removes a key, returning its value.
    pub struct MapRemoveRequest<'a> {
        message_type = 0x010300, retryable = false, partition = Key, response = MapRemoveResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data }
    }
}
var_response!(/// Answer to [`MapRemoveRequest`]: the removed value.
    MapRemoveResponse = 0x010301, Option<Data>);

request! {
    /// `Map.Replace`: replaces the value of an existing key.
    pub struct MapReplaceRequest<'a> {
        message_type = 0x010400, retryable = false, partition = Key, response = MapReplaceResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// New value.
              value: &'a Data }
    }
}
var_response!(/// Answer to [`MapReplaceRequest`]: the previous value.
    MapReplaceResponse = 0x010401, Option<Data>);

request! {
    /// `Map.ReplaceIfSame`: replaces the value if it equals `test_value`.
    pub struct MapReplaceIfSameRequest<'a> {
        message_type = 0x010500, retryable = false, partition = Key, response = MapReplaceIfSameResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Expected value.
              test_value: &'a Data, /// New value.
              value: &'a Data }
    }
}
fixed_response!(/// Answer to [`MapReplaceIfSameRequest`]: whether it replaced.
    MapReplaceIfSameResponse = 0x010501, bool);

request! {
    /// `Map.ContainsKey`.
    pub struct MapContainsKeyRequest<'a> {
        message_type = 0x010600, retryable = true, partition = Key, response = MapContainsKeyResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data }
    }
}
fixed_response!(/// Answer to [`MapContainsKeyRequest`].
    MapContainsKeyResponse = 0x010601, bool);

request! {
    /// `Map.ContainsValue`.
    pub struct MapContainsValueRequest<'a> {
        message_type = 0x010700, retryable = true, partition = None, response = MapContainsValueResponse,
        fixed {}
        var { /// Map name.
              name: &'a str, /// Value.
              value: &'a Data }
    }
}
fixed_response!(/// Answer to [`MapContainsValueRequest`].
    MapContainsValueResponse = 0x010701, bool);

request! {
    /// `Map.RemoveIfSame`: removes the key if it maps to `value`.
    pub struct MapRemoveIfSameRequest<'a> {
        message_type = 0x010800, retryable = false, partition = Key, response = MapRemoveIfSameResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Expected value.
              value: &'a Data }
    }
}
fixed_response!(/// Answer to [`MapRemoveIfSameRequest`].
    MapRemoveIfSameResponse = 0x010801, bool);

request! {
    /// `Map.Delete`: removes a key without returning its value.
    pub struct MapDeleteRequest<'a> {
        message_type = 0x010900, retryable = false, partition = Key, response = MapDeleteResponse,
        fixed { /// Thread id.
                thread_id: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data }
    }
}
response! {
    /// Answer to [`MapDeleteRequest`].
    pub struct MapDeleteResponse = 0x010901 {
        fixed {}
        later_fixed {
            /// Whether an entry was removed (2.7+; absent from older members).
            response: bool,
        }
        var {}
        later_var {}
    }
}

request! {
    /// `Map.PutIfAbsent`.
    pub struct MapPutIfAbsentRequest<'a> {
        message_type = 0x010E00, retryable = false, partition = Key, response = MapPutIfAbsentResponse,
        fixed { /// Thread id.
                thread_id: i64, /// Time to live in ms.
                ttl: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Value.
              value: &'a Data }
    }
}
var_response!(/// Answer to [`MapPutIfAbsentRequest`]: the existing value, `None` if it inserted.
    MapPutIfAbsentResponse = 0x010E01, Option<Data>);

request! {
    /// `Map.Set`: puts an entry without returning the old value.
    pub struct MapSetRequest<'a> {
        message_type = 0x010F00, retryable = false, partition = Key, response = MapSetResponse,
        fixed { /// Thread id.
                thread_id: i64, /// Time to live in ms.
                ttl: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Value.
              value: &'a Data }
    }
}
empty_response!(/// Answer to [`MapSetRequest`].
    MapSetResponse = 0x010F01);

request! {
    /// `Map.AddEntryListenerToKey`: listen to one key's entry events.
    pub struct MapAddEntryListenerToKeyRequest<'a> {
        message_type = 0x011800, retryable = false, partition = None, response = MapAddEntryListenerToKeyResponse,
        fixed { /// Include values in events.
                include_value: bool, /// OR of the wanted event types.
                listener_flags: i32, /// Only events of entries this member owns.
                local_only: bool }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data }
    }
}
fixed_response!(/// Answer to [`MapAddEntryListenerToKeyRequest`]: the registration id.
    MapAddEntryListenerToKeyResponse = 0x011801, Uuid);

event! {
    /// An entry event of a key listener.
    pub struct MapEntryToKeyEvent = 0x011802 {
        fixed { /// Event type.
                event_type: i32, /// Member that fired it.
                uuid: Uuid, /// Number of affected entries.
                number_of_affected_entries: i32 }
        later_fixed {}
        var { /// Key.
              key: Option<Data>, /// New value.
              value: Option<Data>, /// Old value.
              old_value: Option<Data>, /// Merging value.
              merging_value: Option<Data> }
        later_var {}
    }
}

request! {
    /// `Map.AddEntryListener`: listen to a map's entry events.
    pub struct MapAddEntryListenerRequest<'a> {
        message_type = 0x011900, retryable = false, partition = None, response = MapAddEntryListenerResponse,
        fixed { /// Include values in events.
                include_value: bool, /// OR of the wanted event types.
                listener_flags: i32, /// Only events of entries this member owns.
                local_only: bool }
        var { /// Map name.
              name: &'a str }
    }
}
fixed_response!(/// Answer to [`MapAddEntryListenerRequest`]: the registration id.
    MapAddEntryListenerResponse = 0x011901, Uuid);

event! {
    /// An entry event of a map listener.
    pub struct MapEntryEvent = 0x011902 {
        fixed { /// Event type (see [`entry_event_type`]).
                event_type: i32, /// Member that fired it.
                uuid: Uuid, /// Number of affected entries.
                number_of_affected_entries: i32 }
        later_fixed {}
        var { /// Key.
              key: Option<Data>, /// New value.
              value: Option<Data>, /// Old value.
              old_value: Option<Data>, /// Merging value.
              merging_value: Option<Data> }
        later_var {}
    }
}

/// Entry event types, also the bits of `listener_flags`.
pub mod entry_event_type {
    /// Entry added.
    pub const ADDED: i32 = 1;
    /// Entry removed.
    pub const REMOVED: i32 = 2;
    /// Entry updated.
    pub const UPDATED: i32 = 4;
    /// Entry evicted.
    pub const EVICTED: i32 = 8;
    /// Entry expired.
    pub const EXPIRED: i32 = 16;
    /// All entries evicted.
    pub const EVICT_ALL: i32 = 32;
    /// Map cleared.
    pub const CLEAR_ALL: i32 = 64;
    /// Entry merged.
    pub const MERGED: i32 = 128;
    /// Invalidation.
    pub const INVALIDATION: i32 = 256;
    /// Entry loaded.
    pub const LOADED: i32 = 512;
}

request! {
    /// `Map.RemoveEntryListener`.
    pub struct MapRemoveEntryListenerRequest<'a> {
        message_type = 0x011A00, retryable = true, partition = None, response = MapRemoveEntryListenerResponse,
        fixed { /// Registration id.
                registration_id: Uuid }
        var { /// Map name.
              name: &'a str }
    }
}
fixed_response!(/// Answer to [`MapRemoveEntryListenerRequest`]: whether it was registered.
    MapRemoveEntryListenerResponse = 0x011A01, bool);

request! {
    /// `Map.KeySet`.
    pub struct MapKeySetRequest<'a> {
        message_type = 0x012200, retryable = true, partition = None, response = MapKeySetResponse,
        fixed {}
        var { /// Map name.
              name: &'a str }
    }
}
var_response!(/// Answer to [`MapKeySetRequest`].
    MapKeySetResponse = 0x012201, VarList<Data>);

request! {
    /// `Map.GetAll`: every key must belong to the request's partition.
    pub struct MapGetAllRequest<'a> {
        message_type = 0x012300, retryable = false, partition = PerPartition, response = MapGetAllResponse,
        fixed {}
        var { /// Map name.
              name: &'a str, /// Keys.
              keys: ListRef<'a, Data> }
    }
}
var_response!(/// Answer to [`MapGetAllRequest`].
    MapGetAllResponse = 0x012301, EntryList<Data, Data>);

request! {
    /// `Map.Values`.
    pub struct MapValuesRequest<'a> {
        message_type = 0x012400, retryable = true, partition = None, response = MapValuesResponse,
        fixed {}
        var { /// Map name.
              name: &'a str }
    }
}
var_response!(/// Answer to [`MapValuesRequest`].
    MapValuesResponse = 0x012401, VarList<Data>);

request! {
    /// `Map.EntrySet`.
    pub struct MapEntrySetRequest<'a> {
        message_type = 0x012500, retryable = true, partition = None, response = MapEntrySetResponse,
        fixed {}
        var { /// Map name.
              name: &'a str }
    }
}
var_response!(/// Answer to [`MapEntrySetRequest`].
    MapEntrySetResponse = 0x012501, EntryList<Data, Data>);

request! {
    /// `Map.Size`.
    pub struct MapSizeRequest<'a> {
        message_type = 0x012A00, retryable = true, partition = None, response = MapSizeResponse,
        fixed {}
        var { /// Map name.
              name: &'a str }
    }
}
fixed_response!(/// Answer to [`MapSizeRequest`].
    MapSizeResponse = 0x012A01, i32);

request! {
    /// `Map.IsEmpty`.
    pub struct MapIsEmptyRequest<'a> {
        message_type = 0x012B00, retryable = true, partition = None, response = MapIsEmptyResponse,
        fixed {}
        var { /// Map name.
              name: &'a str }
    }
}
fixed_response!(/// Answer to [`MapIsEmptyRequest`].
    MapIsEmptyResponse = 0x012B01, bool);

request! {
    /// `Map.PutAll`: every entry must belong to the request's partition.
    pub struct MapPutAllRequest<'a> {
        message_type = 0x012C00, retryable = false, partition = PerPartition, response = MapPutAllResponse,
        fixed { /// Trigger the map loader (2.1+).
                trigger_map_loader: bool }
        var { /// Map name.
              name: &'a str, /// Entries.
              entries: EntryListRef<'a, Data, Data> }
    }
}
empty_response!(/// Answer to [`MapPutAllRequest`].
    MapPutAllResponse = 0x012C01);

request! {
    /// `Map.Clear`.
    pub struct MapClearRequest<'a> {
        message_type = 0x012D00, retryable = false, partition = None, response = MapClearResponse,
        fixed {}
        var { /// Map name.
              name: &'a str }
    }
}
empty_response!(/// Answer to [`MapClearRequest`].
    MapClearResponse = 0x012D01);

request! {
    /// `Map.SetTtl`: changes the time to live of an entry.
    pub struct MapSetTtlRequest<'a> {
        message_type = 0x014300, retryable = false, partition = Key, response = MapSetTtlResponse,
        fixed { /// Time to live in ms.
                ttl: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data }
    }
}
fixed_response!(/// Answer to [`MapSetTtlRequest`]: whether the entry exists.
    MapSetTtlResponse = 0x014301, bool);

request! {
    /// `Map.PutWithMaxIdle`.
    pub struct MapPutWithMaxIdleRequest<'a> {
        message_type = 0x014400, retryable = false, partition = Key, response = MapPutWithMaxIdleResponse,
        fixed { /// Thread id.
                thread_id: i64, /// Time to live in ms.
                ttl: i64, /// Maximum idle time in ms.
                max_idle: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Value.
              value: &'a Data }
    }
}
var_response!(/// Answer to [`MapPutWithMaxIdleRequest`]: the old value.
    MapPutWithMaxIdleResponse = 0x014401, Option<Data>);

request! {
    /// `Map.SetWithMaxIdle`.
    pub struct MapSetWithMaxIdleRequest<'a> {
        message_type = 0x014700, retryable = false, partition = Key, response = MapSetWithMaxIdleResponse,
        fixed { /// Thread id.
                thread_id: i64, /// Time to live in ms.
                ttl: i64, /// Maximum idle time in ms.
                max_idle: i64 }
        var { /// Map name.
              name: &'a str, /// Key.
              key: &'a Data, /// Value.
              value: &'a Data }
    }
}
var_response!(/// Answer to [`MapSetWithMaxIdleRequest`].
    MapSetWithMaxIdleResponse = 0x014701, Option<Data>);
