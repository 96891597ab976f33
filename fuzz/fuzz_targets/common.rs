// Shared by the fuzz targets: run every response and event decoder on one message.

use hazelcast_codec::ClientMessage;
use hazelcast_codec::messages::client::{
    ClientAuthenticationResponse, ClientLocalBackupListenerBackupEvent, ClientAddClusterViewListenerEvent, ClientGetDistributedObjectsResponse,
    ClientLocalBackupListenerResponse,
};
use hazelcast_codec::messages::map::{
    MapDeleteResponse, MapAddEntryListenerEntryEvent, MapEntrySetResponse, MapGetAllResponse, MapGetResponse,
    MapKeySetResponse, MapPutResponse, MapSizeResponse,
};
use hazelcast_codec::{Deserialize, ErrorResponse};

pub fn decode_all(msg: &ClientMessage) {
    let _ = msg.message_type();
    let _ = msg.correlation_id();
    let _ = msg.backup_acks();
    let _ = msg.fragment_id();
    let _ = ErrorResponse::decode(msg);
    let _ = ClientAuthenticationResponse::decode(msg);
    let _ = ClientAddClusterViewListenerEvent::decode(msg);
    let _ = ClientLocalBackupListenerBackupEvent::decode(msg);
    let _ = ClientLocalBackupListenerResponse::decode(msg);
    let _ = ClientGetDistributedObjectsResponse::decode(msg);
    let _ = MapAddEntryListenerEntryEvent::decode(msg);
    let _ = MapDeleteResponse::decode(msg);
    let _ = MapSizeResponse::decode(msg);
    let _ = MapKeySetResponse::decode(msg);
    let _ = MapGetAllResponse::decode(msg);
    let _ = MapEntrySetResponse::decode(msg);
    let _ = MapPutResponse::decode(msg);
    if let Ok(r) = MapGetResponse::decode(msg) {
        if let Some(d) = r.response {
            let _ = String::from_data(&d);
            let _ = i64::from_data(&d);
            let _ = d.partition_hash();
        }
    }
    // Every message type is also tried as "its own" type, so the decoders run past the type check.
    let mut patched = msg.clone();
    for t in [0x000101, 0x000302, 0x000303, 0x011902, 0x012301, 0] {
        let bytes = patched.as_bytes().to_vec();
        let mut b = bytes.clone();
        if b.len() >= 10 {
            b[6..10].copy_from_slice(&(t as i32).to_le_bytes());
        }
        if let Ok(m) = ClientMessage::from_bytes(bytes::Bytes::from(b)) {
            patched = m;
            let _ = ErrorResponse::decode(&patched);
            let _ = ClientAuthenticationResponse::decode(&patched);
            let _ = ClientAddClusterViewListenerEvent::decode(&patched);
            let _ = MapAddEntryListenerEntryEvent::decode(&patched);
            let _ = MapGetAllResponse::decode(&patched);
        }
    }
}
