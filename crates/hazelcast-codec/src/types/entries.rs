//! Entry lists with a fixed-size key: packed entries in one frame (both fixed-size) or the values
//! in a list followed by the keys in one packed frame.

use super::{Decode, Encode, FixedList, FixedSize, H, VarList, WireName, non_null};
use crate::error::CodecError;
use crate::message::{FrameReader, MessageWriter};

/// An entry list whose keys and values are both fixed-size (`EntryList_Integer_UUID`,
/// `EntryList_UUID_Long`, …): one frame of packed key-value pairs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FixedEntryList<K, V>(pub Vec<(K, V)>);

/// A borrowed [`FixedEntryList`] (request side).
#[derive(Debug)]
pub struct FixedEntryListRef<'a, K, V>(pub &'a [(K, V)]);

impl<K, V> Clone for FixedEntryListRef<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for FixedEntryListRef<'_, K, V> {}

fn encode_fixed_entries<K: FixedSize, V: FixedSize>(entries: &[(K, V)], w: &mut MessageWriter) {
    w.begin_fixed_frame();
    for (k, v) in entries {
        k.put(w);
        v.put(w);
    }
}

impl<K: FixedSize, V: FixedSize> Encode for FixedEntryListRef<'_, K, V> {
    fn encode(&self, w: &mut MessageWriter) {
        encode_fixed_entries(self.0, w)
    }
    fn encoded_len(&self) -> usize {
        H + self.0.len() * (K::SIZE + V::SIZE)
    }
}

impl<K: FixedSize, V: FixedSize> Encode for FixedEntryList<K, V> {
    fn encode(&self, w: &mut MessageWriter) {
        encode_fixed_entries(&self.0, w)
    }
    fn encoded_len(&self) -> usize {
        H + self.0.len() * (K::SIZE + V::SIZE)
    }
}

impl<K: FixedSize, V: FixedSize> Decode for FixedEntryList<K, V> {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        let f = non_null(r, "fixed-size entry list")?;
        let size = K::SIZE + V::SIZE;
        if !f.content.len().is_multiple_of(size) {
            return Err(CodecError::RaggedList {
                length: f.content.len(),
                element_size: size,
            });
        }
        Ok(FixedEntryList(
            f.content
                .chunks_exact(size)
                .map(|c| (K::get(&c[..K::SIZE]), V::get(&c[K::SIZE..])))
                .collect(),
        ))
    }
}

impl<K: FixedSize, V: FixedSize> WireName for FixedEntryList<K, V> {
    fn wire_name() -> String {
        format!("EntryList_{}_{}", K::ELEMENT_NAME, V::ELEMENT_NAME)
    }
}
impl<K: FixedSize, V: FixedSize> WireName for FixedEntryListRef<'_, K, V> {
    fn wire_name() -> String {
        FixedEntryList::<K, V>::wire_name()
    }
}

/// An entry list with fixed-size keys and variable-size values (`EntryList_Long_byteArray`):
/// BEGIN, the values, END, then one frame of the packed keys in the same order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitEntryList<K, V>(pub Vec<(K, V)>);

impl<K: FixedSize, V: Encode> Encode for SplitEntryList<K, V> {
    fn encode(&self, w: &mut MessageWriter) {
        w.begin();
        for (_, v) in &self.0 {
            v.encode(w);
        }
        w.end();
        w.begin_fixed_frame();
        for (k, _) in &self.0 {
            k.put(w);
        }
    }
    fn encoded_len(&self) -> usize {
        2 * H + self.0.iter().map(|(_, v)| v.encoded_len()).sum::<usize>() + H + K::SIZE * self.0.len()
    }
}

impl<K: FixedSize, V: Decode> Decode for SplitEntryList<K, V> {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        let values = VarList::<V>::decode(r)?.0;
        let keys = FixedList::<K>::decode(r)?.0;
        if keys.len() != values.len() {
            return Err(CodecError::MismatchedLengths {
                what: "entry list",
                keys: keys.len(),
                values: values.len(),
            });
        }
        Ok(SplitEntryList(keys.into_iter().zip(values).collect()))
    }
}

impl<K: FixedSize, V: WireName> WireName for SplitEntryList<K, V> {
    fn wire_name() -> String {
        format!("EntryList_{}_{}", K::ELEMENT_NAME, V::wire_name())
    }
}
