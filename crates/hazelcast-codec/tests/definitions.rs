//! Cross-check of the declared codecs against the official protocol definitions (the YAML files
//! of hazelcast-client-protocol): message types, `retryable` flags, partition rules, and the
//! parameters of every request, response and event, in wire order with their types.
//!
//! The definitions are found through `HAZELCAST_PROTOCOL_DEFINITIONS`, else in
//! `<CARGO_MANIFEST_DIR>/../../../shared/protocol-definitions`. When neither exists the check is
//! skipped (with a message), unless the variable was set: then it fails.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use hazelcast_codec::messages::client::*;
use hazelcast_codec::messages::map::*;
use hazelcast_codec::messages::{PartitionRule, Request};
use hazelcast_codec::{ClientMessage, CodecError, MessageWriter};
use serde_yaml::Value;

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
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
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

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A YAML type name as the codec names it: maps are entry lists on the wire.
fn wire_type(yaml_type: &str) -> String {
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
        "String" | "byteArray" | "Data" | "List_Integer" | "List_Long" | "List_UUID" => w.frame(0, &[]),
        "EntryList_UUID_List_Integer" => {
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

/// An event codec: its name, message type, `wire_params()` and decoder.
type DeclaredEvent = (&'static str, i32, Vec<(String, String)>, DecodeFn);

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
    let Some(msg) = synthesize(event, message_type, &all) else {
        eprintln!("{what}: cannot synthesize every parameter type, decode check skipped");
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

fn owned(params: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    params.into_iter().map(|(n, t)| (n.to_string(), t)).collect()
}

fn partition_rule(v: &Value) -> Option<PartitionRule> {
    match as_str(v).as_str() {
        "-1" => Some(PartitionRule::None),
        "key" => Some(PartitionRule::Key),
        "name" => Some(PartitionRule::Name),
        "any key belongs to target partition" => Some(PartitionRule::PerPartition),
        _ => None,
    }
}

/// One request codec with its response and events, as the crate declares them.
struct Declared {
    name: &'static str,
    message_type: i32,
    retryable: bool,
    partition: PartitionRule,
    params: Vec<(String, String)>,
    response_type: i32,
    response_params: Vec<(String, String)>,
    decode_response: DecodeFn,
    events: Vec<DeclaredEvent>,
}

macro_rules! declared {
    ($req:ty => $resp:ty $(; events: $($ev:ty),+)?) => {{
        // The request's declared response type is `$resp` (checked at compile time).
        let _: PhantomData<<$req as Request>::Response> = PhantomData::<$resp>;
        Declared {
            name: <$req as Request>::NAME,
            message_type: <$req as Request>::MESSAGE_TYPE,
            retryable: <$req as Request>::RETRYABLE,
            partition: <$req as Request>::PARTITION,
            params: owned(<$req as Request>::wire_params()),
            response_type: <$resp>::MESSAGE_TYPE,
            response_params: owned(<$resp>::wire_params()),
            decode_response: |m| <$resp>::decode(m).map(drop),
            events: vec![$($( (
                stringify!($ev),
                <$ev>::MESSAGE_TYPE,
                owned(<$ev>::wire_params()),
                (|m| <$ev>::decode(m).map(drop)) as DecodeFn,
            ) ),+)?],
        }
    }};
}

/// Every request type declared in `messages/client.rs` and `messages/map.rs`.
fn declared() -> Vec<Declared> {
    vec![
        declared!(AuthenticationRequest<'static> => AuthenticationResponse),
        declared!(AddClusterViewListenerRequest => AddClusterViewListenerResponse;
            events: MembersViewEvent, PartitionsViewEvent, MemberGroupsViewEvent, ClusterVersionEvent),
        declared!(CreateProxyRequest<'static> => CreateProxyResponse),
        declared!(DestroyProxyRequest<'static> => DestroyProxyResponse),
        declared!(GetDistributedObjectsRequest => GetDistributedObjectsResponse),
        declared!(PingRequest => PingResponse),
        declared!(LocalBackupListenerRequest => LocalBackupListenerResponse; events: BackupEvent),
        declared!(MapPutRequest<'static> => MapPutResponse),
        declared!(MapGetRequest<'static> => MapGetResponse),
        declared!(MapRemoveRequest<'static> => MapRemoveResponse),
        declared!(MapReplaceRequest<'static> => MapReplaceResponse),
        declared!(MapReplaceIfSameRequest<'static> => MapReplaceIfSameResponse),
        declared!(MapContainsKeyRequest<'static> => MapContainsKeyResponse),
        declared!(MapContainsValueRequest<'static> => MapContainsValueResponse),
        declared!(MapRemoveIfSameRequest<'static> => MapRemoveIfSameResponse),
        declared!(MapDeleteRequest<'static> => MapDeleteResponse),
        declared!(MapPutIfAbsentRequest<'static> => MapPutIfAbsentResponse),
        declared!(MapSetRequest<'static> => MapSetResponse),
        declared!(MapAddEntryListenerToKeyRequest<'static> => MapAddEntryListenerToKeyResponse;
            events: MapEntryToKeyEvent),
        declared!(MapAddEntryListenerRequest<'static> => MapAddEntryListenerResponse; events: MapEntryEvent),
        declared!(MapRemoveEntryListenerRequest<'static> => MapRemoveEntryListenerResponse),
        declared!(MapKeySetRequest<'static> => MapKeySetResponse),
        declared!(MapGetAllRequest<'static> => MapGetAllResponse),
        declared!(MapValuesRequest<'static> => MapValuesResponse),
        declared!(MapEntrySetRequest<'static> => MapEntrySetResponse),
        declared!(MapSizeRequest<'static> => MapSizeResponse),
        declared!(MapIsEmptyRequest<'static> => MapIsEmptyResponse),
        declared!(MapPutAllRequest<'static> => MapPutAllResponse),
        declared!(MapClearRequest<'static> => MapClearResponse),
        declared!(MapSetTtlRequest<'static> => MapSetTtlResponse),
        declared!(MapPutWithMaxIdleRequest<'static> => MapPutWithMaxIdleResponse),
        declared!(MapSetWithMaxIdleRequest<'static> => MapSetWithMaxIdleResponse),
    ]
}

/// Compares one parameter list, recording a readable mismatch.
fn compare(what: &str, declared: &[(String, String)], yaml: &[(String, String)], errors: &mut Vec<String>) {
    if declared != yaml {
        errors.push(format!("{what}:\n    codec: {declared:?}\n    YAML:  {yaml:?}"));
    }
}

fn check(d: &Declared, methods: &HashMap<i32, Value>, errors: &mut Vec<String>) {
    let Some(m) = methods.get(&d.message_type) else {
        errors.push(format!(
            "{}: no method with message type {:#08x} in the definitions",
            d.name, d.message_type
        ));
        return;
    };
    let method = as_str(&m["name"]);
    let since = as_str(&m["since"]);
    let what = format!("{} ({method}, {:#08x})", d.name, d.message_type);
    let request = &m["request"];

    let retryable = request["retryable"].as_bool().unwrap_or(false);
    if retryable != d.retryable {
        errors.push(format!(
            "{what}: RETRYABLE is {} but the definition says {retryable}",
            d.retryable
        ));
    }
    match partition_rule(&request["partitionIdentifier"]) {
        Some(rule) if rule == d.partition => {}
        Some(rule) => errors.push(format!(
            "{what}: PARTITION is {:?}, the definition says {rule:?}",
            d.partition
        )),
        None => errors.push(format!(
            "{what}: unknown partitionIdentifier {:?} in the definition",
            as_str(&request["partitionIdentifier"])
        )),
    }
    let params = yaml_params(&request["params"], &since);
    compare(
        &format!("{what} request parameters"),
        &d.params,
        &names_and_types(&params),
        errors,
    );

    if d.response_type != d.message_type + 1 {
        errors.push(format!(
            "{what}: response type {:#08x} is not request type + 1",
            d.response_type
        ));
    }
    let params = yaml_params(&m["response"]["params"], &since);
    compare(
        &format!("{what} response parameters"),
        &d.response_params,
        &names_and_types(&params),
        errors,
    );
    // Parameters added after the method must be `later_*` fields: absent from older members.
    check_decodes(
        &format!("{what} response"),
        false,
        d.response_type,
        &params,
        d.decode_response,
        errors,
    );

    let yaml_events = m["events"].as_sequence().cloned().unwrap_or_default();
    if yaml_events.len() != d.events.len() {
        errors.push(format!(
            "{what}: the definition has {} event(s), the codec declares {}",
            yaml_events.len(),
            d.events.len()
        ));
    }
    for (i, e) in yaml_events.iter().enumerate() {
        let name = as_str(&e["name"]);
        let expected_type = d.message_type + 2 + i as i32;
        let Some((ev_name, _, ev_params, decode)) = d.events.iter().find(|e| e.1 == expected_type) else {
            errors.push(format!(
                "{what}: no codec for event {name} ({expected_type:#08x})"
            ));
            continue;
        };
        let ev_since = as_str(&e["since"]);
        let params = yaml_params(&e["params"], &ev_since);
        let ev_what = format!("{what} event {name} ({ev_name})");
        compare(&ev_what, ev_params, &names_and_types(&params), errors);
        check_decodes(&ev_what, true, expected_type, &params, *decode, errors);
    }
    for (ev_name, t, _, _) in &d.events {
        let i = t - d.message_type - 2;
        if i < 0 || i as usize >= yaml_events.len() {
            errors.push(format!(
                "{what}: event {ev_name} has type {t:#08x}, not request type + 2 + n"
            ));
        }
    }
}

#[test]
fn codecs_match_the_protocol_definitions() {
    let Some(dir) = definitions_dir() else { return };
    let mut methods = load_service(&dir, "Client.yaml");
    let map = load_service(&dir, "Map.yaml");
    let n_client = methods.len();
    methods.extend(map);
    assert!(
        n_client > 10 && methods.len() > n_client + 50,
        "the definitions look incomplete"
    );

    let declared = declared();
    assert_eq!(
        declared.len(),
        32,
        "every request of messages/client.rs and messages/map.rs"
    );
    let mut errors = Vec::new();
    for d in &declared {
        check(d, &methods, &mut errors);
    }
    assert!(
        errors.is_empty(),
        "{} mismatch(es) with the definitions:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// The cross-check itself notices differences (so that a pass means something).
#[test]
fn the_cross_check_detects_mismatches() {
    let Some(dir) = definitions_dir() else { return };
    let methods = load_service(&dir, "Map.yaml");
    let mut wrong = declared!(MapPutRequest<'static> => MapPutResponse);
    wrong.retryable = true;
    wrong.partition = PartitionRule::None;
    wrong.params.swap(0, 1);
    wrong.response_params[0].1 = "String".into();
    let mut errors = Vec::new();
    check(&wrong, &methods, &mut errors);
    assert_eq!(errors.len(), 4, "{errors:#?}");

    // A response codec that requires a parameter added later (Map.Delete's boolean, 2.7).
    let mut strict = declared!(MapDeleteRequest<'static> => MapDeleteResponse);
    strict.decode_response = |m| {
        let mut b = m.as_bytes().to_vec();
        b[6..10].copy_from_slice(&MapContainsKeyResponse::MESSAGE_TYPE.to_le_bytes());
        let retyped = ClientMessage::from_bytes(b.into())?;
        MapContainsKeyResponse::decode(&retyped).map(drop)
    };
    let mut errors = Vec::new();
    check(&strict, &methods, &mut errors);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("added later"), "{errors:#?}");

    let mut unknown = declared!(MapPutRequest<'static> => MapPutResponse);
    unknown.message_type = 0x01FF00;
    let mut errors = Vec::new();
    check(&unknown, &methods, &mut errors);
    assert_eq!(errors.len(), 1, "{errors:#?}");
}

#[test]
fn helpers() {
    assert_eq!(
        snake_case("cpDirectToLeaderRouting"),
        "cp_direct_to_leader_routing"
    );
    assert_eq!(snake_case("name"), "name");
    assert_eq!(wire_type("Map_String_String"), "EntryList_String_String");
    assert_eq!(wire_type("EntryList_Data_Data"), "EntryList_Data_Data");
    assert_eq!(wire_type("List_MemberInfo"), "List_MemberInfo");
    assert!(version("2.0.1") > version("2.0"));
    assert!(version("2.10") > version("2.8"));
    assert_eq!(partition_rule(&Value::from(-1)), Some(PartitionRule::None));
    assert_eq!(partition_rule(&Value::from("key")), Some(PartitionRule::Key));
    assert_eq!(partition_rule(&Value::from("partitionId")), None);
}
