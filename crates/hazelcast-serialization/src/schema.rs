//! Compact schemas: a type name and named, typed fields, laid out as the official clients lay
//! them out (`Schema.init()`), identified by their Rabin fingerprint.

use std::cmp::Ordering;
use std::fmt;

use crate::fingerprint::Fingerprint;
use crate::kind::{FieldKind, Storage};

/// A schema could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// Two fields share a name.
    #[error("schema `{type_name}` has two fields named `{field}`")]
    DuplicateField {
        /// The schema's type name.
        type_name: String,
        /// The repeated field name.
        field: String,
    },
    /// A field kind id that Compact does not know (or does not support, such as `CHAR`).
    #[error("schema `{type_name}`: field `{field}` has kind id {kind_id}, which Compact does not support")]
    UnknownKind {
        /// The schema's type name.
        type_name: String,
        /// The field.
        field: String,
        /// The kind id.
        kind_id: i32,
    },
    /// The fixed-size section of the schema would not fit the format's 32-bit offsets.
    #[error("schema `{type_name}` has too many fields")]
    TooLarge {
        /// The schema's type name.
        type_name: String,
    },
    /// A schema was registered under an id that another, different schema already has.
    #[error("schema id {schema_id} is already registered for a different schema")]
    IdCollision {
        /// The schema id.
        schema_id: i64,
    },
    /// A schema received for an id fingerprints to another id.
    #[error("a schema received for id {expected} has id {actual}")]
    IdMismatch {
        /// The id that was asked for.
        expected: i64,
        /// The id the schema's content gives.
        actual: i64,
    },
}

/// Where a field's value is in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Bytes at this offset of the fixed-size section.
    Fixed { offset: usize },
    /// One bit of the byte at this offset of the fixed-size section.
    Bit { offset: usize, bit: u8 },
    /// The `index`-th entry of the offset table.
    Var { index: usize },
}

/// One field of a schema.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldDescriptor {
    name: String,
    kind: FieldKind,
    pub(crate) layout: Layout,
}

impl FieldDescriptor {
    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field kind.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }
}

impl fmt::Debug for FieldDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.kind)
    }
}

/// A Compact schema: the type name and the fields of a record, the layout of its bytes, and its
/// id (the 64-bit Rabin fingerprint of the type name and the fields).
///
/// The fields are kept in the order the official clients keep them: sorted by name the way Java
/// compares strings (UTF-16 code units). Fixed-size fields are laid out by decreasing size (ties
/// by name), then the booleans as bits, then one offset-table entry per variable-size field in
/// name order.
#[derive(Clone, PartialEq, Eq)]
pub struct Schema {
    type_name: String,
    fields: Vec<FieldDescriptor>,
    id: i64,
    fixed_len: usize,
    var_count: usize,
}

/// Compares two strings as Java's `String.compareTo` does (by UTF-16 code units).
///
/// UTF-8 byte order is code point order, which is UTF-16 order except between a character of
/// U+E000–U+FFFF (lead byte 0xEE or 0xEF) and one above U+FFFF (lead byte 0xF0–0xF4): bytes are
/// compared first, and characters only when the first difference is such a pair.
pub(crate) fn java_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        None => x.len().cmp(&y.len()),
        Some(i) => {
            let (p, q) = (x[i], y[i]);
            let high_bmp = |c: u8| (0xee..=0xef).contains(&c);
            if (high_bmp(p) && q >= 0xf0) || (high_bmp(q) && p >= 0xf0) {
                java_cmp_chars(a, b)
            } else {
                p.cmp(&q)
            }
        }
    }
}

fn java_cmp_chars(a: &str, b: &str) -> Ordering {
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            return utf16_lead(x).cmp(&utf16_lead(y)).then(x.cmp(&y));
        }
    }
    a.chars().count().cmp(&b.chars().count())
}

/// The first UTF-16 code unit of a char.
fn utf16_lead(c: char) -> u16 {
    let mut buf = [0u16; 2];
    c.encode_utf16(&mut buf)[0]
}

impl Schema {
    /// Builds a schema from a type name and fields given in any order.
    pub fn new<N: Into<String>>(
        type_name: impl Into<String>,
        fields: impl IntoIterator<Item = (N, FieldKind)>,
    ) -> Result<Schema, SchemaError> {
        let type_name = type_name.into();
        let mut list: Vec<FieldDescriptor> = fields
            .into_iter()
            .map(|(name, kind)| FieldDescriptor {
                name: name.into(),
                kind,
                layout: Layout::Var { index: 0 },
            })
            .collect();
        list.sort_by(|a, b| java_cmp(&a.name, &b.name));
        if let Some(w) = list.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(SchemaError::DuplicateField {
                type_name,
                field: w[0].name.clone(),
            });
        }
        Self::lay_out(type_name, list)
    }

    /// Builds a schema from its wire form (type name, then field names with kind ids), as the
    /// schema messages of the protocol carry it.
    pub fn from_wire(type_name: String, fields: Vec<(String, i32)>) -> Result<Schema, SchemaError> {
        let mut list = Vec::with_capacity(fields.len());
        for (name, kind_id) in fields {
            let Some(kind) = FieldKind::from_id(kind_id) else {
                return Err(SchemaError::UnknownKind {
                    type_name,
                    field: name,
                    kind_id,
                });
            };
            list.push((name, kind));
        }
        Schema::new(type_name, list)
    }

    fn lay_out(type_name: String, mut fields: Vec<FieldDescriptor>) -> Result<Schema, SchemaError> {
        // Fixed-size fields by decreasing size; the sort is stable, so ties keep name order.
        let mut fixed: Vec<usize> = (0..fields.len())
            .filter(|&i| matches!(fields[i].kind.storage(), Storage::Fixed(_)))
            .collect();
        fixed.sort_by_key(|&i| match fields[i].kind.storage() {
            Storage::Fixed(n) => std::cmp::Reverse(n),
            _ => std::cmp::Reverse(0),
        });
        let mut offset = 0usize;
        for i in fixed {
            let Storage::Fixed(n) = fields[i].kind.storage() else {
                continue;
            };
            fields[i].layout = Layout::Fixed { offset };
            offset += n;
        }
        let mut bits = 0usize;
        for f in fields.iter_mut().filter(|f| f.kind.storage() == Storage::Bit) {
            f.layout = Layout::Bit {
                offset: offset + bits / 8,
                bit: (bits % 8) as u8,
            };
            bits += 1;
        }
        let fixed_len = offset + bits.div_ceil(8);
        let mut var_count = 0usize;
        for f in fields
            .iter_mut()
            .filter(|f| f.kind.storage() == Storage::Variable)
        {
            f.layout = Layout::Var { index: var_count };
            var_count += 1;
        }
        if fixed_len > i32::MAX as usize / 2 {
            return Err(SchemaError::TooLarge { type_name });
        }
        let mut fp = Fingerprint::new().string(&type_name).int(fields.len() as i32);
        for f in &fields {
            fp = fp.string(&f.name).int(f.kind.id());
        }
        Ok(Schema {
            id: fp.finish(),
            type_name,
            fields,
            fixed_len,
            var_count,
        })
    }

    /// The schema id: the Rabin fingerprint the official clients compute.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The type name (the name a Java class is registered under, or its class name).
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The fields, sorted by name as the official clients sort them.
    pub fn fields(&self) -> &[FieldDescriptor] {
        &self.fields
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&FieldDescriptor> {
        self.field_index(name).map(|i| &self.fields[i])
    }

    /// The position of the field with this name in [`fields`](Self::fields).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.binary_search_by(|f| java_cmp(&f.name, name)).ok()
    }

    /// Length of the fixed-size section in bytes (fixed-size fields and boolean bits).
    pub fn fixed_size_len(&self) -> usize {
        self.fixed_len
    }

    /// Number of variable-size fields (entries of the offset table).
    pub fn var_field_count(&self) -> usize {
        self.var_count
    }

    /// The wire form: field names with kind ids, in schema order.
    pub fn wire_fields(&self) -> impl Iterator<Item = (&str, i32)> {
        self.fields.iter().map(|f| (f.name.as_str(), f.kind.id()))
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schema")
            .field("type_name", &self.type_name)
            .field("id", &self.id)
            .field("fields", &self.fields)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldKind as K;

    #[test]
    fn java_order_is_by_utf16_code_units() {
        assert_eq!(java_cmp("a", "b"), Ordering::Less);
        assert_eq!(java_cmp("ab", "a"), Ordering::Greater);
        assert_eq!(java_cmp("B", "a"), Ordering::Less);
        // U+FF21 is one code unit 0xFF21; U+1D4B3 starts with the surrogate 0xD835: Java sorts
        // the supplementary character first, code point order would not.
        assert_eq!(java_cmp("\u{1D4B3}", "\u{FF21}"), Ordering::Less);
        assert_eq!("\u{1D4B3}".cmp("\u{FF21}"), Ordering::Greater);
        assert_eq!(java_cmp("\u{1D4B3}", "\u{1D4B4}"), Ordering::Less);
        assert_eq!(java_cmp("é", "é"), Ordering::Equal);
        assert_eq!(java_cmp("a\u{FF21}", "a\u{1D4B3}"), Ordering::Greater);
        assert_eq!(java_cmp("\u{E000}", "\u{D7FF}"), Ordering::Greater);
        assert_eq!(java_cmp("\u{FFFF}x", "\u{FFFF}"), Ordering::Greater);
        // Agrees with UTF-16 comparison on a spread of characters.
        let chars = [
            'a',
            'z',
            'é',
            '\u{7FF}',
            '\u{800}',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFF}',
            '\u{10000}',
            '\u{10FFFF}',
        ];
        for x in chars {
            for y in chars {
                for suffix in ["", "a"] {
                    let (a, b) = (format!("{x}{suffix}"), format!("{y}"));
                    let utf16 = a.encode_utf16().cmp(b.encode_utf16());
                    assert_eq!(java_cmp(&a, &b), utf16, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn layout_follows_size_then_name() {
        let s = Schema::new(
            "t",
            [
                ("b1", K::Boolean),
                ("i8", K::Int8),
                ("a64", K::Int64),
                ("s", K::String),
                ("i32", K::Int32),
                ("b0", K::Boolean),
                ("f64", K::Float64),
                ("n", K::NullableInt32),
                ("i16", K::Int16),
            ],
        )
        .unwrap();
        let layout = |n: &str| s.field(n).unwrap().layout;
        assert_eq!(layout("a64"), Layout::Fixed { offset: 0 });
        assert_eq!(layout("f64"), Layout::Fixed { offset: 8 });
        assert_eq!(layout("i32"), Layout::Fixed { offset: 16 });
        assert_eq!(layout("i16"), Layout::Fixed { offset: 20 });
        assert_eq!(layout("i8"), Layout::Fixed { offset: 22 });
        assert_eq!(layout("b0"), Layout::Bit { offset: 23, bit: 0 });
        assert_eq!(layout("b1"), Layout::Bit { offset: 23, bit: 1 });
        assert_eq!(s.fixed_size_len(), 24);
        assert_eq!(layout("n"), Layout::Var { index: 0 });
        assert_eq!(layout("s"), Layout::Var { index: 1 });
        assert_eq!(s.var_field_count(), 2);
        let names: Vec<_> = s.fields().iter().map(|f| f.name()).collect();
        assert_eq!(names, ["a64", "b0", "b1", "f64", "i16", "i32", "i8", "n", "s"]);
    }

    #[test]
    fn nine_booleans_take_two_bytes() {
        let s = Schema::new("t", (0..9).map(|i| (format!("b{i}"), K::Boolean))).unwrap();
        assert_eq!(s.fixed_size_len(), 2);
        assert_eq!(s.field("b8").unwrap().layout, Layout::Bit { offset: 1, bit: 0 });
    }

    #[test]
    fn id_depends_on_name_fields_and_kinds_not_on_order() {
        let a = Schema::new("t", [("x", K::Int32), ("y", K::String)]).unwrap();
        let b = Schema::new("t", [("y", K::String), ("x", K::Int32)]).unwrap();
        assert_eq!(a.id(), b.id());
        assert_ne!(
            a.id(),
            Schema::new("u", [("x", K::Int32), ("y", K::String)])
                .unwrap()
                .id()
        );
        assert_ne!(
            a.id(),
            Schema::new("t", [("x", K::Int64), ("y", K::String)])
                .unwrap()
                .id()
        );
        assert_ne!(a.id(), Schema::new("t", [("x", K::Int32)]).unwrap().id());
    }

    #[test]
    fn duplicates_and_unknown_kinds_are_rejected() {
        assert!(matches!(
            Schema::new("t", [("x", K::Int32), ("x", K::Int64)]),
            Err(SchemaError::DuplicateField { .. })
        ));
        assert!(matches!(
            Schema::from_wire("t".into(), vec![("c".into(), 5)]),
            Err(SchemaError::UnknownKind { kind_id: 5, .. })
        ));
        let s = Schema::from_wire("t".into(), vec![("a".into(), 9), ("b".into(), 17)]).unwrap();
        assert_eq!(s.wire_fields().collect::<Vec<_>>(), [("a", 9), ("b", 17)]);
    }
}
