//! How the value types with a Compact kind of their own ([`Decimal`](crate::Decimal),
//! [`Date`](crate::Date), [`Time`](crate::Time), [`Timestamp`](crate::Timestamp),
//! [`TimestampWithTimezone`](crate::TimestampWithTimezone)) pass through serde.
//!
//! With a human-readable format they are strings. Otherwise they are a newtype struct with a
//! reserved name (`$hazelcast::Date`, …) around their Compact bytes: the Compact serializer and
//! deserializer recognise the name and copy the bytes in or hand the field's bytes out; other
//! binary formats store the bytes.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

use crate::error::SerializationError;
use crate::io::Input;
use crate::kind::FieldKind;

/// Somewhere to put encoded bytes.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A buffer on the stack for the common sizes, on the heap beyond.
pub(crate) struct SmallBuf {
    inline: [u8; 64],
    len: usize,
    heap: Vec<u8>,
}

impl SmallBuf {
    pub(crate) fn new() -> Self {
        SmallBuf {
            inline: [0; 64],
            len: 0,
            heap: Vec::new(),
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

impl Sink for SmallBuf {
    fn put(&mut self, bytes: &[u8]) {
        if self.heap.is_empty() && self.len + bytes.len() <= self.inline.len() {
            self.inline[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.inline[..self.len]);
            }
            self.heap.extend_from_slice(bytes);
        }
    }
}

/// A value type stored as one Compact kind.
pub(crate) trait MarkerType: Sized {
    /// The reserved newtype name.
    const MARKER: &'static str;
    /// The kind it is stored as.
    const KIND: FieldKind;
    /// Writes the Compact bytes.
    fn put(&self, out: &mut impl Sink);
    /// Reads the Compact bytes (validating them).
    fn read(input: &mut Input<'_>) -> Result<Self, SerializationError>;
    /// A valid value, for schema tracing.
    fn sample() -> Self;
}

/// The marker names and their kinds.
const MARKERS: [(&str, FieldKind); 5] = [
    ("$hazelcast::Decimal", FieldKind::Decimal),
    ("$hazelcast::Date", FieldKind::Date),
    ("$hazelcast::Time", FieldKind::Time),
    ("$hazelcast::Timestamp", FieldKind::Timestamp),
    (
        "$hazelcast::TimestampWithTimezone",
        FieldKind::TimestampWithTimezone,
    ),
];

/// The kind of a marker newtype name.
pub(crate) fn marker_kind(name: &str) -> Option<FieldKind> {
    if !name.starts_with('$') {
        return None;
    }
    MARKERS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// The length of one encoded value of a marker kind at the start of `bytes`, after checking
/// that it decodes to a valid value.
pub(crate) fn validated_len(kind: FieldKind, bytes: &[u8]) -> Result<usize, SerializationError> {
    let mut input = Input::new(bytes);
    match kind {
        FieldKind::Decimal => crate::Decimal::read(&mut input).map(drop)?,
        FieldKind::Date => crate::Date::read(&mut input).map(drop)?,
        FieldKind::Time => crate::Time::read(&mut input).map(drop)?,
        FieldKind::Timestamp => crate::Timestamp::read(&mut input).map(drop)?,
        FieldKind::TimestampWithTimezone => crate::TimestampWithTimezone::read(&mut input).map(drop)?,
        _ => return Err(SerializationError::malformed("not a value kind")),
    }
    Ok(bytes.len() - input.remaining())
}

/// Sample Compact bytes of a marker kind (for schema tracing).
pub(crate) fn sample_bytes(kind: FieldKind) -> SmallBuf {
    let mut out = SmallBuf::new();
    match kind {
        FieldKind::Decimal => crate::Decimal::sample().put(&mut out),
        FieldKind::Date => crate::Date::sample().put(&mut out),
        FieldKind::Time => crate::Time::sample().put(&mut out),
        FieldKind::Timestamp => crate::Timestamp::sample().put(&mut out),
        _ => crate::TimestampWithTimezone::sample().put(&mut out),
    }
    out
}

/// Bytes that serialize with `serialize_bytes`.
pub(crate) struct RawBytes<'a>(pub(crate) &'a [u8]);

impl serde::Serialize for RawBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

pub(crate) fn serialize<T, S>(value: &T, s: S) -> Result<S::Ok, S::Error>
where
    T: MarkerType + fmt::Display,
    S: Serializer,
{
    if s.is_human_readable() {
        s.collect_str(value)
    } else {
        let mut buf = SmallBuf::new();
        value.put(&mut buf);
        s.serialize_newtype_struct(T::MARKER, &RawBytes(buf.as_slice()))
    }
}

pub(crate) fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: MarkerType + FromStr<Err = SerializationError>,
    D: Deserializer<'de>,
{
    if d.is_human_readable() {
        d.deserialize_str(TextVisitor(PhantomData))
    } else {
        d.deserialize_newtype_struct(T::MARKER, BytesVisitor(PhantomData))
    }
}

struct TextVisitor<T>(PhantomData<T>);

impl<T: FromStr<Err = SerializationError>> Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO-8601 or decimal string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

struct BytesVisitor<T>(PhantomData<T>);

impl<'de, T: MarkerType> Visitor<'de> for BytesVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Compact bytes of {}", T::KIND)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_bytes(self)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<T, E> {
        T::read(&mut Input::new(v)).map_err(E::custom)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        // Formats that store bytes as a sequence.
        let mut bytes = Vec::new();
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        self.visit_bytes(&bytes)
    }
}

/// Implements `Serialize` and `Deserialize` through the marker for each type.
macro_rules! serde_via_marker {
    ($($t:ty),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::marker::serialize(self, s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::marker::deserialize(d)
            }
        }
    )*};
}
pub(crate) use serde_via_marker;
