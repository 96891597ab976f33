//! Encoding and decoding of parameter types of the Open Binary Client Protocol.
//!
//! * [`FixedSize`]: types packed into an initial frame, a custom type's fixed frame or a
//!   fixed-element list (`byte`, `boolean`, `int`, `long`, `float`, `UUID`).
//! * [`Encode`] / [`Decode`]: types carried in their own frames: strings, byte arrays, `Data`,
//!   lists, maps, custom types, and nullable versions of all of them (`Option<T>`).
//!
//! The declaration macros ([`crate::request!`] and friends) pick the right trait from the field's
//! section, so adding a message is a matter of listing its fields.

use bytes::Bytes;
use uuid::Uuid;

use crate::error::CodecError;
use crate::message::{FrameReader, MessageWriter};
use crate::serialization::Data;

mod entries;
mod sql_page;

pub use entries::{FixedEntryList, FixedEntryListRef, SplitEntryList};
pub use sql_page::{RawFrames, SqlPage};

/// A fixed-size protocol type.
pub trait FixedSize: Sized {
    /// Encoded size in bytes.
    const SIZE: usize;
    /// The type's name in the protocol definitions.
    const WIRE_NAME: &'static str;
    /// The type's name as a list or entry-list element (`List_Integer`, `EntryList_UUID_Long`).
    const ELEMENT_NAME: &'static str;
    /// Appends the value to the writer's open fixed-size frame.
    fn put(&self, w: &mut MessageWriter);
    /// Appends all `items` to the writer's open fixed-size frame.
    fn put_all(items: &[Self], w: &mut MessageWriter) {
        for v in items {
            v.put(w);
        }
    }
    /// Reads the value from exactly `Self::SIZE` bytes.
    fn get(b: &[u8]) -> Self;
    /// Reads the value at `offset` of `content`, failing when the content is too short.
    fn read_at(content: &[u8], offset: usize, what: &'static str) -> Result<Self, CodecError> {
        match content.get(offset..offset + Self::SIZE) {
            Some(b) => Ok(Self::get(b)),
            None => Err(CodecError::FrameContentTooShort {
                what,
                needed: offset + Self::SIZE,
                available: content.len(),
            }),
        }
    }
    /// Reads the value at `offset` if the content is long enough (a field a newer protocol version
    /// added), `None` otherwise.
    fn read_later(content: &[u8], offset: usize) -> Option<Self> {
        content.get(offset..offset + Self::SIZE).map(Self::get)
    }
}

/// The protocol type name of a fixed-size type (for [`crate::messages::WireParam`]).
pub fn fixed_wire_name<T: FixedSize>() -> String {
    T::WIRE_NAME.to_owned()
}

macro_rules! fixed_int {
    ($t:ty, $name:literal, $element:literal) => {
        impl FixedSize for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            const WIRE_NAME: &'static str = $name;
            const ELEMENT_NAME: &'static str = $element;
            #[inline]
            fn put(&self, w: &mut MessageWriter) {
                w.put_fixed(&self.to_le_bytes());
            }
            #[inline]
            fn get(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                <$t>::from_le_bytes(a)
            }
        }
    };
}
fixed_int!(i8, "byte", "Byte");
fixed_int!(i32, "int", "Integer");
fixed_int!(i64, "long", "Long");
fixed_int!(f32, "float", "Float");

impl FixedSize for u8 {
    const SIZE: usize = 1;
    const WIRE_NAME: &'static str = "byte";
    const ELEMENT_NAME: &'static str = "Byte";
    #[inline]
    fn put(&self, w: &mut MessageWriter) {
        w.put_u8(*self);
    }
    fn put_all(items: &[Self], w: &mut MessageWriter) {
        w.put_fixed(items);
    }
    #[inline]
    fn get(b: &[u8]) -> Self {
        b[0]
    }
}

impl FixedSize for bool {
    const SIZE: usize = 1;
    const WIRE_NAME: &'static str = "boolean";
    const ELEMENT_NAME: &'static str = "Boolean";
    fn put(&self, w: &mut MessageWriter) {
        w.put_u8(u8::from(*self));
    }
    fn get(b: &[u8]) -> Self {
        b[0] == 1
    }
}

/// Nullable UUID: byte 0 is the null flag, then most- and least-significant halves as `i64` LE.
impl FixedSize for Option<Uuid> {
    const SIZE: usize = 17;
    const WIRE_NAME: &'static str = "UUID";
    const ELEMENT_NAME: &'static str = "UUID";
    fn put(&self, w: &mut MessageWriter) {
        let mut b = [0u8; 17];
        match self {
            None => b[0] = 1,
            Some(u) => {
                let (msb, lsb) = u.as_u64_pair();
                b[1..9].copy_from_slice(&msb.to_le_bytes());
                b[9..17].copy_from_slice(&lsb.to_le_bytes());
            }
        }
        w.put_fixed(&b);
    }
    fn get(b: &[u8]) -> Self {
        if b[0] == 1 {
            return None;
        }
        let msb = u64::from_le_bytes(b[1..9].try_into().unwrap_or_default());
        let lsb = u64::from_le_bytes(b[9..17].try_into().unwrap_or_default());
        Some(Uuid::from_u64_pair(msb, lsb))
    }
}

/// Non-nullable UUID; a null on the wire decodes as the nil UUID.
impl FixedSize for Uuid {
    const SIZE: usize = 17;
    const WIRE_NAME: &'static str = "UUID";
    const ELEMENT_NAME: &'static str = "UUID";
    fn put(&self, w: &mut MessageWriter) {
        Some(*self).put(w)
    }
    fn get(b: &[u8]) -> Self {
        <Option<Uuid>>::get(b).unwrap_or_else(Uuid::nil)
    }
}

/// A type carried in one or more frames of its own.
pub trait Encode {
    /// Writes the value's frames.
    fn encode(&self, w: &mut MessageWriter);
    /// The exact number of bytes [`Encode::encode`] writes, headers included, so that a message
    /// is built in a buffer of exactly its size (no regrowth, no copy when it is frozen).
    fn encoded_len(&self) -> usize;
}

/// Size of a frame header.
const H: usize = crate::frame::FRAME_HEADER_SIZE;

/// A type decoded from one or more frames.
pub trait Decode: Sized {
    /// Reads the value's frames.
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError>;
}

/// The protocol-definition name of a variable-size type (e.g. `List_MemberInfo`), used to check the
/// declared codecs against the official definitions.
pub trait WireName {
    /// True for a nullable value (`Option`): as a list element it makes a `ListCN_` list.
    const NULLABLE: bool = false;
    /// The name, e.g. `String`, `List_Data`, `EntryList_Data_Data`.
    fn wire_name() -> String;
}

/// The list prefix for elements of type `T`: `ListCN_` when they may be null.
fn list_prefix<T: WireName>() -> &'static str {
    if T::NULLABLE { "ListCN_" } else { "List_" }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, w: &mut MessageWriter) {
        (**self).encode(w)
    }
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }
}
impl<T: WireName + ?Sized> WireName for &T {
    fn wire_name() -> String {
        T::wire_name()
    }
}

// ---- single-frame types ----

impl Encode for str {
    fn encode(&self, w: &mut MessageWriter) {
        w.frame(0, self.as_bytes());
    }
    fn encoded_len(&self) -> usize {
        H + self.len()
    }
}
impl WireName for str {
    fn wire_name() -> String {
        "String".into()
    }
}
impl Encode for String {
    fn encode(&self, w: &mut MessageWriter) {
        self.as_str().encode(w)
    }
    fn encoded_len(&self) -> usize {
        H + self.len()
    }
}
impl WireName for String {
    fn wire_name() -> String {
        "String".into()
    }
}
impl Decode for String {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        let f = non_null(r, "String")?;
        String::from_utf8(f.content.to_vec()).map_err(|_| CodecError::InvalidUtf8 { what: "String" })
    }
}

/// A `byteArray` parameter: raw bytes in one frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ByteArray(pub Bytes);

impl Encode for ByteArray {
    fn encode(&self, w: &mut MessageWriter) {
        w.frame(0, &self.0);
    }
    fn encoded_len(&self) -> usize {
        H + self.0.len()
    }
}
impl Decode for ByteArray {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        Ok(ByteArray(non_null(r, "byteArray")?.content))
    }
}
impl WireName for ByteArray {
    fn wire_name() -> String {
        "byteArray".into()
    }
}

impl Encode for Data {
    fn encode(&self, w: &mut MessageWriter) {
        w.frame(0, self.as_bytes());
    }
    fn encoded_len(&self) -> usize {
        H + self.len()
    }
}
impl Decode for Data {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        Ok(Data::from_bytes_unchecked(non_null(r, "Data")?.content))
    }
}
impl WireName for Data {
    fn wire_name() -> String {
        "Data".into()
    }
}

fn non_null(r: &mut FrameReader, what: &'static str) -> Result<crate::message::Frame, CodecError> {
    let f = r.expect_frame(what)?;
    if f.is_null() {
        return Err(CodecError::UnexpectedNull { what });
    }
    Ok(f)
}

// ---- nullable ----

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, w: &mut MessageWriter) {
        match self {
            Some(v) => v.encode(w),
            None => w.null(),
        }
    }
    fn encoded_len(&self) -> usize {
        self.as_ref().map_or(H, Encode::encoded_len)
    }
}
impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        if r.take_null()? {
            Ok(None)
        } else {
            T::decode(r).map(Some)
        }
    }
}
impl<T: WireName> WireName for Option<T> {
    const NULLABLE: bool = true;
    fn wire_name() -> String {
        T::wire_name()
    }
}

// ---- fixed-element lists: one frame of packed elements ----

/// A list whose elements are fixed-size (`List_Integer`, `List_Long`, `List_UUID`): one frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FixedList<T>(pub Vec<T>);

impl<T: FixedSize> Encode for FixedList<T> {
    fn encode(&self, w: &mut MessageWriter) {
        encode_fixed_list(&self.0, w)
    }
    fn encoded_len(&self) -> usize {
        H + self.0.len() * T::SIZE
    }
}
impl<T: FixedSize> Encode for [T] {
    fn encode(&self, w: &mut MessageWriter) {
        encode_fixed_list(self, w)
    }
    fn encoded_len(&self) -> usize {
        H + self.len() * T::SIZE
    }
}

fn encode_fixed_list<T: FixedSize>(items: &[T], w: &mut MessageWriter) {
    w.begin_fixed_frame();
    T::put_all(items, w);
}

impl<T: FixedSize> Decode for FixedList<T> {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        let f = non_null(r, "fixed-size list")?;
        decode_fixed_elements(&f.content).map(FixedList)
    }
}

fn decode_fixed_elements<T: FixedSize>(content: &[u8]) -> Result<Vec<T>, CodecError> {
    if !content.len().is_multiple_of(T::SIZE) {
        return Err(CodecError::RaggedList {
            length: content.len(),
            element_size: T::SIZE,
        });
    }
    Ok(content.chunks_exact(T::SIZE).map(T::get).collect())
}

macro_rules! fixed_list_name {
    ($t:ty, $n:literal) => {
        impl WireName for FixedList<$t> {
            fn wire_name() -> String {
                $n.into()
            }
        }
        impl WireName for [$t] {
            fn wire_name() -> String {
                $n.into()
            }
        }
    };
}
fixed_list_name!(i32, "List_Integer");
fixed_list_name!(i64, "List_Long");
fixed_list_name!(f32, "List_Float");
fixed_list_name!(Uuid, "List_UUID");
// A request's `byteArray` parameter borrows a `&[u8]`: one frame of the bytes.
fixed_list_name!(u8, "byteArray");

// ---- variable-element lists: BEGIN, elements, END ----

/// A list whose elements have their own frames (`List_String`, `List_Data`, `List_MemberInfo`…).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VarList<T>(pub Vec<T>);

impl<T: Encode> Encode for VarList<T> {
    fn encode(&self, w: &mut MessageWriter) {
        encode_var_list(&self.0, w)
    }
    fn encoded_len(&self) -> usize {
        var_list_len(&self.0)
    }
}

/// The encoded length of a slice as a variable-element list.
pub fn var_list_len<T: Encode>(items: &[T]) -> usize {
    2 * H + items.iter().map(Encode::encoded_len).sum::<usize>()
}

/// Encodes a slice as a variable-element list.
pub fn encode_var_list<T: Encode>(items: &[T], w: &mut MessageWriter) {
    w.begin();
    for v in items {
        v.encode(w);
    }
    w.end();
}

impl<T: Decode> Decode for VarList<T> {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        r.expect_begin("list")?;
        let mut out = Vec::new();
        while !r.next_is_end() {
            out.push(T::decode(r)?);
        }
        r.skip_frame()?; // END
        Ok(VarList(out))
    }
}
impl<T: WireName> WireName for VarList<T> {
    fn wire_name() -> String {
        format!("{}{}", list_prefix::<T>(), T::wire_name())
    }
}

/// A borrowed variable-element list (request side).
#[derive(Debug)]
pub struct ListRef<'a, T>(pub &'a [T]);

impl<T> Clone for ListRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ListRef<'_, T> {}

impl<T: Encode> Encode for ListRef<'_, T> {
    fn encode(&self, w: &mut MessageWriter) {
        encode_var_list(self.0, w)
    }
    fn encoded_len(&self) -> usize {
        var_list_len(self.0)
    }
}
impl<T: WireName> WireName for ListRef<'_, T> {
    fn wire_name() -> String {
        format!("{}{}", list_prefix::<T>(), T::wire_name())
    }
}

// ---- entry lists / maps of variable-size keys and values: BEGIN, k, v, k, v…, END ----

/// An entry list (or map) whose keys and values have their own frames
/// (`Map_String_String`, `EntryList_Data_Data`, `Map_EndpointQualifier_Address`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryList<K, V>(pub Vec<(K, V)>);

impl<K: Encode, V: Encode> Encode for EntryList<K, V> {
    fn encode(&self, w: &mut MessageWriter) {
        EntryListRef(&self.0).encode(w)
    }
    fn encoded_len(&self) -> usize {
        EntryListRef(&self.0).encoded_len()
    }
}
impl<K: Decode, V: Decode> Decode for EntryList<K, V> {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        r.expect_begin("entry list")?;
        let mut out = Vec::new();
        while !r.next_is_end() {
            let k = K::decode(r)?;
            let v = V::decode(r)?;
            out.push((k, v));
        }
        r.skip_frame()?;
        Ok(EntryList(out))
    }
}
impl<K: WireName, V: WireName> WireName for EntryList<K, V> {
    fn wire_name() -> String {
        format!("EntryList_{}_{}", K::wire_name(), V::wire_name())
    }
}

/// A borrowed entry list (request side).
#[derive(Debug)]
pub struct EntryListRef<'a, K, V>(pub &'a [(K, V)]);

impl<K, V> Clone for EntryListRef<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for EntryListRef<'_, K, V> {}

impl<K: Encode, V: Encode> Encode for EntryListRef<'_, K, V> {
    fn encode(&self, w: &mut MessageWriter) {
        w.begin();
        for (k, v) in self.0 {
            k.encode(w);
            v.encode(w);
        }
        w.end();
    }
    fn encoded_len(&self) -> usize {
        2 * H
            + self
                .0
                .iter()
                .map(|(k, v)| k.encoded_len() + v.encoded_len())
                .sum::<usize>()
    }
}
impl<K: WireName, V: WireName> WireName for EntryListRef<'_, K, V> {
    fn wire_name() -> String {
        format!("EntryList_{}_{}", K::wire_name(), V::wire_name())
    }
}

// ---- the partition table: EntryList_UUID_List_Integer ----

/// `EntryList_UUID_List_Integer`: member UUID → partition ids it owns.
///
/// On the wire: BEGIN, one `List_Integer` frame per entry, END, then one `List_UUID` frame with the
/// keys in the same order (after the END, as the generated codecs do).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartitionOwners(pub Vec<(Uuid, Vec<i32>)>);

impl Encode for PartitionOwners {
    fn encode(&self, w: &mut MessageWriter) {
        w.begin();
        for (_, parts) in &self.0 {
            parts.as_slice().encode(w);
        }
        w.end();
        w.begin_fixed_frame();
        for (u, _) in &self.0 {
            u.put(w);
        }
    }
    fn encoded_len(&self) -> usize {
        2 * H + self.0.iter().map(|(_, p)| H + 4 * p.len()).sum::<usize>() + H + 17 * self.0.len()
    }
}
impl Decode for PartitionOwners {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        let values = VarList::<FixedList<i32>>::decode(r)?.0;
        let keys = FixedList::<Uuid>::decode(r)?.0;
        if keys.len() != values.len() {
            return Err(CodecError::MismatchedLengths {
                what: "EntryList_UUID_List_Integer",
                keys: keys.len(),
                values: values.len(),
            });
        }
        Ok(PartitionOwners(
            keys.into_iter().zip(values.into_iter().map(|l| l.0)).collect(),
        ))
    }
}
impl WireName for PartitionOwners {
    fn wire_name() -> String {
        "EntryList_UUID_List_Integer".into()
    }
}

/// `List_List_UUID`: BEGIN, one `List_UUID` frame per inner list, END.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UuidGroups(pub Vec<Vec<Uuid>>);

impl Encode for UuidGroups {
    fn encode(&self, w: &mut MessageWriter) {
        w.begin();
        for g in &self.0 {
            g.as_slice().encode(w);
        }
        w.end();
    }
    fn encoded_len(&self) -> usize {
        2 * H + self.0.iter().map(|g| H + 17 * g.len()).sum::<usize>()
    }
}
impl Decode for UuidGroups {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        Ok(UuidGroups(
            VarList::<FixedList<Uuid>>::decode(r)?
                .0
                .into_iter()
                .map(|l| l.0)
                .collect(),
        ))
    }
}
impl WireName for UuidGroups {
    fn wire_name() -> String {
        "List_List_UUID".into()
    }
}
