//! The stream decoder: messages cut out of arbitrarily chunked bytes, fragmented messages
//! reassembled (also interleaved with each other and with ordinary messages), size limits checked
//! before anything is allocated, and hostile bytes answered with errors, never panics.

mod common;

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use common::*;
use hazelcast_codec::decoder::split_into_fragments;
use hazelcast_codec::frame::{FRAME_HEADER_SIZE, flags};
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::*;
use hazelcast_codec::messages::map::*;
use hazelcast_codec::{ClientMessage, CodecError, Decoded, DecoderLimits, ErrorResponse, MessageDecoder};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

/// Feeds the chunks one after the other, collecting every message the decoder returns.
fn feed(
    decoder: &mut MessageDecoder,
    chunks: &[Vec<u8>],
) -> Result<(Vec<ClientMessage>, BytesMut), CodecError> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        while let Some(m) = decoder.decode(&mut buf)? {
            out.push(m);
        }
    }
    Ok((out, buf))
}

/// Checks what `split_into_fragments` produced for `msg`.
fn check_fragments(msg: &ClientMessage, fragments: &[ClientMessage], id: i64, max: usize) {
    if msg.len() <= max {
        assert_eq!(
            fragments,
            std::slice::from_ref(msg),
            "a message that fits travels unchanged"
        );
        return;
    }
    if msg.frames().count() == 1 {
        // A single frame cannot be split: it travels alone, as an ordinary message.
        assert_eq!(fragments, std::slice::from_ref(msg));
        return;
    }
    assert!(
        fragments.len() >= 2,
        "{} bytes with max {max} gave {} fragment(s)",
        msg.len(),
        fragments.len()
    );
    let mut body = Vec::new();
    for (i, f) in fragments.iter().enumerate() {
        assert_well_formed(f);
        assert_eq!(f.fragment_id(), Some(id));
        let expected = match i {
            0 => flags::BEGIN_FRAGMENT,
            _ if i + 1 == fragments.len() => flags::END_FRAGMENT,
            _ => 0,
        };
        assert_eq!(
            f.initial_flags() & flags::UNFRAGMENTED_MESSAGE,
            expected,
            "fragment {i}"
        );
        let frames = frame_list(f);
        assert_eq!(
            frames[0].0,
            FRAME_HEADER_SIZE + 8,
            "fragmentation frame holds the id only"
        );
        assert_eq!(frames[0].2, id.to_le_bytes());
        // Whole frames, at most `max` bytes of them unless a single frame is larger.
        let payload: usize = frames[1..].iter().map(|(l, _, _)| l).sum();
        assert!(
            payload <= max || frames.len() == 2,
            "fragment {i} carries {payload} > {max} bytes"
        );
        for (j, (_, fl, c)) in frames.iter().enumerate().skip(1) {
            let last_of_all = i + 1 == fragments.len() && j + 1 == frames.len();
            body.push((
                *fl & !flags::IS_FINAL | if last_of_all { flags::IS_FINAL } else { 0 },
                c.clone(),
            ));
        }
    }
    let original: Vec<(u16, Vec<u8>)> = frame_list(msg).into_iter().map(|(_, f, c)| (f, c)).collect();
    assert_eq!(body, original, "the fragments carry the original frames in order");
}

proptest! {
    #[test]
    fn messages_in_arbitrary_chunks(msgs in vec(message(), 1..8), cuts in vec(any::<Index>(), 0..24)) {
        let bytes = concat(&msgs);
        let mut decoder = MessageDecoder::default();
        let (out, rest) = feed(&mut decoder, &chunks(&bytes, &cuts)).expect("valid stream");
        prop_assert_eq!(out, msgs);
        prop_assert!(rest.is_empty());
        prop_assert_eq!(decoder.pending_fragmented(), 0);
    }

    #[test]
    fn messages_byte_by_byte(msgs in vec(message(), 1..3)) {
        let bytes = concat(&msgs);
        let single: Vec<Vec<u8>> = bytes.iter().map(|b| vec![*b]).collect();
        let mut decoder = MessageDecoder::default();
        let (out, _) = feed(&mut decoder, &single).expect("valid stream");
        prop_assert_eq!(out, msgs);
    }

    #[test]
    fn fragments_reassemble_to_the_original(msg in message(), max in 8usize..300, id in any::<i64>()) {
        let fragments = split_into_fragments(&msg, id, max);
        check_fragments(&msg, &fragments, id, max);
        let mut decoder = MessageDecoder::default();
        let (out, rest) = feed(&mut decoder, &[concat(&fragments)]).expect("valid stream");
        prop_assert_eq!(out.len(), 1);
        prop_assert_eq!(out[0].as_bytes(), msg.as_bytes());
        prop_assert!(rest.is_empty());
        prop_assert_eq!(decoder.pending_fragmented(), 0);
    }

    /// Several messages, some fragmented with random maximum sizes, their wire messages
    /// interleaved at random (fragments of one message stay in order), the whole stream cut at
    /// random points: every message comes out whole, when its last wire message arrives.
    #[test]
    fn fragmented_and_ordinary_messages_interleaved(
        msgs in vec((message(), proptest::option::weighted(0.6, 8usize..200)), 1..7),
        order in vec(any::<Index>(), 64),
        cuts in vec(any::<Index>(), 0..24),
    ) {
        let mut queues: Vec<VecDeque<(ClientMessage, Option<usize>)>> = msgs
            .iter()
            .enumerate()
            .map(|(i, (m, max))| {
                let id = 1000 + i as i64;
                let wire = match max {
                    Some(max) => split_into_fragments(m, id, *max),
                    None => vec![m.clone()],
                };
                let n = wire.len();
                wire.into_iter().enumerate().map(|(j, w)| (w, (j + 1 == n).then_some(i))).collect()
            })
            .collect();
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        let mut step = 0;
        loop {
            let open: Vec<usize> = (0..queues.len()).filter(|q| !queues[*q].is_empty()).collect();
            if open.is_empty() {
                break;
            }
            let q = open[order[step % order.len()].index(open.len())];
            step += 1;
            let (w, completes) = queues[q].pop_front().expect("non-empty");
            wire.push(w);
            if let Some(i) = completes {
                expected.push(msgs[i].0.clone());
            }
        }
        let mut decoder = MessageDecoder::default();
        let (out, rest) = feed(&mut decoder, &chunks(&concat(&wire), &cuts)).expect("valid stream");
        prop_assert_eq!(out, expected);
        prop_assert!(rest.is_empty());
        prop_assert_eq!(decoder.pending_fragmented(), 0);
    }
}

#[test]
fn two_fragmented_messages_interleaved_with_ordinary_ones() {
    let a = big_message(1);
    let b = big_message(2);
    let ping = ClientPingResponse::new().encode(3);
    let fa = split_into_fragments(&a, 77, 64);
    let fb = split_into_fragments(&b, -5, 100);
    assert!(fa.len() >= 3 && fb.len() >= 3);
    let mut wire = Vec::new();
    let mut ia = fa.iter();
    let mut ib = fb.iter();
    loop {
        let (x, y) = (ia.next(), ib.next());
        if x.is_none() && y.is_none() {
            break;
        }
        wire.extend(x.cloned());
        wire.push(ping.clone());
        wire.extend(y.cloned());
    }
    let mut decoder = MessageDecoder::default();
    let mut buf = BytesMut::from(&concat(&wire)[..]);
    let mut out = Vec::new();
    while let Some(m) = decoder.decode(&mut buf).expect("valid stream") {
        out.push(m);
        assert!(decoder.pending_fragmented() <= 2);
    }
    let pings = out.iter().filter(|m| **m == ping).count();
    assert_eq!(pings, fa.len().max(fb.len()));
    let whole: Vec<_> = out.iter().filter(|m| **m != ping).cloned().collect();
    // `a` has more fragments, so `b` completes first.
    let expected = if fa.len() > fb.len() {
        vec![b.clone(), a.clone()]
    } else {
        vec![a.clone(), b.clone()]
    };
    assert_eq!(whole, expected);
    assert_eq!(
        MapKeySetResponse::decode(&whole[0])
            .expect("decodes")
            .response
            .0
            .len(),
        20
    );
    // The reassembled message is sendable as is: IS_FINAL only on its last frame.
    for m in &whole {
        assert_well_formed(m);
    }
}

#[test]
fn single_frame_larger_than_the_fragment_size_travels_alone() {
    let msg = ClientPingRequest {}.encode(-1);
    assert_eq!(split_into_fragments(&msg, 1, 10), vec![msg.clone()]);
    let msg = MapSizeResponse::new(1).encode(4);
    let fragments = split_into_fragments(&msg, 1, 5);
    let mut decoder = MessageDecoder::default();
    let (out, _) = feed(&mut decoder, &[concat(&fragments)]).expect("valid stream");
    assert_eq!(out, vec![msg]);
    assert_eq!(decoder.pending_fragmented(), 0);
}

// ---- limits and hostile input ----

fn decode_header_only(
    limits: DecoderLimits,
    len: i32,
    fl: u16,
) -> (Result<Option<ClientMessage>, CodecError>, usize) {
    let mut buf = BytesMut::from(&header(len, fl)[..]);
    assert_eq!(buf.capacity(), 6);
    let r = MessageDecoder::new(limits).decode(&mut buf);
    (r, buf.capacity())
}

#[test]
fn huge_negative_and_tiny_frame_lengths_fail_at_once() {
    for limits in [DecoderLimits::default(), SMALL] {
        let (r, cap) = decode_header_only(limits, 0x7fff_ffff, 0xE000);
        assert_eq!(
            r,
            Err(CodecError::FrameTooLarge {
                length: 0x7fff_ffff,
                max: limits.max_frame_size
            })
        );
        assert_eq!(cap, 6, "nothing reserved");
        for len in [-1, -6, i32::MIN, 0, 1, 5] {
            let (r, cap) = decode_header_only(limits, len, 0xE000);
            assert_eq!(r, Err(CodecError::FrameTooShort { length: len }), "length {len}");
            assert_eq!(cap, 6);
        }
        // Long enough for a frame, too short for a message header.
        for len in 6..14 {
            let (r, _) = decode_header_only(limits, len, 0xE000);
            assert!(
                matches!(r, Err(CodecError::FrameContentTooShort { .. })),
                "length {len}: {r:?}"
            );
        }
    }
    let (r, _) = decode_header_only(SMALL, 1025, 0xE000);
    assert_eq!(
        r,
        Err(CodecError::FrameTooLarge {
            length: 1025,
            max: 1024
        })
    );
}

#[test]
fn unfragmented_initial_frame_must_hold_type_and_correlation_id() {
    // 8 bytes of content: enough for a fragment id, not for a message type and correlation id.
    let mut wire = header(14, 0xE000);
    wire.extend_from_slice(&[1; 8]);
    let mut buf = BytesMut::from(&wire[..]);
    let r = MessageDecoder::default().decode(&mut buf);
    assert_eq!(
        r,
        Err(CodecError::FrameContentTooShort {
            what: "initial frame",
            needed: 12,
            available: 8
        })
    );
    // 12 bytes are enough (a header-only response has 13).
    let mut wire = header(18, 0xE000);
    wire.extend_from_slice(&[1; 12]);
    let mut buf = BytesMut::from(&wire[..]);
    let mut msg = MessageDecoder::default()
        .decode(&mut buf)
        .expect("valid")
        .expect("whole");
    msg.set_correlation_id(9);
    assert_eq!(msg.correlation_id(), 9);
}

proptest! {
    /// A header announcing a frame within the limit reserves room for that frame and no more.
    #[test]
    fn reserve_is_bounded_by_the_announced_frame(len in 18i32..=1024, rest in 0usize..8) {
        let mut wire = header(len, 0xE000);
        wire.extend(std::iter::repeat_n(0u8, rest));
        let mut buf = BytesMut::from(&wire[..]);
        let r = MessageDecoder::new(SMALL).decode(&mut buf);
        prop_assert_eq!(r, Ok(None));
        prop_assert!(buf.capacity() <= SMALL.max_frame_size.max(wire.len() * 2), "capacity {}", buf.capacity());
    }

    /// The second frame of a message may announce up to the frame limit: the reservation covers
    /// that frame only.
    #[test]
    fn reserve_for_a_later_frame(len in 6i32..=1024) {
        let mut wire = ClientPingResponse::new().encode(1).as_bytes().to_vec();
        wire[4..6].copy_from_slice(&0xC000u16.to_le_bytes()); // not final: another frame follows
        wire.extend(header(len, flags::IS_FINAL));
        let mut buf = BytesMut::from(&wire[..]);
        let r = MessageDecoder::new(SMALL).decode(&mut buf);
        if len == 6 {
            prop_assert!(matches!(r, Ok(Some(_))));
        } else {
            prop_assert_eq!(r, Ok(None));
            prop_assert!(buf.capacity() <= wire.len() + SMALL.max_frame_size, "capacity {}", buf.capacity());
        }
    }
}

#[test]
fn message_larger_than_the_limit_fails_before_it_arrives() {
    // Frames of 1000 bytes without IS_FINAL: the fifth frame header crosses 4096.
    let mut wire = frame(0xC000, &[0; 994]);
    for _ in 0..3 {
        wire.extend(frame(0, &[0; 994]));
    }
    wire.extend(header(1000, 0)); // only the header of frame 5 has arrived
    let mut buf = BytesMut::from(&wire[..]);
    let r = MessageDecoder::new(SMALL).decode(&mut buf);
    assert_eq!(
        r,
        Err(CodecError::MessageTooLarge {
            length: 5000,
            max: 4096
        })
    );
}

#[test]
fn reassembled_message_larger_than_the_limit_fails() {
    let msg = big_message(1); // ~ 400 bytes
    let limits = DecoderLimits {
        max_frame_size: 1024,
        max_message_size: 200,
        max_pending_fragmented: 4,
        max_fragmented_bytes: 200,
    };
    let fragments = split_into_fragments(&msg, 8, 100);
    assert!(fragments.iter().all(|f| f.len() <= 200));
    let mut decoder = MessageDecoder::new(limits);
    let r = feed(&mut decoder, &[concat(&fragments)]);
    assert!(
        matches!(r, Err(CodecError::MessageTooLarge { max: 200, .. })),
        "{r:?}"
    );
}

#[test]
fn end_or_middle_fragment_without_begin_is_unknown() {
    let initial = frame(0xC000, &[0; 13]);
    for fl in [flags::END_FRAGMENT, 0] {
        let wire = fragment(fl, 42, &[(0xC000, &initial[6..])]);
        let mut buf = BytesMut::from(&wire[..]);
        let r = MessageDecoder::default().decode(&mut buf);
        assert_eq!(r, Err(CodecError::UnknownFragment { fragment_id: 42 }));
    }
    // A BEGIN for another id does not help.
    let mut wire = fragment(flags::BEGIN_FRAGMENT, 1, &[(0xC000, &initial[6..])]);
    wire.extend(fragment(flags::END_FRAGMENT, 2, &[(0, b"x")]));
    let mut buf = BytesMut::from(&wire[..]);
    let mut decoder = MessageDecoder::default();
    assert_eq!(
        decoder.decode(&mut buf),
        Err(CodecError::UnknownFragment { fragment_id: 2 })
    );
    assert_eq!(decoder.pending_fragmented(), 1);
}

#[test]
fn too_many_fragmented_messages_at_once() {
    let initial = frame(0xC000, &[0; 13]);
    let mut wire = Vec::new();
    for id in 0..SMALL.max_pending_fragmented as i64 + 1 {
        wire.extend(fragment(flags::BEGIN_FRAGMENT, id, &[(0xC000, &initial[6..])]));
    }
    let mut decoder = MessageDecoder::new(SMALL);
    let mut buf = BytesMut::from(&wire[..]);
    assert_eq!(
        decoder.decode(&mut buf),
        Err(CodecError::TooManyFragments { max: 4 })
    );
    assert_eq!(decoder.pending_fragmented(), 4);

    // Finishing one makes room again.
    let mut decoder = MessageDecoder::new(SMALL);
    let mut wire = Vec::new();
    for id in 0..4 {
        wire.extend(fragment(flags::BEGIN_FRAGMENT, id, &[(0xC000, &initial[6..])]));
    }
    wire.extend(fragment(flags::END_FRAGMENT, 0, &[(0, b"x")]));
    wire.extend(fragment(flags::BEGIN_FRAGMENT, 4, &[(0xC000, &initial[6..])]));
    let mut buf = BytesMut::from(&wire[..]);
    let done = decoder
        .decode(&mut buf)
        .expect("valid")
        .expect("fragment 0 completes");
    assert_eq!(frame_shape(&done), vec![(19, 0xC000), (7, flags::IS_FINAL)]);
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    assert_eq!(decoder.pending_fragmented(), 4);
}

/// Runs every decoder of the crate on `msg`, retyped to each decoder's message type: none may panic.
fn decode_everything(msg: &ClientMessage) {
    // The header accessors.
    let _ = (
        msg.message_type(),
        msg.correlation_id(),
        msg.partition_id(),
        msg.backup_acks(),
    );
    let _ = (
        msg.is_event(),
        msg.is_error(),
        msg.is_backup_event(),
        msg.fragment_id(),
        format!("{msg:?}"),
    );
    for f in msg.frames() {
        let _ = (f.is_begin(), f.is_end(), f.is_null());
    }
    let _ = ClientAddClusterViewListenerEvent::decode(msg);
    macro_rules! run {
        (requests: $($r:ty),* ; replies: $($t:ty),* $(,)?) => {
            $( let _ = <$r>::decode_request(&retype(msg, <$r as Request>::MESSAGE_TYPE)); )*
            $( let _ = <$t>::decode(&retype(msg, <$t>::MESSAGE_TYPE)); )*
        };
    }
    let _ = ErrorResponse::decode(&retype(msg, 0));
    run!(
        requests: ClientAuthenticationRequest<'_>, ClientAddClusterViewListenerRequest, ClientPingRequest, ClientLocalBackupListenerRequest,
            ClientCreateProxyRequest<'_>, ClientDestroyProxyRequest<'_>, ClientGetDistributedObjectsRequest, MapPutRequest<'_>,
            MapGetRequest<'_>, MapRemoveRequest<'_>, MapReplaceRequest<'_>, MapReplaceIfSameRequest<'_>,
            MapContainsKeyRequest<'_>, MapContainsValueRequest<'_>, MapRemoveIfSameRequest<'_>, MapDeleteRequest<'_>,
            MapPutIfAbsentRequest<'_>, MapSetRequest<'_>, MapAddEntryListenerToKeyRequest<'_>,
            MapAddEntryListenerRequest<'_>, MapRemoveEntryListenerRequest<'_>, MapKeySetRequest<'_>,
            MapGetAllRequest<'_>, MapValuesRequest<'_>, MapEntrySetRequest<'_>, MapSizeRequest<'_>,
            MapIsEmptyRequest<'_>, MapPutAllRequest<'_>, MapClearRequest<'_>, MapSetTtlRequest<'_>,
            MapPutWithMaxIdleRequest<'_>, MapSetWithMaxIdleRequest<'_>;
        replies: ClientAuthenticationResponse, ClientAddClusterViewListenerResponse, ClientAddClusterViewListenerMembersViewEvent, ClientAddClusterViewListenerPartitionsViewEvent,
            ClientAddClusterViewListenerMemberGroupsViewEvent, ClientAddClusterViewListenerClusterVersionEvent, ClientPingResponse, ClientLocalBackupListenerResponse, ClientLocalBackupListenerBackupEvent,
            ClientCreateProxyResponse, ClientDestroyProxyResponse, ClientGetDistributedObjectsResponse, MapPutResponse,
            MapGetResponse, MapRemoveResponse, MapReplaceResponse, MapReplaceIfSameResponse, MapContainsKeyResponse,
            MapContainsValueResponse, MapRemoveIfSameResponse, MapDeleteResponse, MapPutIfAbsentResponse,
            MapSetResponse, MapAddEntryListenerToKeyResponse, MapAddEntryListenerToKeyEntryEvent, MapAddEntryListenerResponse,
            MapAddEntryListenerEntryEvent, MapRemoveEntryListenerResponse, MapKeySetResponse, MapGetAllResponse, MapValuesResponse,
            MapEntrySetResponse, MapSizeResponse, MapIsEmptyResponse, MapPutAllResponse, MapClearResponse,
            MapSetTtlResponse, MapPutWithMaxIdleResponse, MapSetWithMaxIdleResponse,
    );
}

/// A copy of `msg` carrying another message type.
fn retype(msg: &ClientMessage, message_type: i32) -> ClientMessage {
    let mut b = msg.as_bytes().to_vec();
    b[6..10].copy_from_slice(&message_type.to_le_bytes());
    ClientMessage::from_bytes(Bytes::from(b)).expect("still valid")
}

/// Checks a message the decoder handed out and runs every decoder on it.
fn check_decoded(msg: &ClientMessage) {
    let reparsed = ClientMessage::from_bytes(msg.as_bytes().clone());
    assert_eq!(
        reparsed.as_ref(),
        Ok(msg),
        "the decoder returned bytes that are not a valid message"
    );
    assert_eq!(msg.with_correlation_id(77).correlation_id(), 77);
    decode_everything(msg);
}

/// Found by `plausible_garbage_never_panics`: two fragments whose reassembled body starts with a
/// frame of 8 content bytes (flags that do not mark it as a message's initial frame). The whole
/// message has no room for a type and a correlation id: an error, not a message whose header
/// fields overlap the next frame.
#[test]
fn a_reassembled_message_without_room_for_a_header_is_refused() {
    let mut bytes = frame(flags::BEGIN_FRAGMENT, &0i64.to_le_bytes());
    bytes.extend(frame(0x0400, &[0; 8]));
    bytes.extend(frame(flags::IS_FINAL | flags::END_DATA_STRUCTURE, &[]));
    bytes.extend(frame(flags::END_FRAGMENT, &0i64.to_le_bytes()));
    bytes.extend(frame(flags::IS_FINAL | flags::BEGIN_FRAGMENT, &[]));
    let mut decoder = MessageDecoder::new(SMALL);
    let mut buf = BytesMut::from(&bytes[..]);
    match decoder.decode(&mut buf) {
        Err(CodecError::FrameContentTooShort {
            needed: 12,
            available: 8,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

/// One fragment has a fragment id, not a correlation or partition id, in its first frame:
/// setting them leaves it unchanged (and never writes into the next frame or past the end).
#[test]
fn header_setters_leave_a_fragment_unchanged() {
    let msg = big_message(5);
    let fragments = split_into_fragments(&msg, 9, 64);
    assert!(fragments.len() >= 2);
    let lone = ClientMessage::from_bytes(Bytes::from(frame(
        flags::BEGIN_FRAGMENT | flags::IS_FINAL,
        &9i64.to_le_bytes(),
    )))
    .expect("a one-frame fragment");
    for f in fragments.iter().chain([&lone]) {
        let before = f.as_bytes().clone();
        assert_eq!(f.with_correlation_id(77).as_bytes(), &before);
        let mut g = f.clone();
        g.set_correlation_id(77);
        g.set_partition_id(3);
        assert_eq!(g.as_bytes(), &before);
        assert_eq!(g.fragment_id(), Some(9));
    }
    // A whole message still takes them.
    let mut whole = msg.with_correlation_id(77);
    assert_eq!(whole.correlation_id(), 77);
    whole.set_correlation_id(78);
    assert_eq!(whole.correlation_id(), 78);
}

/// Feeds hostile bytes in chunks, to [`MessageDecoder::decode_or_skip`] and to
/// [`MessageDecoder::decode`]; after every `Ok(None)` or error the buffer's capacity stays
/// bounded by what was fed plus one maximum message (with `BytesMut`'s growth factor of 2), and
/// the bytes held in partial messages by their cap.
fn feed_hostile(limits: DecoderLimits, bytes: &[u8], cuts: &[Index]) -> Result<(), TestCaseError> {
    feed_hostile_with(limits, bytes, cuts, true)?;
    feed_hostile_with(limits, bytes, cuts, false)
}

fn feed_hostile_with(
    limits: DecoderLimits,
    bytes: &[u8],
    cuts: &[Index],
    skip: bool,
) -> Result<(), TestCaseError> {
    let mut decoder = MessageDecoder::new(limits);
    let mut buf = BytesMut::new();
    let mut fed = 0;
    for c in chunks(bytes, cuts) {
        fed += c.len();
        buf.extend_from_slice(&c);
        loop {
            let r = if skip {
                decoder.decode_or_skip(&mut buf)
            } else {
                decoder.decode(&mut buf).map(|m| m.map(Decoded::Message))
            };
            let bound = 2 * (fed + limits.max_message_size);
            prop_assert!(decoder.fragmented_bytes() <= limits.max_fragmented_bytes);
            match r {
                Ok(Some(Decoded::Message(m))) => check_decoded(&m),
                Ok(Some(Decoded::Oversized(o))) => {
                    prop_assert!(skip, "decode never skips");
                    prop_assert!(o.size > o.limit as u64, "{o:?}");
                }
                Ok(None) => {
                    prop_assert!(buf.capacity() <= bound, "capacity {} > {bound}", buf.capacity());
                    break;
                }
                Err(_) => {
                    prop_assert!(buf.capacity() <= bound, "capacity {} > {bound}", buf.capacity());
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..1024), cuts in vec(any::<Index>(), 0..8)) {
        feed_hostile(SMALL, &bytes, &cuts)?;
    }
}

/// Frames with plausible lengths and random flags and contents, to get past the header checks.
fn plausible_frames() -> impl Strategy<Value = Vec<u8>> {
    let flag = prop_oneof![
        Just(0u16),
        Just(flags::IS_FINAL),
        Just(0xC000),
        Just(0xE000),
        Just(0x8000),
        Just(0x4000),
        Just(0xA000),
        Just(0x6000),
        Just(flags::BEGIN_DATA_STRUCTURE),
        Just(flags::END_DATA_STRUCTURE),
        Just(flags::END_DATA_STRUCTURE | flags::IS_FINAL),
        Just(flags::IS_NULL),
        Just(flags::IS_NULL | flags::IS_FINAL),
        any::<u16>(),
    ];
    let fragment_id = prop_oneof![Just(0i64), Just(1), Just(2), any::<i64>()];
    vec((flag, vec(any::<u8>(), 0..40), fragment_id, any::<bool>()), 1..24).prop_map(|frames| {
        let mut out = Vec::new();
        for (fl, mut content, id, use_id) in frames {
            if use_id && content.len() >= 8 {
                content[..8].copy_from_slice(&id.to_le_bytes());
            }
            out.extend(frame(fl, &content));
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn plausible_garbage_never_panics(bytes in plausible_frames(), cuts in vec(any::<Index>(), 0..8)) {
        feed_hostile(SMALL, &bytes, &cuts)?;
    }

    /// Valid messages with a few bytes flipped: every decoder must answer with a value or an error.
    #[test]
    fn corrupted_messages_never_panic(
        msgs in vec(message(), 1..4),
        flips in vec((any::<Index>(), 1u8..=255), 1..6),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        let mut bytes = concat(&msgs);
        for (at, x) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        let limits = DecoderLimits {
            max_frame_size: 64 * 1024,
            max_message_size: 256 * 1024,
            max_pending_fragmented: 4,
            max_fragmented_bytes: 256 * 1024,
        };
        feed_hostile(limits, &bytes, &cuts)?;
    }

    /// Valid messages offered to every decoder of another message type.
    #[test]
    fn valid_messages_of_the_wrong_type_never_panic(msg in message()) {
        check_decoded(&msg);
    }
}

#[cfg(feature = "tokio-codec")]
#[test]
fn tokio_codec_round_trip() {
    use hazelcast_codec::ClientMessageCodec;
    use tokio_util::codec::{Decoder, Encoder};

    let msgs = vec![
        ClientPingRequest {}.encode(-1),
        big_message(5),
        MapSizeResponse::new(3).encode(6),
    ];
    let mut codec = ClientMessageCodec::new(SMALL);
    let mut buf = BytesMut::new();
    for m in &msgs {
        codec.encode(m.clone(), &mut buf).expect("encode");
    }
    assert_eq!(&buf[..], &concat(&msgs)[..]);
    let mut out = Vec::new();
    while let Some(m) = codec.decode(&mut buf).expect("decode") {
        out.push(m);
    }
    assert_eq!(out, msgs);
    let mut hostile = BytesMut::from(&header(0x7fff_ffff, 0xE000)[..]);
    assert!(matches!(
        codec.decode(&mut hostile),
        Err(CodecError::FrameTooLarge { .. })
    ));
}
