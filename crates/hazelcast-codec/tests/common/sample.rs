//! Random values of every protocol type ([`Sample`]) and the round-trip checks the generated
//! tests (`tests/generated/`) run on every codec.

use std::fmt::Debug;

use bytes::Bytes;
use hazelcast_codec::frame::flags;
use hazelcast_codec::message::Frame;
use hazelcast_codec::messages::{MessageCodec, MessageKind, Reply, Request};
use hazelcast_codec::types::{
    ByteArray, EntryList, FixedEntryList, FixedList, PartitionOwners, RawFrames, SplitEntryList, SqlPage,
    UuidGroups, VarList,
};
use hazelcast_codec::{Address, ClientMessage, CodecError, Data, Uuid};
use proptest::prelude::Rng;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::assert_well_formed;

/// A random value of a protocol type.
pub(crate) trait Sample: Sized {
    /// Draws a value.
    fn sample(rng: &mut TestRng) -> Self;
}

/// Draws a value of the inferred type.
pub(crate) fn sample<T: Sample>(rng: &mut TestRng) -> T {
    T::sample(rng)
}

/// A fair coin.
pub(crate) fn coin(rng: &mut TestRng) -> bool {
    rng.next_u32() & 1 == 1
}

fn below(rng: &mut TestRng, n: u32) -> usize {
    (rng.next_u32() % n) as usize
}

/// Runs `body` on 48 random sources drawn by a proptest runner; a failure reports its seed.
pub(crate) fn check(name: &str, body: impl Fn(&mut TestRng)) {
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::prelude::any::<[u8; 32]>(), |seed| {
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
        body(&mut rng);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

macro_rules! sample_int {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            fn sample(rng: &mut TestRng) -> Self {
                // Edge values now and then.
                match below(rng, 8) {
                    0 => <$t>::MIN,
                    1 => <$t>::MAX,
                    2 => 0 as $t,
                    _ => rng.next_u64() as $t,
                }
            }
        }
    )*};
}
sample_int!(u8, i32, i64);

impl Sample for bool {
    fn sample(rng: &mut TestRng) -> Self {
        coin(rng)
    }
}

impl Sample for f32 {
    fn sample(rng: &mut TestRng) -> Self {
        // Finite values only: NaN is not equal to itself.
        let v = f32::from_bits(rng.next_u32());
        if v.is_finite() { v } else { rng.next_u32() as f32 }
    }
}

impl Sample for Uuid {
    fn sample(rng: &mut TestRng) -> Self {
        let v = Uuid::from_u64_pair(rng.next_u64(), rng.next_u64());
        // The nil UUID travels as null, which a non-nullable UUID decodes as nil again.
        if below(rng, 8) == 0 { Uuid::nil() } else { v }
    }
}

impl<T: Sample> Sample for Option<T> {
    fn sample(rng: &mut TestRng) -> Self {
        if below(rng, 4) == 0 {
            None
        } else {
            Some(T::sample(rng))
        }
    }
}

fn bytes(rng: &mut TestRng, max: u32) -> Vec<u8> {
    let n = below(rng, max + 1);
    (0..n).map(|_| rng.next_u32() as u8).collect()
}

impl Sample for String {
    fn sample(rng: &mut TestRng) -> Self {
        const CHARS: &[char] = &['a', 'Z', '0', ' ', ':', 'é', '€', '𝄞', '\u{0}', '"'];
        let n = below(rng, 9);
        (0..n).map(|_| CHARS[below(rng, CHARS.len() as u32)]).collect()
    }
}

impl Sample for Data {
    fn sample(rng: &mut TestRng) -> Self {
        let mut b = bytes(rng, 16);
        b.extend_from_slice(&[0; 8]);
        Data::from_bytes(Bytes::from(b)).expect("at least the header")
    }
}

impl Sample for ByteArray {
    fn sample(rng: &mut TestRng) -> Self {
        ByteArray(Bytes::from(bytes(rng, 16)))
    }
}

fn items<T: Sample>(rng: &mut TestRng) -> Vec<T> {
    let n = below(rng, 4);
    (0..n).map(|_| T::sample(rng)).collect()
}

impl<T: Sample> Sample for FixedList<T> {
    fn sample(rng: &mut TestRng) -> Self {
        FixedList(items(rng))
    }
}

impl<T: Sample> Sample for VarList<T> {
    fn sample(rng: &mut TestRng) -> Self {
        VarList(items(rng))
    }
}

impl<K: Sample, V: Sample> Sample for (K, V) {
    fn sample(rng: &mut TestRng) -> Self {
        (K::sample(rng), V::sample(rng))
    }
}

impl<K: Sample, V: Sample> Sample for EntryList<K, V> {
    fn sample(rng: &mut TestRng) -> Self {
        EntryList(items(rng))
    }
}

impl<K: Sample, V: Sample> Sample for FixedEntryList<K, V> {
    fn sample(rng: &mut TestRng) -> Self {
        FixedEntryList(items(rng))
    }
}

impl<K: Sample, V: Sample> Sample for SplitEntryList<K, V> {
    fn sample(rng: &mut TestRng) -> Self {
        SplitEntryList(items(rng))
    }
}

impl Sample for PartitionOwners {
    fn sample(rng: &mut TestRng) -> Self {
        let owners: Vec<(Uuid, FixedList<i32>)> = items(rng);
        PartitionOwners(owners.into_iter().map(|(u, l)| (u, l.0)).collect())
    }
}

impl Sample for UuidGroups {
    fn sample(rng: &mut TestRng) -> Self {
        let groups: Vec<FixedList<Uuid>> = items(rng);
        UuidGroups(groups.into_iter().map(|g| g.0).collect())
    }
}

impl Sample for Address {
    fn sample(rng: &mut TestRng) -> Self {
        let port = (rng.next_u32() % 65535 + 1) as u16;
        Address::new(String::sample(rng), port)
    }
}

fn frame(rng: &mut TestRng, flags: u16) -> Frame {
    Frame {
        flags,
        content: Bytes::from(bytes(rng, 12)),
    }
}

impl Sample for RawFrames {
    fn sample(rng: &mut TestRng) -> Self {
        if coin(rng) {
            return RawFrames(vec![frame(rng, 0)]);
        }
        let mut frames = vec![Frame {
            flags: flags::BEGIN_DATA_STRUCTURE,
            content: Bytes::new(),
        }];
        for _ in 0..below(rng, 3) {
            frames.push(if coin(rng) {
                frame(rng, 0)
            } else {
                Frame {
                    flags: flags::IS_NULL,
                    content: Bytes::new(),
                }
            });
        }
        frames.push(Frame {
            flags: flags::END_DATA_STRUCTURE,
            content: Bytes::new(),
        });
        RawFrames(frames)
    }
}

impl Sample for SqlPage {
    fn sample(rng: &mut TestRng) -> Self {
        let columns: Vec<RawFrames> = items(rng);
        let types = columns.iter().map(|_| i32::sample(rng)).collect();
        SqlPage::new(coin(rng), types, columns)
    }
}

fn partition_id(rng: &mut TestRng) -> i32 {
    match below(rng, 3) {
        0 => -1,
        1 => below(rng, 271) as i32,
        _ => rng.next_u32() as i32,
    }
}

fn catalogued(message_type: i32) -> &'static MessageCodec {
    MessageCodec::find(message_type).unwrap_or_else(|| panic!("{message_type:#08x} is not in the catalogue"))
}

/// Encodes a request (both ways: patched later and with its final header), checks the header,
/// framing and encoded length, and returns what the member side decodes.
pub(crate) fn request_roundtrip<R: Request>(req: &R, rng: &mut TestRng) -> R::Decoded {
    let (pid, corr) = (partition_id(rng), rng.next_u64() as i64);
    let mut msg = req.encode(pid);
    assert_eq!(msg.len(), req.encoded_len(), "{}: encoded_len", R::NAME);
    assert_eq!(msg.correlation_id(), 0, "encode leaves the correlation id 0");
    msg.set_correlation_id(corr);
    assert_eq!(msg.message_type(), R::MESSAGE_TYPE, "{}", R::NAME);
    assert_eq!(R::MESSAGE_TYPE & 0xff, 0, "request kind is 0");
    assert_eq!((msg.partition_id(), msg.correlation_id()), (pid, corr));
    assert!(!msg.is_event() && !msg.is_error() && msg.fragment_id().is_none());
    assert_well_formed(&msg);
    let fin = req.encode_final(pid, corr, flags::BACKUP_AWARE);
    assert_eq!(
        &fin.as_bytes()[6..],
        &msg.as_bytes()[6..],
        "{}: encode_final",
        R::NAME
    );
    let reparsed = ClientMessage::from_bytes(msg.as_bytes().clone()).expect("valid bytes");
    let entry = catalogued(R::MESSAGE_TYPE);
    assert!(matches!(entry.kind, MessageKind::Request { retryable, .. } if retryable == R::RETRYABLE));
    (entry.decode)(&reparsed).unwrap_or_else(|e| panic!("{}: catalogue decoder: {e}", R::NAME));
    R::decode_request(&reparsed).unwrap_or_else(|e| panic!("{}: decode_request: {e}", R::NAME))
}

/// `encode` → `decode` gives the same value; the header, framing and catalogue entry are right,
/// and a message of another type is rejected.
pub(crate) fn reply_roundtrip<R: Reply + PartialEq + Debug>(value: &R, event: bool, rng: &mut TestRng) {
    let corr = rng.next_u64() as i64;
    let msg = value.encode(corr);
    assert_eq!(msg.message_type(), R::MESSAGE_TYPE, "{}", R::NAME);
    assert_eq!(msg.correlation_id(), corr);
    assert_eq!(msg.is_event(), event, "{}", R::NAME);
    assert!(!msg.is_error());
    if event {
        assert!(R::MESSAGE_TYPE & 0xff >= 2, "event kind is 2 + n");
        assert_eq!(msg.partition_id(), -1);
    } else {
        assert_eq!(R::MESSAGE_TYPE & 0xff, 1, "response kind is 1");
        assert_eq!(msg.backup_acks(), 0);
    }
    assert_well_formed(&msg);
    let reparsed = ClientMessage::from_bytes(msg.as_bytes().clone()).expect("valid bytes");
    assert_eq!(
        &R::decode(&reparsed).unwrap_or_else(|e| panic!("{}: {e}", R::NAME)),
        value
    );
    let entry = catalogued(R::MESSAGE_TYPE);
    assert_eq!(
        entry.kind,
        if event {
            MessageKind::Event
        } else {
            MessageKind::Response
        }
    );
    (entry.decode)(&reparsed).unwrap_or_else(|e| panic!("{}: catalogue decoder: {e}", R::NAME));
    let mut other = msg.as_bytes().to_vec();
    other[6..10].copy_from_slice(&(R::MESSAGE_TYPE ^ 0x100).to_le_bytes());
    let other = ClientMessage::from_bytes(other.into()).expect("valid bytes");
    assert!(
        matches!(R::decode(&other), Err(CodecError::UnexpectedMessageType { .. })),
        "{} decoded another message type",
        R::NAME
    );
}
