//! Values as files and environment variables write them ([`Raw`]), and how each option's type
//! reads and writes them (the [`Codec`]s the option declarations name).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use hazelcast_invocation::{LoadBalancer, ReconnectMode};
use hazelcast_transport::{Secret, TrustStore};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::ssl::SslProtocol;

/// A value as a file or an environment variable wrote it, before its option reads it. Parsing a
/// file into these accepts every value, so a parser never reports (and never echoes) a value:
/// each option reads its own and reports what is wrong under its own key, without showing a
/// secret.
#[derive(Clone, PartialEq)]
pub(crate) enum Raw {
    /// `null` (JSON, YAML) or an unset option.
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Raw>),
    /// A table or mapping: no option takes one.
    Table,
}

impl Raw {
    /// The value as an error shows it.
    pub(crate) fn shown(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Bool(b) => b.to_string(),
            Raw::Int(n) => n.to_string(),
            Raw::Float(x) => x.to_string(),
            Raw::Str(s) => format!("{s:?}"),
            Raw::List(items) => {
                let items: Vec<String> = items.iter().map(Raw::shown).collect();
                format!("[{}]", items.join(", "))
            }
            Raw::Table => "a table".into(),
        }
    }

    /// The value in TOML syntax (the reference's default column); `Null` as `none`.
    pub(crate) fn toml(&self) -> String {
        match self {
            Raw::Null => "none".into(),
            Raw::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.1}"),
            other => other.shown(),
        }
    }
}

// A value may be a secret: `Debug` never shows it.
impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Raw(..)")
    }
}

impl serde::Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Raw::Null | Raw::Table => s.serialize_none(),
            Raw::Bool(b) => s.serialize_bool(*b),
            Raw::Int(n) => s.serialize_i64(*n),
            Raw::Float(x) => s.serialize_f64(*x),
            Raw::Str(v) => s.serialize_str(v),
            Raw::List(items) => s.collect_seq(items),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Raw>()? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        // Consumed and dropped (a TOML date-time is a map too): no option takes a table.
        while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(Raw::Table)
    }
}

/// A whole configuration document: its options in the order written (a document that is not
/// a mapping is an error; an empty YAML document or `null` is no option).
pub(crate) struct Document(pub(crate) Vec<(String, Raw)>);

impl<'de> serde::Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DocVisitor;
        impl<'de> Visitor<'de> for DocVisitor {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of option names to values")
            }
            fn visit_unit<E>(self) -> Result<Document, E> {
                Ok(Document(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<Document, E> {
                Ok(Document(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
                let mut entries: Vec<(String, Raw)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format_args!("option `{key}` is given twice")));
                    }
                    let value = map.next_value::<Raw>()?;
                    entries.push((key, value));
                }
                Ok(Document(entries))
            }
        }
        d.deserialize_any(DocVisitor)
    }
}

/// Why a value does not fit its option.
pub(crate) type Reason = Cow<'static, str>;

/// How one option type reads and writes its values.
pub(crate) trait Codec {
    /// The option's type in Rust.
    type Value;
    /// The type as the reference names it.
    const TYPE: &'static str;
    /// An environment variable holds a comma-separated list.
    const LIST: bool = false;
    /// Reads a value.
    fn decode(raw: Raw) -> Result<Self::Value, Reason>;
    /// Writes a value as a file would.
    fn encode(value: &Self::Value) -> Raw;
}

fn expected(what: &'static str) -> Reason {
    Cow::Borrowed(what)
}

/// A string.
pub(crate) struct Text;
impl Codec for Text {
    type Value = String;
    const TYPE: &'static str = "string";
    fn decode(raw: Raw) -> Result<String, Reason> {
        match raw {
            Raw::Str(s) => Ok(s),
            _ => Err(expected("expected a string")),
        }
    }
    fn encode(v: &String) -> Raw {
        Raw::Str(v.clone())
    }
}

/// An optional string (`null` or absent: unset).
pub(crate) struct OptText;
impl Codec for OptText {
    type Value = Option<String>;
    const TYPE: &'static str = "string";
    fn decode(raw: Raw) -> Result<Option<String>, Reason> {
        match raw {
            Raw::Null => Ok(None),
            other => Text::decode(other).map(Some),
        }
    }
    fn encode(v: &Option<String>) -> Raw {
        v.as_ref().map_or(Raw::Null, |s| Raw::Str(s.clone()))
    }
}

/// An optional file path.
pub(crate) struct OptPath;
impl Codec for OptPath {
    type Value = Option<PathBuf>;
    const TYPE: &'static str = "path";
    fn decode(raw: Raw) -> Result<Option<PathBuf>, Reason> {
        Ok(OptText::decode(raw)?.map(PathBuf::from))
    }
    fn encode(v: &Option<PathBuf>) -> Raw {
        v.as_ref()
            .map_or(Raw::Null, |p| Raw::Str(p.display().to_string()))
    }
}

/// An optional secret: a string only (a number could lose its leading zeros or its spelling).
pub(crate) struct OptSecret;
impl Codec for OptSecret {
    type Value = Option<Secret>;
    const TYPE: &'static str = "secret string";
    fn decode(raw: Raw) -> Result<Option<Secret>, Reason> {
        match raw {
            Raw::Null => Ok(None),
            Raw::Str(s) => Ok(Some(Secret::new(s))),
            _ => Err(expected("expected a string (quote the value)")),
        }
    }
    fn encode(v: &Option<Secret>) -> Raw {
        v.as_ref().map_or(Raw::Null, |s| Raw::Str(s.expose().to_owned()))
    }
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A boolean: `true`/`false`, or in a string `true/false/1/0/yes/no/on/off`.
pub(crate) struct Bool;
impl Codec for Bool {
    type Value = bool;
    const TYPE: &'static str = "bool";
    fn decode(raw: Raw) -> Result<bool, Reason> {
        match raw {
            Raw::Bool(b) => Ok(b),
            Raw::Str(s) => parse_bool(&s).ok_or_else(|| expected("expected a boolean")),
            _ => Err(expected("expected a boolean")),
        }
    }
    fn encode(v: &bool) -> Raw {
        Raw::Bool(*v)
    }
}

/// A boolean or automatic (`null`, `"auto"`, unset).
pub(crate) struct FlagOrAuto;
impl Codec for FlagOrAuto {
    type Value = Option<bool>;
    const TYPE: &'static str = "bool or `auto`";
    fn decode(raw: Raw) -> Result<Option<bool>, Reason> {
        match raw {
            Raw::Null => Ok(None),
            Raw::Str(s)
                if matches!(
                    s.trim().to_ascii_lowercase().as_str(),
                    "" | "auto" | "none" | "null"
                ) =>
            {
                Ok(None)
            }
            other => Bool::decode(other)
                .map(Some)
                .map_err(|_| expected("expected a boolean or \"auto\"")),
        }
    }
    fn encode(v: &Option<bool>) -> Raw {
        v.map_or(Raw::Null, Raw::Bool)
    }
}

fn parse_duration_text(t: &str) -> Option<f64> {
    let t = t.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic() || c == 'µ')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let factor = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "ms" | "millis" | "milliseconds" => 1e-3,
        "us" | "µs" | "micros" => 1e-6,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        _ => return None,
    };
    Some(n * factor)
}

const DURATION_EXPECTED: &str =
    "expected seconds (a number) or a duration such as \"500ms\", \"5s\", \"2m\", \"1h\"";

/// Seconds as a number (maybe negative), from a number or a humane string.
fn seconds(raw: &Raw) -> Result<f64, Reason> {
    let v = match raw {
        Raw::Int(n) => *n as f64,
        Raw::Float(x) => *x,
        Raw::Str(s) => parse_duration_text(s).ok_or_else(|| expected(DURATION_EXPECTED))?,
        _ => return Err(expected(DURATION_EXPECTED)),
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(expected("must be a finite number of seconds"))
    }
}

fn duration_of(v: f64) -> Result<Duration, Reason> {
    if v < 0.0 {
        return Err(expected("must not be negative"));
    }
    Duration::try_from_secs_f64(v).map_err(|e| Cow::Owned(e.to_string()))
}

/// A duration: seconds (`5`, `2.5`) or a string with a unit (`"500ms"`, `"2m"`).
pub(crate) struct Secs;
impl Codec for Secs {
    type Value = Duration;
    const TYPE: &'static str = "duration";
    fn decode(raw: Raw) -> Result<Duration, Reason> {
        duration_of(seconds(&raw)?)
    }
    fn encode(v: &Duration) -> Raw {
        Raw::Float(v.as_secs_f64())
    }
}

/// An optional duration (unset: `null` or absent).
pub(crate) struct OptSecs;
impl Codec for OptSecs {
    type Value = Option<Duration>;
    const TYPE: &'static str = "duration";
    fn decode(raw: Raw) -> Result<Option<Duration>, Reason> {
        match raw {
            Raw::Null => Ok(None),
            other => Secs::decode(other).map(Some),
        }
    }
    fn encode(v: &Option<Duration>) -> Raw {
        v.as_ref().map_or(Raw::Null, Secs::encode)
    }
}

/// A duration or `-1` for "no limit" (`None`).
pub(crate) struct SecsOrInfinite;
impl Codec for SecsOrInfinite {
    type Value = Option<Duration>;
    const TYPE: &'static str = "duration or -1";
    fn decode(raw: Raw) -> Result<Option<Duration>, Reason> {
        if raw == Raw::Null {
            return Ok(None);
        }
        let v = seconds(&raw)?;
        if v == -1.0 {
            Ok(None)
        } else if v < 0.0 {
            Err(expected("must be -1 (infinite) or a duration ≥ 0"))
        } else {
            duration_of(v).map(Some)
        }
    }
    fn encode(v: &Option<Duration>) -> Raw {
        v.as_ref().map_or(Raw::Int(-1), Secs::encode)
    }
}

/// A number.
pub(crate) struct Number;
impl Codec for Number {
    type Value = f64;
    const TYPE: &'static str = "number";
    fn decode(raw: Raw) -> Result<f64, Reason> {
        let v = match raw {
            Raw::Int(n) => n as f64,
            Raw::Float(x) => x,
            Raw::Str(s) => s.trim().parse().map_err(|_| expected("expected a number"))?,
            _ => return Err(expected("expected a number")),
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(expected("expected a finite number"))
        }
    }
    fn encode(v: &f64) -> Raw {
        Raw::Float(*v)
    }
}

/// A size in bytes: a number, or a string with a unit (`"64KiB"`, `"256MiB"`, `"1GiB"`, `"10MB"`).
pub(crate) struct Bytes;
impl Codec for Bytes {
    type Value = usize;
    const TYPE: &'static str = "bytes";
    fn decode(raw: Raw) -> Result<usize, Reason> {
        const EXPECTED: &str = "expected a number of bytes or a size such as \"64KiB\", \"256MiB\", \"1GiB\"";
        let n: u128 = match raw {
            Raw::Int(n) if n >= 0 => n as u128,
            Raw::Str(s) => {
                let s = s.trim();
                let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
                let (num, unit) = s.split_at(split);
                let n: u128 = num.trim().parse().map_err(|_| expected(EXPECTED))?;
                let factor: u128 = match unit.trim().to_ascii_lowercase().as_str() {
                    "" | "b" => 1,
                    "kib" => 1 << 10,
                    "mib" => 1 << 20,
                    "gib" => 1 << 30,
                    "kb" => 1_000,
                    "mb" => 1_000_000,
                    "gb" => 1_000_000_000,
                    _ => return Err(expected(EXPECTED)),
                };
                n.checked_mul(factor).ok_or_else(|| expected("too large"))?
            }
            _ => return Err(expected(EXPECTED)),
        };
        usize::try_from(n).map_err(|_| expected("too large"))
    }
    fn encode(v: &usize) -> Raw {
        i64::try_from(*v).map_or(Raw::Float(*v as f64), Raw::Int)
    }
}

/// A list of strings (an environment variable: comma separated).
pub(crate) struct TextList;
impl Codec for TextList {
    type Value = Vec<String>;
    const TYPE: &'static str = "list of strings";
    const LIST: bool = true;
    fn decode(raw: Raw) -> Result<Vec<String>, Reason> {
        match raw {
            Raw::Null => Ok(Vec::new()),
            Raw::List(items) => items
                .into_iter()
                .map(|i| Text::decode(i).map_err(|_| expected("expected a list of strings")))
                .collect(),
            _ => Err(expected("expected a list of strings")),
        }
    }
    fn encode(v: &Vec<String>) -> Raw {
        Raw::List(v.iter().cloned().map(Raw::Str).collect())
    }
}

/// `reconnect_mode`: `"on"`, `"off"`, `"async"`, or the Python client's `ReconnectMode`
/// numbers (`0` off, `1` on, `2` async).
pub(crate) struct Reconnect;
impl Codec for Reconnect {
    type Value = ReconnectMode;
    const TYPE: &'static str = "\"on\", \"off\", \"async\" (or 1, 0, 2)";
    fn decode(raw: Raw) -> Result<ReconnectMode, Reason> {
        const EXPECTED: &str =
            "expected \"on\", \"off\" or \"async\" (or the Python client's numbers 1, 0 and 2)";
        let text = match raw {
            Raw::Int(n) => n.to_string(),
            Raw::Str(s) => s.trim().to_ascii_lowercase(),
            _ => return Err(expected(EXPECTED)),
        };
        match text.as_str() {
            "on" | "1" => Ok(ReconnectMode::On),
            "off" | "0" => Ok(ReconnectMode::Off),
            "async" | "2" => Ok(ReconnectMode::Async),
            _ => Err(expected(EXPECTED)),
        }
    }
    fn encode(v: &ReconnectMode) -> Raw {
        Raw::Str(
            match v {
                ReconnectMode::Off => "off",
                ReconnectMode::Async => "async",
                _ => "on",
            }
            .into(),
        )
    }
}

/// `load_balancer`: `"round_robin"` or `"random"` (the Java class names work too).
pub(crate) struct Balancer;
impl Codec for Balancer {
    type Value = LoadBalancer;
    const TYPE: &'static str = "\"round_robin\" or \"random\"";
    fn decode(raw: Raw) -> Result<LoadBalancer, Reason> {
        const EXPECTED: &str = "expected \"round_robin\" or \"random\"";
        let Raw::Str(s) = raw else {
            return Err(expected(EXPECTED));
        };
        let norm: String = s
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        match norm.as_str() {
            "roundrobin" | "roundrobinlb" => Ok(LoadBalancer::RoundRobin),
            "random" | "randomlb" => Ok(LoadBalancer::Random),
            _ => Err(expected(EXPECTED)),
        }
    }
    fn encode(v: &LoadBalancer) -> Raw {
        Raw::Str(
            match v {
                LoadBalancer::Random => "random",
                _ => "round_robin",
            }
            .into(),
        )
    }
}

/// `ssl_protocol`: a name or the Python client's `SSLProtocol` number.
pub(crate) struct Protocol;
impl Codec for Protocol {
    type Value = Option<SslProtocol>;
    const TYPE: &'static str = "\"TLSv1_2\" or \"TLSv1_3\" (or 4, 5)";
    fn decode(raw: Raw) -> Result<Option<SslProtocol>, Reason> {
        match raw {
            Raw::Null => Ok(None),
            Raw::Int(n) => SslProtocol::parse(&n.to_string()).map(Some),
            Raw::Str(s) => SslProtocol::parse(&s).map(Some),
            _ => Err(expected("expected TLSv1_2 or TLSv1_3")),
        }
    }
    fn encode(v: &Option<SslProtocol>) -> Raw {
        v.map_or(Raw::Null, |p| Raw::Str(p.name().into()))
    }
}

/// `ssl_trust_store`: `"builtin"` (the Mozilla roots compiled in) or `"system"`.
pub(crate) struct Trust;
impl Codec for Trust {
    type Value = TrustStore;
    const TYPE: &'static str = "\"builtin\" or \"system\"";
    fn decode(raw: Raw) -> Result<TrustStore, Reason> {
        const EXPECTED: &str = "expected \"builtin\" or \"system\"";
        let Raw::Str(s) = raw else {
            return Err(expected(EXPECTED));
        };
        match s.trim().to_ascii_lowercase().as_str() {
            "builtin" | "built-in" | "webpki" | "webpki_roots" | "mozilla" => Ok(TrustStore::WebPkiRoots),
            "system" | "os" | "native" => Ok(TrustStore::System),
            _ => Err(expected(EXPECTED)),
        }
    }
    fn encode(v: &TrustStore) -> Raw {
        Raw::Str(
            match v {
                TrustStore::System => "system",
                _ => "builtin",
            }
            .into(),
        )
    }
}
