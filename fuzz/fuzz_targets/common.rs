// Shared by the fuzz targets (and build-checked and run on random input by the codec's test
// `tests/fuzz_decoders.rs`): run every response and event decoder of the catalogue on one
// message, first as it is, then with its type patched to each decoder's own type so that the
// decoders run past the type check.

use hazelcast_codec::messages::{CATALOG, MessageKind};
use hazelcast_codec::{ClientMessage, Deserialize, ErrorResponse};

pub fn decode_all(msg: &ClientMessage) {
    let _ = msg.message_type();
    let _ = msg.correlation_id();
    let _ = msg.backup_acks();
    let _ = msg.fragment_id();
    let _ = ErrorResponse::decode(msg);
    let bytes = msg.as_bytes().to_vec();
    for codec in CATALOG.iter().flat_map(|s| s.iter()) {
        if !matches!(codec.kind, MessageKind::Response | MessageKind::Event) {
            continue;
        }
        let _ = (codec.decode)(msg);
        let mut b = bytes.clone();
        if b.len() >= 10 {
            b[6..10].copy_from_slice(&codec.message_type.to_le_bytes());
        }
        if let Ok(m) = ClientMessage::from_bytes(bytes::Bytes::from(b)) {
            let _ = (codec.decode)(&m);
        }
    }
    if let Ok(hazelcast_codec::messages::map::MapGetResponse {
        response: Some(d), ..
    }) = hazelcast_codec::messages::map::MapGetResponse::decode(msg)
    {
        let _ = String::from_data(&d);
        let _ = i64::from_data(&d);
        let _ = d.partition_hash();
    }
}
