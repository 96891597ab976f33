//! Writing Compact records into a byte buffer, as the official `DefaultCompactWriter` does.
//!
//! A record with variable-size fields is `i32 data length`, the fixed-size section, the
//! variable-size values, then the offset table (one entry per variable-size field, relative to
//! the start of the fixed-size section, `-1` for null); entries are bytes when the data length is
//! below 255, shorts below 65535, ints otherwise. A record without variable-size fields is its
//! fixed-size section alone. Arrays of variable-size items are `i32 data length`, `i32 count`,
//! the items, then an offset table of the same form. Integers are big-endian.

use crate::error::SerializationError;
use crate::schema::{FieldDescriptor, Layout, Schema};

/// Offset tables use one byte per entry below this data length.
const BYTE_RANGE: usize = 255;
/// Offset tables use two bytes per entry below this data length.
const SHORT_RANGE: usize = 65535;

/// The output buffer and a stack of pending offset tables (nested records and arrays are
/// strictly nested, so one stack serves them all).
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    pub(crate) buf: Vec<u8>,
    offsets: Vec<i32>,
}

/// Which fixed-size fields of a record were written.
#[derive(Debug)]
pub(crate) enum Written {
    Inline(u128),
    Heap(Vec<bool>),
}

impl Written {
    fn new(fields: usize) -> Self {
        if fields <= 128 {
            Written::Inline(0)
        } else {
            Written::Heap(vec![false; fields])
        }
    }

    fn set(&mut self, i: usize) {
        match self {
            Written::Inline(bits) => *bits |= 1 << i,
            Written::Heap(v) => {
                if let Some(b) = v.get_mut(i) {
                    *b = true;
                }
            }
        }
    }

    fn get(&self, i: usize) -> bool {
        match self {
            Written::Inline(bits) => i < 128 && bits & (1 << i) != 0,
            Written::Heap(v) => v.get(i).copied().unwrap_or(false),
        }
    }
}

/// A record being written.
#[derive(Debug)]
pub(crate) struct RecordState {
    data_start: usize,
    offsets_base: usize,
    var_count: usize,
    written: Written,
}

/// An array being written.
#[derive(Debug)]
pub(crate) enum ArrayState {
    /// Fixed-size items after an `i32` count.
    Fixed { count_pos: usize, count: usize },
    /// Booleans as bits after an `i32` count.
    Bits { count_pos: usize, count: usize },
    /// Variable-size items with an offset table.
    Var {
        len_pos: usize,
        data_start: usize,
        offsets_base: usize,
        count: usize,
        schema_id: Option<i64>,
    },
}

fn too_large() -> SerializationError {
    SerializationError::InvalidValue {
        what: "record size (above 2 GiB)",
    }
}

fn to_i32(n: usize) -> Result<i32, SerializationError> {
    i32::try_from(n).map_err(|_| too_large())
}

impl Encoder {
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.offsets.clear();
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn put_i32(&mut self, v: i32) {
        self.put(&v.to_be_bytes());
    }

    pub(crate) fn put_i64(&mut self, v: i64) {
        self.put(&v.to_be_bytes());
    }

    /// A length-prefixed UTF-8 string.
    pub(crate) fn put_str(&mut self, s: &str) -> Result<(), SerializationError> {
        self.put_i32(to_i32(s.len())?);
        self.put(s.as_bytes());
        Ok(())
    }

    /// Starts a record (its schema id is written by the caller).
    pub(crate) fn begin_record(&mut self, schema: &Schema) -> RecordState {
        let var_count = schema.var_field_count();
        if var_count > 0 {
            self.put_i32(0);
        }
        let data_start = self.buf.len();
        self.buf.resize(data_start + schema.fixed_size_len(), 0);
        let offsets_base = self.offsets.len();
        self.offsets.resize(offsets_base + var_count, -1);
        RecordState {
            data_start,
            offsets_base,
            var_count,
            written: Written::new(schema.fields().len()),
        }
    }

    /// Writes a fixed-size field (`bytes` has the kind's size).
    pub(crate) fn write_fixed(
        &mut self,
        st: &mut RecordState,
        index: usize,
        fd: &FieldDescriptor,
        bytes: &[u8],
    ) {
        if let Layout::Fixed { offset } = fd.layout {
            let at = st.data_start + offset;
            self.buf[at..at + bytes.len()].copy_from_slice(bytes);
            st.written.set(index);
        }
    }

    /// Writes a boolean field's bit.
    pub(crate) fn write_bit(&mut self, st: &mut RecordState, index: usize, fd: &FieldDescriptor, v: bool) {
        if let Layout::Bit { offset, bit } = fd.layout {
            let b = &mut self.buf[st.data_start + offset];
            if v {
                *b |= 1 << bit;
            } else {
                *b &= !(1 << bit);
            }
            st.written.set(index);
        }
    }

    /// Points a variable-size field at the current position; its value is written next.
    pub(crate) fn begin_var(
        &mut self,
        st: &RecordState,
        fd: &FieldDescriptor,
    ) -> Result<(), SerializationError> {
        if let Layout::Var { index } = fd.layout {
            self.offsets[st.offsets_base + index] = to_i32(self.buf.len() - st.data_start)?;
        }
        Ok(())
    }

    /// The first fixed-size field of `schema` that was not written, if any.
    pub(crate) fn unwritten<'s>(&self, st: &RecordState, schema: &'s Schema) -> Option<&'s FieldDescriptor> {
        schema
            .fields()
            .iter()
            .enumerate()
            .find(|(i, f)| !matches!(f.layout, Layout::Var { .. }) && !st.written.get(*i))
            .map(|(_, f)| f)
    }

    /// Finishes a record: the offset table and the data length.
    pub(crate) fn end_record(&mut self, st: RecordState) -> Result<(), SerializationError> {
        if st.var_count == 0 {
            return Ok(());
        }
        let data_len = self.buf.len() - st.data_start;
        let len = to_i32(data_len)?;
        self.write_offsets(data_len, st.offsets_base);
        self.buf[st.data_start - 4..st.data_start].copy_from_slice(&len.to_be_bytes());
        Ok(())
    }

    fn write_offsets(&mut self, data_len: usize, base: usize) {
        let entries = self.offsets.len() - base;
        if data_len < BYTE_RANGE {
            self.buf.reserve(entries);
            for &o in &self.offsets[base..] {
                self.buf.push(o as u8);
            }
        } else if data_len < SHORT_RANGE {
            self.buf.reserve(entries * 2);
            for &o in &self.offsets[base..] {
                self.buf.extend_from_slice(&(o as i16).to_be_bytes());
            }
        } else {
            self.buf.reserve(entries * 4);
            for &o in &self.offsets[base..] {
                self.buf.extend_from_slice(&o.to_be_bytes());
            }
        }
        self.offsets.truncate(base);
    }

    /// Starts an array whose items are fixed-size (`bits`: booleans packed as bits).
    pub(crate) fn begin_fixed_array(&mut self, bits: bool) -> ArrayState {
        let count_pos = self.buf.len();
        self.put_i32(0);
        if bits {
            ArrayState::Bits { count_pos, count: 0 }
        } else {
            ArrayState::Fixed { count_pos, count: 0 }
        }
    }

    /// Starts an array of variable-size items.
    pub(crate) fn begin_var_array(&mut self) -> ArrayState {
        let len_pos = self.buf.len();
        self.put_i32(0);
        self.put_i32(0);
        ArrayState::Var {
            len_pos,
            data_start: self.buf.len(),
            offsets_base: self.offsets.len(),
            count: 0,
            schema_id: None,
        }
    }

    /// Adds a fixed-size item.
    pub(crate) fn push_fixed(&mut self, arr: &mut ArrayState, bytes: &[u8]) {
        if let ArrayState::Fixed { count, .. } = arr {
            self.put(bytes);
            *count += 1;
        }
    }

    /// Adds a boolean item.
    pub(crate) fn push_bit(&mut self, arr: &mut ArrayState, v: bool) {
        if let ArrayState::Bits { count, .. } = arr {
            if *count % 8 == 0 {
                self.buf.push(0);
            }
            if let (true, Some(last)) = (v, self.buf.last_mut()) {
                *last |= 1 << (*count % 8);
            }
            *count += 1;
        }
    }

    /// Starts a variable-size item (`None` for a null item) and, for a Compact item, checks that
    /// it has the schema of the items before it.
    pub(crate) fn push_var(
        &mut self,
        arr: &mut ArrayState,
        item_schema: Option<i64>,
    ) -> Result<bool, SerializationError> {
        if let ArrayState::Var {
            data_start,
            count,
            schema_id,
            ..
        } = arr
        {
            if let (Some(first), Some(this)) = (*schema_id, item_schema)
                && first != this
            {
                return Ok(false);
            }
            if item_schema.is_some() {
                *schema_id = item_schema;
            }
            self.offsets.push(to_i32(self.buf.len() - *data_start)?);
            *count += 1;
        }
        Ok(true)
    }

    /// Adds a null item to an array of variable-size items.
    pub(crate) fn push_null(&mut self, arr: &mut ArrayState) {
        if let ArrayState::Var { count, .. } = arr {
            self.offsets.push(-1);
            *count += 1;
        }
    }

    /// Finishes an array: its count, and for variable-size items the data length and the
    /// offset table.
    pub(crate) fn end_array(&mut self, arr: ArrayState) -> Result<(), SerializationError> {
        match arr {
            ArrayState::Fixed { count_pos, count } | ArrayState::Bits { count_pos, count } => {
                let n = to_i32(count)?;
                self.buf[count_pos..count_pos + 4].copy_from_slice(&n.to_be_bytes());
            }
            ArrayState::Var {
                len_pos,
                data_start,
                offsets_base,
                count,
                ..
            } => {
                let data_len = self.buf.len() - data_start;
                let len = to_i32(data_len)?;
                let n = to_i32(count)?;
                self.write_offsets(data_len, offsets_base);
                self.buf[len_pos..len_pos + 4].copy_from_slice(&len.to_be_bytes());
                self.buf[len_pos + 4..len_pos + 8].copy_from_slice(&n.to_be_bytes());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldKind as K;

    #[test]
    fn record_with_var_fields_has_length_and_offsets() {
        let s = Schema::new("t", [("a", K::Int32), ("s", K::String), ("z", K::String)]).unwrap();
        let mut e = Encoder::default();
        let mut st = e.begin_record(&s);
        e.write_fixed(&mut st, 0, s.field("a").unwrap(), &7i32.to_be_bytes());
        e.begin_var(&st, s.field("s").unwrap()).unwrap();
        e.put_str("hi").unwrap();
        assert!(e.unwritten(&st, &s).is_none());
        e.end_record(st).unwrap();
        // length 10 = 4 fixed + 6 string; offsets: s at 4, z null.
        assert_eq!(e.buf, [0, 0, 0, 10, 0, 0, 0, 7, 0, 0, 0, 2, b'h', b'i', 4, 0xff]);
    }

    #[test]
    fn offset_width_follows_data_length() {
        for (len, width) in [(254usize, 1usize), (255, 2), (65534, 2), (65535, 4)] {
            let s = Schema::new("t", [("s", K::String)]).unwrap();
            let mut e = Encoder::default();
            let st = e.begin_record(&s);
            e.begin_var(&st, s.field("s").unwrap()).unwrap();
            e.put_str(&"x".repeat(len - 4)).unwrap();
            e.end_record(st).unwrap();
            assert_eq!(e.buf.len(), 4 + len + width, "data length {len}");
        }
    }

    #[test]
    fn arrays() {
        let mut e = Encoder::default();
        let mut a = e.begin_fixed_array(true);
        for v in [true, false, true, false, false, false, false, false, true] {
            e.push_bit(&mut a, v);
        }
        e.end_array(a).unwrap();
        assert_eq!(e.buf, [0, 0, 0, 9, 0b101, 1]);
        e.clear();
        let mut a = e.begin_var_array();
        assert!(e.push_var(&mut a, None).unwrap());
        e.put_str("a").unwrap();
        e.push_null(&mut a);
        e.end_array(a).unwrap();
        assert_eq!(e.buf, [0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 1, b'a', 0, 0xff]);
    }
}
