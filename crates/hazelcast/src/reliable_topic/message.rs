//! The item a reliable topic stores in its ringbuffer: Java's `ReliableTopicMessage`
//! (`com.hazelcast.topic.impl.reliable.ReliableTopicMessage`), an IdentifiedDataSerializable of
//! the topic factory (`TopicDataSerializerHook.F_ID`, -9), class `RELIABLE_TOPIC_MESSAGE` (2).
//!
//! Its fields, big-endian, after the `Data` header (type id -2) and the IdentifiedDataSerializable
//! header (flags byte, factory id, class id):
//!
//! * `long publishTime`: milliseconds since the Unix epoch, by the publisher's clock;
//! * `writeObject(Address publisherAddress)`: `null` (type id 0) when a client published, else
//!   the member's `Address` (type id -2, factory 0 = `ClusterDataSerializerHook.F_ID`, class 1 =
//!   `ADDRESS`: `int port`, `byte type`, `String host`);
//! * `writeData(Data payload)`: the message's own serialized bytes as a `byte[]` (`int` length,
//!   -1 for null, then the bytes).

use hazelcast_codec::{Address, CodecError, Data};
use hazelcast_serialization::DATA_SERIALIZABLE_TYPE_ID;

/// `TopicDataSerializerHook.F_ID`.
pub(crate) const FACTORY_ID: i32 = -9;
/// `TopicDataSerializerHook.RELIABLE_TOPIC_MESSAGE`.
pub(crate) const CLASS_ID: i32 = 2;
/// `ClusterDataSerializerHook.F_ID`.
const ADDRESS_FACTORY_ID: i32 = 0;
/// `ClusterDataSerializerHook.ADDRESS`.
const ADDRESS_CLASS_ID: i32 = 1;
/// `DataSerializableSerializer.IDS_FLAG`.
const IDS_FLAG: u8 = 1;
/// `DataSerializableSerializer.EE_FLAG`: two version bytes follow the ids.
const EE_FLAG: u8 = 2;
/// The type id of `null` in `writeObject`.
const NULL_TYPE_ID: i32 = 0;

/// A message read from the ringbuffer, its payload still serialized.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawMessage {
    pub(crate) publish_time_millis: i64,
    pub(crate) publisher: Option<Address>,
    pub(crate) payload: Data,
}

fn invalid(reason: &'static str) -> CodecError {
    CodecError::InvalidData { reason }
}

/// Wraps a serialized message as a client publishes it (no publisher address, as the Java
/// client writes it).
pub(crate) fn encode(publish_time_millis: i64, payload: &Data) -> Result<Data, CodecError> {
    let bytes = payload.as_bytes();
    let len = i32::try_from(bytes.len()).map_err(|_| invalid("reliable topic message above 2 GiB"))?;
    // flags + factory id + class id + publish time + null type id + payload length + payload
    let size = 1 + 4 + 4 + 8 + 4 + 4 + bytes.len();
    Ok(Data::build(DATA_SERIALIZABLE_TYPE_ID, size, |b| {
        b.extend_from_slice(&[IDS_FLAG]);
        b.extend_from_slice(&FACTORY_ID.to_be_bytes());
        b.extend_from_slice(&CLASS_ID.to_be_bytes());
        b.extend_from_slice(&publish_time_millis.to_be_bytes());
        b.extend_from_slice(&NULL_TYPE_ID.to_be_bytes());
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(bytes);
    }))
}

/// A bounds-checked big-endian reader over a `Data`'s bytes.
struct Reader<'a> {
    data: &'a Data,
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CodecError> {
        let bytes = self.data.as_bytes();
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= bytes.len())
            .ok_or(invalid("reliable topic message truncated"))?;
        let out = &bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }

    fn i32(&mut self) -> Result<i32, CodecError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self) -> Result<i64, CodecError> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }

    /// A length written before a string or array: `None` for -1 (null); never more than the
    /// bytes left, so nothing is allocated by a length the peer sent.
    fn len(&mut self) -> Result<Option<usize>, CodecError> {
        let n = self.i32()?;
        if n == -1 {
            return Ok(None);
        }
        let n = usize::try_from(n).map_err(|_| invalid("negative length in a reliable topic message"))?;
        if n > self.data.len() - self.pos {
            return Err(invalid("reliable topic message truncated"));
        }
        Ok(Some(n))
    }

    /// The IdentifiedDataSerializable header; checks the ids.
    fn ids_header(&mut self, factory_id: i32, class_id: i32) -> Result<(), CodecError> {
        let flags = self.u8()?;
        if flags & IDS_FLAG == 0 {
            return Err(invalid("not an IdentifiedDataSerializable"));
        }
        if self.i32()? != factory_id || self.i32()? != class_id {
            return Err(invalid(
                "not a reliable topic message (other factory or class id)",
            ));
        }
        if flags & EE_FLAG != 0 {
            self.take(2)?;
        }
        Ok(())
    }

    fn address(&mut self) -> Result<Option<Address>, CodecError> {
        match self.i32()? {
            NULL_TYPE_ID => Ok(None),
            DATA_SERIALIZABLE_TYPE_ID => {
                self.ids_header(ADDRESS_FACTORY_ID, ADDRESS_CLASS_ID)?;
                let port = u16::try_from(self.i32()?).map_err(|_| invalid("publisher port out of range"))?;
                let _ip_version = self.u8()?;
                let n = self.len()?.ok_or(invalid("publisher address without a host"))?;
                let host =
                    std::str::from_utf8(self.take(n)?).map_err(|_| invalid("publisher host is not UTF-8"))?;
                Ok(Some(Address::new(host, port)))
            }
            _ => Err(invalid("publisher address of an unknown type")),
        }
    }
}

/// Reads a message as any client or member stores it.
pub(crate) fn decode(data: &Data) -> Result<RawMessage, CodecError> {
    if data.len() < hazelcast_codec::serialization::DATA_HEADER_SIZE
        || data.type_id() != DATA_SERIALIZABLE_TYPE_ID
    {
        return Err(invalid(
            "not a reliable topic message (not IdentifiedDataSerializable)",
        ));
    }
    let mut r = Reader {
        data,
        pos: hazelcast_codec::serialization::DATA_HEADER_SIZE,
    };
    r.ids_header(FACTORY_ID, CLASS_ID)?;
    let publish_time_millis = r.i64()?;
    let publisher = r.address()?;
    let n = r
        .len()?
        .ok_or(invalid("reliable topic message without a payload"))?;
    let start = r.pos;
    r.take(n)?;
    let payload = Data::from_bytes(data.as_bytes().slice(start..start + n))?;
    Ok(RawMessage {
        publish_time_millis,
        publisher,
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hazelcast_codec::Serialize;

    /// The bytes Java's `ReliableTopicMessage.writeData` produces for a client's message (no
    /// publisher), laid out by hand from its source.
    fn java_layout(time: i64, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&0i32.to_be_bytes()); // partition hash
        v.extend_from_slice(&(-2i32).to_be_bytes()); // DataSerializable
        v.push(1); // identified
        v.extend_from_slice(&(-9i32).to_be_bytes());
        v.extend_from_slice(&2i32.to_be_bytes());
        v.extend_from_slice(&time.to_be_bytes());
        v.extend_from_slice(&0i32.to_be_bytes()); // writeObject(null)
        v.extend_from_slice(&(payload.len() as i32).to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn a_client_message_is_laid_out_as_java_writes_it() {
        let payload = "hello".to_data();
        let data = encode(1_700_000_000_123, &payload).expect("encode");
        assert_eq!(
            &data.as_bytes()[..],
            &java_layout(1_700_000_000_123, payload.as_bytes())[..]
        );
        let back = decode(&data).expect("decode");
        assert_eq!(back.publish_time_millis, 1_700_000_000_123);
        assert_eq!(back.publisher, None);
        assert_eq!(back.payload, payload);
    }

    fn hex(s: &str) -> Data {
        let bytes: Vec<u8> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect();
        Data::from_bytes(bytes.into()).expect("data")
    }

    /// `ss.toData(new ReliableTopicMessage(ss.toData("hello"), null))` from the Java 5.7.0
    /// classes (`DefaultSerializationServiceBuilder`), publish time 1796511501363.
    const JAVA_CLIENT_MESSAGE: &str = "00000000fffffffe01fffffff700000002000001a2486e0c33\
        000000000000001100000000fffffff50000000568656c6c6f";
    /// The same for `new ReliableTopicMessage(ss.toData(42L), new Address("10.0.0.1", 5701))`,
    /// publish time 1796511501365.
    const JAVA_MEMBER_MESSAGE: &str = "00000000fffffffe01fffffff700000002000001a2486e0c35\
        fffffffe01000000000000000100001645040000000831302e302e302e310000001000000000fffffff8\
        000000000000002a";

    #[test]
    fn the_java_classes_write_the_same_bytes_and_read_back() {
        let java = hex(JAVA_CLIENT_MESSAGE);
        let ours = encode(1_796_511_501_363, &"hello".to_data()).expect("encode");
        assert_eq!(ours, java, "byte for byte as Java writes it");
        let m = decode(&java).expect("decode");
        assert_eq!(m.publish_time_millis, 1_796_511_501_363);
        assert_eq!(m.publisher, None);
        assert_eq!(m.payload, "hello".to_data());

        let m = decode(&hex(JAVA_MEMBER_MESSAGE)).expect("decode");
        assert_eq!(m.publish_time_millis, 1_796_511_501_365);
        assert_eq!(m.publisher, Some(Address::new("10.0.0.1", 5701)));
        assert_eq!(m.payload, 42i64.to_data());
    }

    #[test]
    fn a_member_message_carries_its_address() {
        let payload = 42i64.to_data();
        let mut v = java_layout(7, payload.as_bytes());
        // Replace writeObject(null) by a nested Address 10.0.0.1:5701.
        let at = 8 + 1 + 4 + 4 + 8;
        let mut address = Vec::new();
        address.extend_from_slice(&(-2i32).to_be_bytes());
        address.push(1);
        address.extend_from_slice(&0i32.to_be_bytes());
        address.extend_from_slice(&1i32.to_be_bytes());
        address.extend_from_slice(&5701i32.to_be_bytes());
        address.push(4);
        address.extend_from_slice(&8i32.to_be_bytes());
        address.extend_from_slice(b"10.0.0.1");
        v.splice(at..at + 4, address);
        let data = Data::from_bytes(v.into()).expect("data");
        let back = decode(&data).expect("decode");
        assert_eq!(back.publisher, Some(Address::new("10.0.0.1", 5701)));
        assert_eq!(back.payload, payload);
        assert_eq!(back.publish_time_millis, 7);
    }

    #[test]
    fn other_items_and_truncated_messages_are_errors() {
        let payload = "x".to_data();
        assert!(decode(&"not a message".to_data()).is_err());
        let full = encode(1, &payload).expect("encode");
        for cut in 8..full.len() {
            let short = Data::from_bytes(full.as_bytes().slice(..cut)).expect("data");
            assert!(decode(&short).is_err(), "cut at {cut}");
        }
        // A length far beyond the bytes present is refused, not allocated.
        let mut v = java_layout(1, payload.as_bytes());
        let len_at = v.len() - payload.len() - 4;
        v[len_at..len_at + 4].copy_from_slice(&i32::MAX.to_be_bytes());
        assert!(decode(&Data::from_bytes(v.into()).expect("data")).is_err());
        // Another class of the same factory.
        let mut v = java_layout(1, payload.as_bytes());
        v[13..17].copy_from_slice(&3i32.to_be_bytes());
        assert!(decode(&Data::from_bytes(v.into()).expect("data")).is_err());
    }
}
