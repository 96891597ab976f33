//! The protocol's parameter types as Rust types: what a field holds when decoded (owned), what a
//! request borrows (so that encoding copies nothing), and how the one becomes the other.

use std::collections::BTreeSet;

/// The fixed-size types: packed into an initial frame (or a custom type's fixed frame).
const FIXED: &[(&str, &str)] = &[
    ("boolean", "bool"),
    ("byte", "u8"),
    ("int", "i32"),
    ("long", "i64"),
    ("float", "f32"),
    ("UUID", "Uuid"),
];

/// Element names of lists and entry lists (`List_Integer`) as fixed-size types.
const BOXED: &[(&str, &str)] = &[
    ("Boolean", "boolean"),
    ("Byte", "byte"),
    ("Integer", "int"),
    ("Long", "long"),
    ("Float", "float"),
    ("UUID", "UUID"),
];

/// True for the fixed-size types.
pub(crate) fn is_fixed(ty: &str) -> bool {
    FIXED.iter().any(|(n, _)| *n == ty)
}

/// A custom type of the protocol decoded into a hand-written domain type instead of a generated
/// struct: the generator writes its codec (BEGIN, fixed frame, variable fields, END) from the
/// definition, reading each field from the domain value with an expression of `v`, and builds
/// the value with a hand-written function that takes the decoded fields in definition order and
/// may reject them with a `CodecError`.
pub(crate) struct Mapped {
    /// The custom type's name in the definitions.
    pub(crate) wire: &'static str,
    /// The Rust type (a path inside the codec crate).
    pub(crate) rust: &'static str,
    /// Per parameter: the expression of `v: &Rust` that gives the value to encode (a borrowed
    /// form, see [`WireType::borrowed`]).
    pub(crate) getters: &'static [(&'static str, &'static str)],
    /// The function building the value from the decoded fields.
    pub(crate) build: &'static str,
}

/// The custom types that decode into hand-written domain types.
pub(crate) const MAPPED: &[Mapped] = &[Mapped {
    wire: "Address",
    rust: "crate::Address",
    getters: &[("host", "v.host.as_str()"), ("port", "i32::from(v.port)")],
    build: "crate::custom::address_from_wire",
}];

/// Finds the mapping of a custom type, if it has one.
pub(crate) fn mapped(name: &str) -> Option<&'static Mapped> {
    MAPPED.iter().find(|m| m.wire == name)
}

/// How a request borrows an owned value `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Borrow {
    /// A `Copy` value: `x`.
    Copy,
    /// `&x`.
    Ref,
    /// `x.as_str()`.
    Str,
    /// `x.0.as_slice()` (fixed-size lists).
    Slice,
    /// `&x.0[..]` (byte arrays).
    Bytes,
    /// `ListRef(&x.0)`.
    List,
    /// `EntryListRef(&x.0)`.
    Entries,
    /// `FixedEntryListRef(&x.0)`.
    FixedEntries,
}

/// One protocol type as Rust sees it.
#[derive(Debug, Clone)]
pub(crate) struct WireType {
    /// Packed into the initial (or fixed) frame.
    pub(crate) fixed: bool,
    /// The decoded, owned type.
    pub(crate) owned: String,
    /// The type a request holds (lifetime `'a` where it borrows).
    pub(crate) borrowed: String,
    borrow: Borrow,
    nullable: bool,
}

impl WireType {
    /// Whether the borrowed type needs the request's lifetime.
    pub(crate) fn borrows(&self) -> bool {
        self.borrowed.contains("'a")
    }

    /// The expression that borrows an owned value `x` (an expression, evaluated once) as the
    /// request's field type.
    pub(crate) fn borrow_expr(&self, x: &str) -> String {
        let one = |v: &str| match self.borrow {
            Borrow::Copy => v.to_owned(),
            Borrow::Ref => format!("&{v}"),
            Borrow::Str => format!("{v}.as_str()"),
            Borrow::Slice => format!("{v}.0.as_slice()"),
            Borrow::Bytes => format!("&{v}.0[..]"),
            Borrow::List => format!("ListRef(&{v}.0)"),
            Borrow::Entries => format!("EntryListRef(&{v}.0)"),
            Borrow::FixedEntries => format!("FixedEntryListRef(&{v}.0)"),
        };
        if !self.nullable {
            return one(x);
        }
        match self.borrow {
            Borrow::Copy => x.to_owned(),
            Borrow::Ref => format!("{x}.as_ref()"),
            Borrow::Str => format!("{x}.as_deref()"),
            _ => format!("{x}.as_ref().map(|v| {})", one("v")),
        }
    }
}

/// Resolves protocol type names; remembers every custom type it met.
pub(crate) struct Resolver<'d> {
    custom: &'d BTreeSet<String>,
}

fn simple(owned: &str, borrowed: &str, borrow: Borrow) -> WireType {
    WireType {
        fixed: false,
        owned: owned.to_owned(),
        borrowed: borrowed.to_owned(),
        borrow,
        nullable: false,
    }
}

impl<'d> Resolver<'d> {
    /// A resolver that knows the custom types `custom`.
    pub(crate) fn new(custom: &'d BTreeSet<String>) -> Self {
        Resolver { custom }
    }

    /// The Rust form of a parameter of type `ty`, nullable or not.
    pub(crate) fn param(&self, ty: &str, nullable: bool) -> Result<WireType, String> {
        let base = self.resolve(ty)?;
        if !nullable {
            return Ok(base);
        }
        if base.fixed && base.owned != "Uuid" {
            return Err(format!("nullable fixed-size type {ty} has no wire form"));
        }
        Ok(WireType {
            fixed: base.fixed,
            owned: format!("Option<{}>", base.owned),
            borrowed: format!("Option<{}>", base.borrowed),
            borrow: base.borrow,
            nullable: true,
        })
    }

    /// The Rust form of a (non-nullable) type.
    pub(crate) fn resolve(&self, ty: &str) -> Result<WireType, String> {
        if let Some((_, rust)) = FIXED.iter().find(|(n, _)| *n == ty) {
            return Ok(WireType {
                fixed: true,
                owned: (*rust).to_owned(),
                borrowed: (*rust).to_owned(),
                borrow: Borrow::Copy,
                nullable: false,
            });
        }
        Ok(match ty {
            "String" => simple("String", "&'a str", Borrow::Str),
            "Data" => simple("Data", "&'a Data", Borrow::Ref),
            "byteArray" => simple("ByteArray", "&'a [u8]", Borrow::Bytes),
            "longArray" => simple("FixedList<i64>", "&'a [i64]", Borrow::Slice),
            "floatArray" => simple("FixedList<f32>", "&'a [f32]", Borrow::Slice),
            "SqlPage" => simple("SqlPage", "&'a SqlPage", Borrow::Ref),
            // Laid out apart from the generic entry lists: values first, keys after the END.
            "EntryList_UUID_List_Integer" => simple("PartitionOwners", "&'a PartitionOwners", Borrow::Ref),
            "List_List_UUID" => simple("UuidGroups", "&'a UuidGroups", Borrow::Ref),
            _ => return self.compound(ty),
        })
    }

    fn element(&self, name: &str) -> Result<WireType, String> {
        match BOXED.iter().find(|(b, _)| *b == name) {
            Some((_, fixed)) => self.resolve(fixed),
            None => self.resolve(name),
        }
    }

    fn compound(&self, ty: &str) -> Result<WireType, String> {
        if let Some(rest) = ty.strip_prefix("ListCN_") {
            let e = self.element(rest)?;
            if e.fixed {
                return Err(format!(
                    "{ty}: lists of nullable fixed-size values are not a parameter type"
                ));
            }
            return Ok(simple(
                &format!("VarList<Option<{}>>", e.owned),
                &format!("ListRef<'a, Option<{}>>", e.owned),
                Borrow::List,
            ));
        }
        if let Some(rest) = ty.strip_prefix("List_").or_else(|| ty.strip_prefix("Set_")) {
            let e = self.element(rest)?;
            return Ok(if e.fixed {
                simple(
                    &format!("FixedList<{}>", e.owned),
                    &format!("&'a [{}]", e.owned),
                    Borrow::Slice,
                )
            } else {
                simple(
                    &format!("VarList<{}>", e.owned),
                    &format!("ListRef<'a, {}>", e.owned),
                    Borrow::List,
                )
            });
        }
        if let Some(rest) = ty.strip_prefix("EntryList_").or_else(|| ty.strip_prefix("Map_")) {
            let (k, v) = rest
                .split_once('_')
                .ok_or_else(|| format!("{ty}: an entry list needs a key and a value type"))?;
            let (k, v) = (self.element(k)?, self.element(v)?);
            return Ok(match (k.fixed, v.fixed) {
                (true, true) => simple(
                    &format!("FixedEntryList<{}, {}>", k.owned, v.owned),
                    &format!("FixedEntryListRef<'a, {}, {}>", k.owned, v.owned),
                    Borrow::FixedEntries,
                ),
                (false, false) => simple(
                    &format!("EntryList<{}, {}>", k.owned, v.owned),
                    &format!("EntryListRef<'a, {}, {}>", k.owned, v.owned),
                    Borrow::Entries,
                ),
                // The keys travel as one packed frame after the values.
                (true, false) => {
                    let t = format!("SplitEntryList<{}, {}>", k.owned, v.owned);
                    simple(&t, &format!("&'a {t}"), Borrow::Ref)
                }
                (false, true) => {
                    return Err(format!("{ty}: no wire form for variable keys with fixed values"));
                }
            });
        }
        if let Some(m) = mapped(ty) {
            return Ok(simple(m.rust, &format!("&'a {}", m.rust), Borrow::Ref));
        }
        if self.custom.contains(ty) {
            return Ok(simple(ty, &format!("&'a {ty}"), Borrow::Ref));
        }
        Err(format!("unknown parameter type {ty}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(ty: &str) -> WireType {
        let custom: BTreeSet<String> = ["MemberInfo", "Address", "Xid", "EndpointQualifier"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        Resolver::new(&custom)
            .resolve(ty)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn types_resolve() {
        assert_eq!(r("UUID").owned, "Uuid");
        assert!(r("long").fixed);
        assert_eq!(r("List_Integer").owned, "FixedList<i32>");
        assert_eq!(r("List_Integer").borrowed, "&'a [i32]");
        assert_eq!(r("Set_UUID").owned, "FixedList<Uuid>");
        assert_eq!(r("List_Data").borrowed, "ListRef<'a, Data>");
        assert_eq!(r("ListCN_Data").owned, "VarList<Option<Data>>");
        assert_eq!(r("List_ListCN_Data").owned, "VarList<VarList<Option<Data>>>");
        assert_eq!(r("EntryList_Integer_UUID").owned, "FixedEntryList<i32, Uuid>");
        assert_eq!(
            r("EntryList_Long_byteArray").owned,
            "SplitEntryList<i64, ByteArray>"
        );
        assert_eq!(
            r("EntryList_String_EntryList_Integer_Long").owned,
            "EntryList<String, FixedEntryList<i32, i64>>"
        );
        assert_eq!(
            r("Map_EndpointQualifier_Address").owned,
            "EntryList<EndpointQualifier, crate::Address>"
        );
        assert_eq!(r("List_MemberInfo").owned, "VarList<MemberInfo>");
        assert_eq!(r("Xid").borrowed, "&'a Xid");
        assert!(r("Xid").borrows());
        assert!(!r("UUID").borrows());
        let custom = BTreeSet::new();
        assert!(Resolver::new(&custom).resolve("Nope").is_err());
        assert!(Resolver::new(&custom).param("int", true).is_err());
    }

    #[test]
    fn borrow_expressions() {
        let custom = BTreeSet::new();
        let res = Resolver::new(&custom);
        let p = |ty: &str, n: bool| res.param(ty, n).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p("String", false).borrow_expr("x"), "x.as_str()");
        assert_eq!(p("String", true).borrow_expr("x"), "x.as_deref()");
        assert_eq!(p("Data", true).borrow_expr("x"), "x.as_ref()");
        assert_eq!(p("UUID", true).borrow_expr("x"), "x");
        assert_eq!(
            p("List_Data", true).borrow_expr("x"),
            "x.as_ref().map(|v| ListRef(&v.0))"
        );
        assert_eq!(p("byteArray", false).borrow_expr("x"), "&x.0[..]");
    }
}
