//! Reading Compact records from bytes: finding each field's bytes through the schema's layout and
//! the offset table, with every offset and length checked against the record's bounds.

use std::cell::Cell;
use std::sync::Arc;

use crate::error::SerializationError;
use crate::io::Input;
use crate::kind::{FieldKind, Storage};
use crate::registry::SchemaRegistry;
use crate::schema::{FieldDescriptor, Layout, Schema};

const BYTE_RANGE: usize = 255;
const SHORT_RANGE: usize = 65535;

/// How many more values (fields and array items) one read may decode.
///
/// Offsets may point several fields or items at the same bytes, so nested arrays of records
/// could make a small input decode into exponentially many values. Every value of well-formed
/// data takes at least one bit of its own (a boolean), one byte (a fixed-size value or an
/// offset-table entry) or more, so a read decodes at most eight values per byte of its input.
#[derive(Debug)]
pub(crate) struct Budget {
    left: Cell<usize>,
}

impl Budget {
    /// The budget for an input of `len` bytes.
    pub(crate) fn for_input(len: usize) -> Self {
        Budget {
            left: Cell::new(len.saturating_mul(8).saturating_add(64)),
        }
    }

    /// Takes one value from the budget.
    pub(crate) fn charge(&self) -> Result<(), SerializationError> {
        match self.left.get().checked_sub(1) {
            Some(n) => {
                self.left.set(n);
                Ok(())
            }
            None => Err(SerializationError::malformed(
                "more values than the data can hold",
            )),
        }
    }
}

/// Where one value is: bytes of the fixed-size section, a bit, or a variable-size value
/// (`None` for null) that starts at the slice and may run to its end.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot<'a> {
    Fixed(&'a [u8]),
    Bit(bool),
    Var(Option<&'a [u8]>),
}

/// An offset table: entries of 1, 2 or 4 bytes, relative to the start of `data`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Offsets<'a> {
    table: &'a [u8],
    width: usize,
}

fn width_for(data_len: usize) -> usize {
    if data_len < BYTE_RANGE {
        1
    } else if data_len < SHORT_RANGE {
        2
    } else {
        4
    }
}

impl<'a> Offsets<'a> {
    /// The value at entry `i` of `data`, `None` for null.
    fn value(&self, data: &'a [u8], i: usize) -> Result<Option<&'a [u8]>, SerializationError> {
        let at = i * self.width;
        let e = self
            .table
            .get(at..at + self.width)
            .ok_or(SerializationError::malformed("offset table too short"))?;
        let offset = match self.width {
            1 if e[0] == 0xff => return Ok(None),
            1 => usize::from(e[0]),
            2 if e == [0xff, 0xff] => return Ok(None),
            2 => usize::from(u16::from_be_bytes([e[0], e[1]])),
            _ => match i32::from_be_bytes([e[0], e[1], e[2], e[3]]) {
                -1 => return Ok(None),
                o => usize::try_from(o).map_err(|_| SerializationError::malformed("negative offset"))?,
            },
        };
        match data.get(offset..) {
            Some(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(SerializationError::malformed("offset beyond the data")),
        }
    }
}

/// A record's bytes, split by its schema.
#[derive(Debug, Clone)]
pub(crate) struct Record<'a> {
    pub(crate) schema: Arc<Schema>,
    data: &'a [u8],
    offsets: Offsets<'a>,
}

impl<'a> Record<'a> {
    /// Parses the record that starts at `body` (just after its schema id).
    pub(crate) fn parse(schema: Arc<Schema>, body: &'a [u8]) -> Result<Self, SerializationError> {
        let var_count = schema.var_field_count();
        let fixed = schema.fixed_size_len();
        if var_count == 0 {
            let data = body.get(..fixed).ok_or(SerializationError::malformed(
                "record shorter than its fixed-size fields",
            ))?;
            return Ok(Record {
                schema,
                data,
                offsets: Offsets { table: &[], width: 1 },
            });
        }
        let mut input = Input::new(body);
        let len = input.i32()?;
        let len =
            usize::try_from(len).map_err(|_| SerializationError::malformed("negative record length"))?;
        if len < fixed {
            return Err(SerializationError::malformed(
                "record shorter than its fixed-size fields",
            ));
        }
        let data = input.bytes(len)?;
        let width = width_for(len);
        let table = input
            .bytes(var_count.saturating_mul(width))
            .map_err(|_| SerializationError::malformed("offset table too short"))?;
        Ok(Record {
            schema,
            data,
            offsets: Offsets { table, width },
        })
    }

    /// Reads `[schema id][record]` at the start of `bytes`, resolving the schema.
    pub(crate) fn nested(registry: &SchemaRegistry, bytes: &'a [u8]) -> Result<Self, SerializationError> {
        let mut input = Input::new(bytes);
        let schema_id = input.i64()?;
        let schema = registry
            .get(schema_id)
            .ok_or(SerializationError::UnknownSchema { schema_id })?;
        Record::parse(schema, input.rest())
    }

    /// The value of a field.
    pub(crate) fn slot(&self, fd: &FieldDescriptor) -> Result<Slot<'a>, SerializationError> {
        Ok(match (fd.layout, fd.kind().storage()) {
            (Layout::Bit { offset, bit }, _) => {
                Slot::Bit(self.data.get(offset).is_some_and(|b| b >> bit & 1 != 0))
            }
            (Layout::Fixed { offset }, Storage::Fixed(n)) => Slot::Fixed(
                self.data
                    .get(offset..offset + n)
                    .ok_or(SerializationError::malformed("fixed-size field out of range"))?,
            ),
            (Layout::Var { index }, _) => Slot::Var(self.offsets.value(self.data, index)?),
            _ => return Err(SerializationError::malformed("inconsistent schema layout")),
        })
    }
}

/// The items of an array value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Items<'a> {
    Bits {
        bytes: &'a [u8],
        count: usize,
    },
    Fixed {
        bytes: &'a [u8],
        size: usize,
        count: usize,
    },
    Var {
        data: &'a [u8],
        offsets: Offsets<'a>,
        count: usize,
    },
}

impl<'a> Items<'a> {
    /// Parses an array whose items are of `item` kind, at the start of `bytes`.
    pub(crate) fn parse(item: FieldKind, bytes: &'a [u8]) -> Result<Self, SerializationError> {
        let mut input = Input::new(bytes);
        match item.storage() {
            Storage::Bit => {
                let n = input.i32()?;
                let count =
                    usize::try_from(n).map_err(|_| SerializationError::malformed("negative array length"))?;
                let bytes = input.bytes(count.div_ceil(8))?;
                Ok(Items::Bits { bytes, count })
            }
            Storage::Fixed(size) => {
                let count = input
                    .len(size)?
                    .ok_or(SerializationError::malformed("negative array length"))?;
                let bytes = input.bytes(count * size)?;
                Ok(Items::Fixed { bytes, size, count })
            }
            Storage::Variable => {
                let len = input.i32()?;
                let len = usize::try_from(len)
                    .map_err(|_| SerializationError::malformed("negative array length"))?;
                let count = input.i32()?;
                let count = usize::try_from(count)
                    .map_err(|_| SerializationError::malformed("negative array length"))?;
                let data = input.bytes(len)?;
                let width = width_for(len);
                let table = input
                    .bytes(
                        count
                            .checked_mul(width)
                            .ok_or(SerializationError::malformed("array too long"))?,
                    )
                    .map_err(|_| SerializationError::malformed("offset table too short"))?;
                Ok(Items::Var {
                    data,
                    offsets: Offsets { table, width },
                    count,
                })
            }
        }
    }

    /// Number of items (bounded by the input's length).
    pub(crate) fn count(&self) -> usize {
        match *self {
            Items::Bits { count, .. } | Items::Fixed { count, .. } | Items::Var { count, .. } => count,
        }
    }

    /// Item `i` (`i < count`).
    pub(crate) fn get(&self, i: usize) -> Result<Slot<'a>, SerializationError> {
        match *self {
            Items::Bits { bytes, .. } => {
                Ok(Slot::Bit(bytes.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 != 0)))
            }
            Items::Fixed { bytes, size, .. } => bytes
                .get(i * size..(i + 1) * size)
                .map(Slot::Fixed)
                .ok_or(SerializationError::malformed("array item out of range")),
            Items::Var { data, offsets, .. } => Ok(Slot::Var(offsets.value(data, i)?)),
        }
    }
}

/// Adds to `out` the schema of the record at `bytes` (`[schema id][record]`) and those of the
/// records nested in it, each once, outer first.
pub(crate) fn collect_schemas(
    registry: &SchemaRegistry,
    bytes: &[u8],
    budget: &Budget,
    depth: usize,
    out: &mut Vec<Arc<Schema>>,
) -> Result<(), SerializationError> {
    if depth > crate::MAX_DEPTH {
        return Err(SerializationError::TooDeep {
            limit: crate::MAX_DEPTH,
        });
    }
    let rec = Record::nested(registry, bytes)?;
    if !out.iter().any(|s| s.id() == rec.schema.id()) {
        out.push(rec.schema.clone());
    }
    for fd in rec.schema.fields() {
        budget.charge()?;
        let (FieldKind::Compact | FieldKind::ArrayOfCompact, Slot::Var(Some(value))) =
            (fd.kind(), rec.slot(fd)?)
        else {
            continue;
        };
        if fd.kind() == FieldKind::Compact {
            collect_schemas(registry, value, budget, depth + 1, out)?;
            continue;
        }
        let items = Items::parse(FieldKind::Compact, value)?;
        for i in 0..items.count() {
            budget.charge()?;
            if let Slot::Var(Some(item)) = items.get(i)? {
                collect_schemas(registry, item, budget, depth + 1, out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldKind as K;

    #[test]
    fn parses_what_the_encoder_wrote() {
        let s = Arc::new(Schema::new("t", [("a", K::Int32), ("s", K::String), ("z", K::String)]).unwrap());
        let bytes = [0, 0, 0, 10, 0, 0, 0, 7, 0, 0, 0, 2, b'h', b'i', 4, 0xff];
        let r = Record::parse(s.clone(), &bytes).unwrap();
        assert!(matches!(
            r.slot(s.field("a").unwrap()).unwrap(),
            Slot::Fixed([0, 0, 0, 7])
        ));
        match r.slot(s.field("s").unwrap()).unwrap() {
            Slot::Var(Some(v)) => assert_eq!(Input::new(v).string().unwrap(), Some("hi")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(r.slot(s.field("z").unwrap()).unwrap(), Slot::Var(None)));
    }

    #[test]
    fn the_budget_runs_out() {
        let b = Budget::for_input(1);
        for _ in 0..72 {
            b.charge().unwrap();
        }
        assert!(b.charge().is_err());
    }

    #[test]
    fn hostile_lengths_and_offsets_are_errors() {
        let s = Arc::new(Schema::new("t", [("a", K::Int32), ("s", K::String)]).unwrap());
        // Length shorter than the fixed section.
        assert!(Record::parse(s.clone(), &[0, 0, 0, 2, 0, 0]).is_err());
        // Length beyond the input.
        assert!(Record::parse(s.clone(), &[0x7f, 0, 0, 0, 0, 0]).is_err());
        // Offset beyond the data.
        let r = Record::parse(s.clone(), &[0, 0, 0, 4, 0, 0, 0, 7, 9]).unwrap();
        assert!(r.slot(s.field("s").unwrap()).is_err());
        // Array counts beyond the input.
        assert!(Items::parse(K::Int64, &[0, 0, 1, 0, 1, 2]).is_err());
        assert!(Items::parse(K::String, &[0, 0, 0, 0, 0x7f, 0, 0, 0]).is_err());
        assert!(Items::parse(K::Boolean, &[0, 0, 0, 9, 1]).is_err());
    }
}
