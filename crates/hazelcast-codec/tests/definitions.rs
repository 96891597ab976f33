//! Cross-check of the generated codecs against the official protocol definitions (the YAML files
//! of hazelcast-client-protocol), read here independently of the generator: for every method of
//! every service, the catalogue (`messages::CATALOG`) has its request, response and events with
//! the right message types, `retryable` flag, partition rule and parameters (in wire order, with
//! their types); responses and events decode a message holding every parameter and one from an
//! older member without the parameters added later; and the catalogue holds nothing else.
//!
//! The definitions are found through `HAZELCAST_PROTOCOL_DEFINITIONS`, else in
//! `<CARGO_MANIFEST_DIR>/../../../shared/protocol-definitions`. When neither exists the check is
//! skipped (with a message), unless the variable was set: then it fails.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hazelcast_codec::messages::{CATALOG, MessageCodec, MessageKind, PartitionRule};
use hazelcast_codec::{ClientMessage, CodecError, MessageWriter};
use serde_norway::Value;

const ENV: &str = "HAZELCAST_PROTOCOL_DEFINITIONS";

/// Fixed-size types: packed into the initial frame, before all others.
const FIXED_TYPES: &[&str] = &["byte", "boolean", "int", "long", "float", "UUID"];

fn definitions_dir() -> Option<PathBuf> {
    let from_env = std::env::var_os(ENV).map(PathBuf::from);
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/protocol-definitions");
    if let Some(dir) = &from_env {
        if dir.is_dir() {
            return Some(dir.clone());
        }
        eprintln!(
            "warning: {ENV}={} is not a directory, trying {}",
            dir.display(),
            fallback.display()
        );
    }
    if fallback.is_dir() {
        return Some(fallback);
    }
    if let Some(dir) = from_env {
        panic!(
            "{ENV} is set to {} but neither it nor {} holds the protocol definitions",
            dir.display(),
            fallback.display()
        );
    }
    eprintln!(
        "SKIPPED: protocol definitions cross-check: no definitions directory at {} and {ENV} is not set",
        fallback.display()
    );
    None
}

/// The YAML methods of one service file, by request message type.
fn load_service(dir: &Path, file: &str) -> HashMap<i32, Value> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let doc: Value =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    let service_id = doc["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{file}: no service id")) as i32;
    let methods = doc["methods"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{file}: no methods"));
    methods
        .iter()
        .map(|m| {
            let method_id = m["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("{file}: method without id")) as i32;
            (service_id << 16 | method_id << 8, m.clone())
        })
        .collect()
}

/// The Rust field name of a definition parameter: snake_case (acronyms as one word), `type`
/// written `kind`.
fn snake_case(camel: &str) -> String {
    let chars: Vec<char> = camel.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    if out == "type" { "kind".into() } else { out }
}

/// A YAML type name as the codec names it, for the types that share a wire format: maps are
/// entry lists, arrays of fixed-size values and sets are lists.
fn wire_type(yaml_type: &str) -> String {
    match yaml_type {
        "longArray" => return "List_Long".into(),
        "floatArray" => return "List_Float".into(),
        "Set_UUID" => return "List_UUID".into(),
        _ => {}
    }
    match yaml_type.strip_prefix("Map_") {
        Some(rest) => format!("EntryList_{rest}"),
        None => yaml_type.to_string(),
    }
}

fn version(v: &str) -> Vec<u32> {
    v.split('.')
        .map(|p| p.parse().unwrap_or_else(|_| panic!("bad version {v:?}")))
        .collect()
}

fn as_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// One parameter of a definition.
#[derive(Debug, Clone)]
struct Param {
    /// snake_case name.
    name: String,
    /// The type as the definition names it.
    yaml_type: String,
    nullable: bool,
    /// Added in a later protocol version than its message.
    later: bool,
}

impl Param {
    fn is_fixed(&self) -> bool {
        FIXED_TYPES.contains(&self.yaml_type.as_str())
    }
}

/// The parameters of a YAML `params` list in wire order: fixed-size ones first, each group in
/// definition order.
fn yaml_params(params: &Value, since: &str) -> Vec<Param> {
    let list = params.as_sequence().cloned().unwrap_or_default();
    let all: Vec<Param> = list
        .iter()
        .map(|p| Param {
            name: snake_case(&as_str(&p["name"])),
            yaml_type: as_str(&p["type"]),
            nullable: p["nullable"].as_bool().unwrap_or(false),
            later: version(&as_str(&p["since"])) > version(since),
        })
        .collect();
    let (fixed, var): (Vec<Param>, Vec<Param>) = all.into_iter().partition(Param::is_fixed);
    fixed.into_iter().chain(var).collect()
}

/// `(name, type)` pairs as `wire_params()` lists them.
fn names_and_types(params: &[Param]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|p| (p.name.clone(), wire_type(&p.yaml_type)))
        .collect()
}

fn fixed_size(yaml_type: &str) -> usize {
    match yaml_type {
        "byte" | "boolean" => 1,
        "int" | "float" => 4,
        "long" => 8,
        "UUID" => 17,
        other => panic!("{other} is not fixed-size"),
    }
}

/// Writes the smallest valid encoding of a parameter: zero bytes for fixed-size ones, a NULL frame
/// for nullable ones, an empty value otherwise. `None` for a type this test cannot synthesize.
fn write_minimal(w: &mut MessageWriter, p: &Param) -> Option<()> {
    if p.is_fixed() {
        w.put_fixed(&vec![0; fixed_size(&p.yaml_type)]);
        return Some(());
    }
    if p.nullable {
        w.null();
        return Some(());
    }
    match p.yaml_type.as_str() {
        "String"
        | "byteArray"
        | "Data"
        | "List_Integer"
        | "List_Long"
        | "List_UUID"
        | "Set_UUID"
        | "longArray"
        | "floatArray"
        | "EntryList_Integer_UUID"
        | "EntryList_Integer_Long"
        | "EntryList_Integer_Integer"
        | "EntryList_UUID_Long"
        | "EntryList_UUID_UUID" => w.frame(0, &[]),
        "EntryList_UUID_List_Integer" | "EntryList_Long_byteArray" => {
            w.begin();
            w.end();
            w.frame(0, &[]);
        }
        t if t.starts_with("List_") || t.starts_with("Map_") || t.starts_with("EntryList_") => {
            w.begin();
            w.end();
        }
        "Address" => {
            w.begin();
            w.frame(0, &[0; 4]);
            w.frame(0, b"h");
            w.end();
        }
        "Version" => {
            w.begin();
            w.frame(0, &[5, 5]);
            w.end();
        }
        _ => return None,
    }
    Some(())
}

/// A response or event message holding `params` with minimal values.
fn synthesize(event: bool, message_type: i32, params: &[&Param]) -> Option<ClientMessage> {
    let mut w = if event {
        MessageWriter::event(message_type, 1, -1)
    } else {
        MessageWriter::response(message_type, 1, 0)
    };
    for p in params {
        write_minimal(&mut w, p)?;
    }
    Some(w.finish())
}

type DecodeFn = fn(&ClientMessage) -> Result<(), CodecError>;

/// Decodes a message holding all the definition's parameters, then one holding only those that
/// existed when the message was introduced (an older member): both must decode.
fn check_decodes(
    what: &str,
    event: bool,
    message_type: i32,
    params: &[Param],
    decode: DecodeFn,
    errors: &mut Vec<String>,
) {
    let all: Vec<&Param> = params.iter().collect();
    // Parameters of custom types this test cannot write are covered by the generated round trips.
    let Some(msg) = synthesize(event, message_type, &all) else {
        return;
    };
    if let Err(e) = decode(&msg) {
        errors.push(format!(
            "{what}: a message with every defined parameter fails to decode: {e}"
        ));
    }
    if params.iter().any(|p| p.later) {
        let original: Vec<&Param> = params.iter().filter(|p| !p.later).collect();
        let msg = synthesize(event, message_type, &original).expect("synthesized above");
        if let Err(e) = decode(&msg) {
            let later: Vec<&str> = params
                .iter()
                .filter(|p| p.later)
                .map(|p| p.name.as_str())
                .collect();
            errors.push(format!(
                "{what}: parameters {later:?} were added later but an older member's message without them \
                 fails to decode: {e}"
            ));
        }
    }
}

/// Every service file's methods, by request message type, with the service name.
fn load_all(dir: &Path) -> BTreeMap<i32, (String, Value)> {
    let mut out = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (t, m) in load_service(dir, &file) {
            assert!(
                out.insert(t, (file.clone(), m)).is_none(),
                "{file}: message type {t:#08x} twice"
            );
        }
    }
    out
}

fn partition_rule(v: &Value, request_params: &Value) -> PartitionRule {
    let text = as_str(v);
    match text.as_str() {
        "-1" | "none" => PartitionRule::None,
        "key" => PartitionRule::Key,
        "name" => PartitionRule::Name,
        "any key belongs to target partition" => PartitionRule::PerPartition,
        "partitionId" => PartitionRule::PartitionId,
        "random" => PartitionRule::Random,
        other => {
            let is_param = request_params
                .as_sequence()
                .is_some_and(|ps| ps.iter().any(|p| as_str(&p["name"]) == other));
            let leaked: &'static str = Box::leak(
                if is_param {
                    snake_case(other)
                } else {
                    other.to_owned()
                }
                .into_boxed_str(),
            );
            if is_param {
                PartitionRule::Param(leaked)
            } else {
                PartitionRule::Described(leaked)
            }
        }
    }
}

/// The catalogue by message type.
fn catalogue() -> HashMap<i32, &'static MessageCodec> {
    let mut out = HashMap::new();
    for c in CATALOG.iter().flat_map(|s| s.iter()) {
        assert!(out.insert(c.message_type, c).is_none(), "{} listed twice", c.name);
    }
    out
}

/// Compares one parameter list, recording a readable mismatch.
fn compare(what: &str, codec: &MessageCodec, yaml: &[Param], errors: &mut Vec<String>) {
    let declared: Vec<(String, String)> = codec
        .params()
        .into_iter()
        .map(|(n, t)| (n.to_owned(), t))
        .collect();
    let expected = names_and_types(yaml);
    if declared != expected {
        errors.push(format!(
            "{what} ({}):\n    codec: {declared:?}\n    YAML:  {expected:?}",
            codec.name
        ));
    }
}

/// Checks one method of the definitions against the catalogue.
fn check(
    request_type: i32,
    service_file: &str,
    m: &Value,
    codecs: &HashMap<i32, &'static MessageCodec>,
    errors: &mut Vec<String>,
) {
    let method = as_str(&m["name"]);
    let since = as_str(&m["since"]);
    let what = format!("{service_file} {method} ({request_type:#08x})");
    let request = &m["request"];
    let Some(req) = codecs.get(&request_type) else {
        errors.push(format!("{what}: no request codec"));
        return;
    };
    let retryable = request["retryable"].as_bool().unwrap_or(false);
    let partition = partition_rule(&request["partitionIdentifier"], &request["params"]);
    match req.kind {
        MessageKind::Request {
            retryable: r,
            partition: p,
        } => {
            if r != retryable {
                errors.push(format!(
                    "{what}: RETRYABLE is {r} but the definition says {retryable}"
                ));
            }
            if p != partition {
                errors.push(format!(
                    "{what}: PARTITION is {p:?}, the definition says {partition:?}"
                ));
            }
        }
        other => errors.push(format!(
            "{what}: the catalogue lists a {other:?} at the request type"
        )),
    }
    compare(
        &format!("{what} request parameters"),
        req,
        &yaml_params(&request["params"], &since),
        errors,
    );

    let Some(resp) = codecs.get(&(request_type + 1)) else {
        errors.push(format!("{what}: no response codec at request type + 1"));
        return;
    };
    if resp.kind != MessageKind::Response {
        errors.push(format!(
            "{what}: {} at request type + 1 is not a response",
            resp.name
        ));
    }
    let params = yaml_params(&m["response"]["params"], &since);
    compare(&format!("{what} response parameters"), resp, &params, errors);
    check_decodes(
        &format!("{what} response"),
        false,
        request_type + 1,
        &params,
        resp.decode,
        errors,
    );

    let events = m["events"].as_sequence().cloned().unwrap_or_default();
    for (i, e) in events.iter().enumerate() {
        let t = request_type + 2 + i as i32;
        let name = as_str(&e["name"]);
        let ev_what = format!("{what} event {name} ({t:#08x})");
        let Some(ev) = codecs.get(&t) else {
            errors.push(format!("{ev_what}: no event codec"));
            continue;
        };
        if ev.kind != MessageKind::Event {
            errors.push(format!("{ev_what}: {} is not an event", ev.name));
        }
        let params = yaml_params(&e["params"], &as_str(&e["since"]));
        compare(&ev_what, ev, &params, errors);
        check_decodes(&ev_what, true, t, &params, ev.decode, errors);
    }
    // Nothing at the next message type: the events end where the definition's end.
    let next = request_type + 2 + events.len() as i32;
    if let Some(extra) = codecs.get(&next) {
        errors.push(format!(
            "{what}: the catalogue has {} at {next:#08x}, beyond the definition's events",
            extra.name
        ));
    }
}

/// Runs the cross-check, returning the mismatches.
fn cross_check(dir: &Path, codecs: &HashMap<i32, &'static MessageCodec>) -> Vec<String> {
    let methods = load_all(dir);
    let mut errors = Vec::new();
    for (t, (file, m)) in &methods {
        check(*t, file, m, codecs, &mut errors);
    }
    // Every catalogue entry belongs to a method of the definitions.
    for (t, c) in codecs {
        let request = t & !0xff;
        if !methods.contains_key(&request) {
            errors.push(format!("{} ({t:#08x}) has no method in the definitions", c.name));
        }
    }
    errors
}

#[test]
fn codecs_match_the_protocol_definitions() {
    let Some(dir) = definitions_dir() else { return };
    let codecs = catalogue();
    assert!(
        codecs.len() > 900,
        "the catalogue looks incomplete: {}",
        codecs.len()
    );
    let errors = cross_check(&dir, &codecs);
    assert!(
        errors.is_empty(),
        "{} mismatch(es) with the definitions:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

fn string_type() -> String {
    "String".to_owned()
}

static WRONG_PARAMS: [hazelcast_codec::messages::WireParam; 1] = [("name", string_type)];

fn failing_decode(_: &ClientMessage) -> Result<(), CodecError> {
    Err(CodecError::EmptyMessage)
}

/// The cross-check itself notices differences (so that a pass means something).
#[test]
fn the_cross_check_detects_mismatches() {
    let Some(dir) = definitions_dir() else { return };
    let mut codecs = catalogue();
    let put = **codecs.get(&0x010100).expect("Map.Put");
    // A wrong flag, a wrong partition rule and wrong parameters.
    let mut wrong = put;
    wrong.kind = MessageKind::Request {
        retryable: true,
        partition: PartitionRule::None,
    };
    wrong.wire_params = &WRONG_PARAMS;
    codecs.insert(0x010100, Box::leak(Box::new(wrong)));
    // A response decoder that fails on every message; an event that should not be there.
    let mut failing = **codecs.get(&0x010901).expect("Map.Delete response");
    failing.decode = failing_decode;
    codecs.insert(0x010901, Box::leak(Box::new(failing)));
    let mut extra = **codecs.get(&0x011902).expect("Map.AddEntryListener event");
    extra.message_type = 0x011903;
    codecs.insert(0x011903, Box::leak(Box::new(extra)));
    let errors = cross_check(&dir, &codecs);
    let has = |s: &str| errors.iter().any(|e| e.contains(s));
    assert!(has("RETRYABLE is true"), "{errors:#?}");
    assert!(has("PARTITION is None"), "{errors:#?}");
    assert!(has("Map.yaml put (0x010100) request parameters"), "{errors:#?}");
    assert!(
        has("Map.yaml delete (0x010900) response: a message with every defined parameter fails"),
        "{errors:#?}"
    );
    assert!(has("beyond the definition's events"), "{errors:#?}");
    assert_eq!(errors.len(), 6, "{errors:#?}");
}

#[test]
fn helpers() {
    assert_eq!(
        snake_case("cpDirectToLeaderRouting"),
        "cp_direct_to_leader_routing"
    );
    assert_eq!(snake_case("bTreeIndexConfig"), "b_tree_index_config");
    assert_eq!(snake_case("getCPObjectInfos"), "get_cp_object_infos");
    assert_eq!(snake_case("type"), "kind");
    assert_eq!(wire_type("Map_String_String"), "EntryList_String_String");
    assert_eq!(wire_type("longArray"), "List_Long");
    assert_eq!(wire_type("List_MemberInfo"), "List_MemberInfo");
    assert!(version("2.0.1") > version("2.0"));
    assert!(version("2.10") > version("2.8"));
    let none = Value::Null;
    assert_eq!(partition_rule(&Value::from(-1), &none), PartitionRule::None);
    assert_eq!(partition_rule(&Value::from("key"), &none), PartitionRule::Key);
    assert_eq!(
        partition_rule(&Value::from("partitionId"), &none),
        PartitionRule::PartitionId
    );
}
