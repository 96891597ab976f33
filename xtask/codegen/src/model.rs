//! The official protocol definitions as data: service files (`<Service>.yaml`, one per service,
//! with its methods, their request, response and events) and the custom types
//! (`custom/Custom.yaml`), loaded and checked for what the generator relies on.

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::CodegenError;

/// A protocol version such as `2.0`, `2.0.1` or `2.10`, compared component by component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    parts: Vec<u32>,
    text: String,
}

impl Version {
    fn parse(text: &str) -> Option<Version> {
        let parts: Option<Vec<u32>> = text.split('.').map(|p| p.parse().ok()).collect();
        Some(Version {
            parts: parts.filter(|p| !p.is_empty())?,
            text: text.to_owned(),
        })
    }

    /// The version as the definitions write it.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // 2.0 and 2.0.0 are the same version.
        let n = self.parts.len().max(other.parts.len());
        (0..n)
            .map(|i| {
                let a = self.parts.get(i).copied().unwrap_or(0);
                let b = other.parts.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

/// A `since` value: the definitions write it as a string (`"2.0"`) or, rarely, as a number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawVersion {
    Text(String),
    Number(f64),
}

impl RawVersion {
    fn text(&self) -> String {
        match self {
            RawVersion::Text(t) => t.clone(),
            RawVersion::Number(n) => format!("{n:?}"),
        }
    }
}

/// `partitionIdentifier`: `-1` or a word.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawPartition {
    Number(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    nullable: bool,
    since: RawVersion,
    #[serde(default)]
    doc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    retryable: bool,
    #[serde(rename = "partitionIdentifier")]
    partition_identifier: RawPartition,
    #[serde(default)]
    params: Option<Vec<RawParam>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponse {
    #[serde(default)]
    params: Option<Vec<RawParam>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: String,
    since: RawVersion,
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    params: Option<Vec<RawParam>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMethod {
    id: u32,
    name: String,
    since: RawVersion,
    #[serde(default)]
    doc: Option<String>,
    request: RawRequest,
    #[serde(default)]
    response: Option<RawResponse>,
    #[serde(default)]
    events: Option<Vec<RawEvent>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: u32,
    name: String,
    methods: Vec<RawMethod>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomType {
    name: String,
    since: RawVersion,
    #[serde(default, rename = "returnWithFactory")]
    _return_with_factory: Option<bool>,
    params: Vec<RawParam>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomFile {
    #[serde(rename = "customTypes")]
    custom_types: Vec<RawCustomType>,
}

/// One parameter of a request, response, event or custom type.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    /// The name as the definitions write it (camelCase).
    pub(crate) name: String,
    /// The protocol type, e.g. `String`, `List_Data`, `EntryList_UUID_Long`.
    pub(crate) ty: String,
    pub(crate) nullable: bool,
    pub(crate) since: Version,
    /// Added after the message (or custom type) itself: absent from older peers.
    pub(crate) later: bool,
    pub(crate) doc: String,
}

/// How a request's partition is chosen, as `partitionIdentifier` says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // the names of `messages::PartitionRule`
pub(crate) enum Partition {
    /// `-1` or `none`.
    None,
    /// `key`.
    Key,
    /// `name`.
    Name,
    /// `any key belongs to target partition`.
    PerPartition,
    /// `partitionId`: the caller addresses one partition by id.
    PartitionId,
    /// `random`.
    Random,
    /// The name of another parameter whose serialized value decides (`taskName`, `xid`).
    Param(String),
    /// A rule the definitions state in words only.
    Described(String),
}

/// An event a listener registration delivers.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) name: String,
    pub(crate) since: Version,
    pub(crate) doc: String,
    pub(crate) params: Vec<Param>,
}

/// One method: its request, response and events.
#[derive(Debug, Clone)]
pub(crate) struct Method {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) since: Version,
    pub(crate) doc: String,
    pub(crate) retryable: bool,
    pub(crate) partition: Partition,
    pub(crate) request: Vec<Param>,
    pub(crate) response: Vec<Param>,
    pub(crate) events: Vec<Event>,
}

/// One service file.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) methods: Vec<Method>,
}

impl Service {
    /// The message type of a method's request: `service << 16 | method << 8`.
    pub(crate) fn request_type(&self, method: &Method) -> u32 {
        (self.id << 16) | (method.id << 8)
    }
}

/// One custom type of `custom/Custom.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct CustomType {
    pub(crate) name: String,
    pub(crate) since: Version,
    pub(crate) params: Vec<Param>,
}

/// Everything the definitions directory holds.
#[derive(Debug, Clone)]
pub(crate) struct Definitions {
    /// Services by id.
    pub(crate) services: Vec<Service>,
    /// Custom types in definition order.
    pub(crate) custom_types: Vec<CustomType>,
}

fn read(path: &Path) -> Result<String, CodegenError> {
    fs::read_to_string(path).map_err(|source| CodegenError::Io {
        path: path.to_owned(),
        source,
    })
}

fn invalid(path: &Path, what: String) -> CodegenError {
    CodegenError::Invalid {
        path: path.to_owned(),
        what,
    }
}

fn version(path: &Path, raw: &RawVersion, whose: &str) -> Result<Version, CodegenError> {
    let text = raw.text();
    Version::parse(&text).ok_or_else(|| invalid(path, format!("{whose}: bad version {text:?}")))
}

fn doc(raw: &Option<String>) -> String {
    raw.as_deref().unwrap_or("").trim().to_owned()
}

fn params(
    path: &Path,
    raw: Option<Vec<RawParam>>,
    since: &Version,
    whose: &str,
) -> Result<Vec<Param>, CodegenError> {
    raw.unwrap_or_default()
        .into_iter()
        .map(|p| {
            let v = version(path, &p.since, &format!("{whose}.{}", p.name))?;
            Ok(Param {
                later: v > *since,
                name: p.name,
                ty: p.ty,
                nullable: p.nullable,
                since: v,
                doc: doc(&p.doc),
            })
        })
        .collect()
}

fn partition(raw: &RawPartition, request: &[Param]) -> Partition {
    match raw {
        RawPartition::Number(-1) => Partition::None,
        RawPartition::Number(n) => Partition::Described(n.to_string()),
        RawPartition::Text(t) => match t.as_str() {
            "-1" | "none" => Partition::None,
            "key" => Partition::Key,
            "name" => Partition::Name,
            "any key belongs to target partition" => Partition::PerPartition,
            "partitionId" => Partition::PartitionId,
            "random" => Partition::Random,
            other if request.iter().any(|p| p.name == other) => Partition::Param(other.to_owned()),
            other => Partition::Described(other.to_owned()),
        },
    }
}

fn load_service(path: &Path) -> Result<Service, CodegenError> {
    let raw: RawService = serde_norway::from_str(&read(path)?).map_err(|source| CodegenError::Yaml {
        path: path.to_owned(),
        source,
    })?;
    let mut methods = Vec::with_capacity(raw.methods.len());
    for m in raw.methods {
        let whose = format!("{}.{}", raw.name, m.name);
        let since = version(path, &m.since, &whose)?;
        let request = params(path, m.request.params, &since, &whose)?;
        let response = params(path, m.response.and_then(|r| r.params), &since, &whose)?;
        let mut events = Vec::new();
        for e in m.events.unwrap_or_default() {
            let ewhose = format!("{whose}.{}", e.name);
            let esince = version(path, &e.since, &ewhose)?;
            events.push(Event {
                params: params(path, e.params, &esince, &ewhose)?,
                name: e.name,
                since: esince,
                doc: doc(&e.doc),
            });
        }
        methods.push(Method {
            partition: partition(&m.request.partition_identifier, &request),
            id: m.id,
            name: m.name,
            since,
            doc: doc(&m.doc),
            retryable: m.request.retryable,
            request,
            response,
            events,
        });
    }
    Ok(Service {
        id: raw.id,
        name: raw.name,
        methods,
    })
}

fn load_custom(path: &Path) -> Result<Vec<CustomType>, CodegenError> {
    let raw: RawCustomFile = serde_norway::from_str(&read(path)?).map_err(|source| CodegenError::Yaml {
        path: path.to_owned(),
        source,
    })?;
    raw.custom_types
        .into_iter()
        .map(|t| {
            let since = version(path, &t.since, &t.name)?;
            Ok(CustomType {
                params: params(path, Some(t.params), &since, &t.name)?,
                name: t.name,
                since,
            })
        })
        .collect()
}

/// The `*.yaml` files directly in `dir`, sorted by name.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, CodegenError> {
    let entries = fs::read_dir(dir).map_err(|source| CodegenError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| CodegenError::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.is_file() && path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Loads every service file of `dir` and every custom-type file of `dir/custom`, and checks what
/// the generator relies on: unique service and method ids, and fields added in later versions
/// only after those of the first version (in each of the fixed-size and variable-size groups).
pub(crate) fn load(dir: &Path) -> Result<Definitions, CodegenError> {
    let mut services = Vec::new();
    for path in yaml_files(dir)? {
        services.push(load_service(&path)?);
    }
    if services.is_empty() {
        return Err(invalid(dir, "no service definition files (*.yaml)".into()));
    }
    services.sort_by_key(|s| s.id);
    for pair in services.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(invalid(
                dir,
                format!(
                    "services {} and {} share id {}",
                    pair[0].name, pair[1].name, pair[0].id
                ),
            ));
        }
    }
    let mut custom_types = Vec::new();
    for path in yaml_files(&dir.join("custom"))? {
        custom_types.extend(load_custom(&path)?);
    }
    let defs = Definitions {
        services,
        custom_types,
    };
    check_order(dir, &defs)?;
    Ok(defs)
}

fn check_group(dir: &Path, whose: &str, params: &[Param]) -> Result<(), CodegenError> {
    for fixed in [true, false] {
        let mut later_seen: Option<&str> = None;
        for p in params.iter().filter(|p| super::wire::is_fixed(&p.ty) == fixed) {
            match (later_seen, p.later) {
                (Some(l), false) => {
                    return Err(invalid(
                        dir,
                        format!(
                            "{whose}: {} of the first version follows {l}, added later",
                            p.name
                        ),
                    ));
                }
                (None, true) => later_seen = Some(&p.name),
                _ => {}
            }
        }
    }
    let mut names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid(dir, format!("{whose}: parameter {} appears twice", w[0])));
    }
    Ok(())
}

fn check_order(dir: &Path, defs: &Definitions) -> Result<(), CodegenError> {
    for s in &defs.services {
        let mut ids: Vec<u32> = s.methods.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) || ids.iter().any(|&i| i == 0 || i > 255) {
            return Err(invalid(
                dir,
                format!("{}: method ids are not unique values 1..=255", s.name),
            ));
        }
        for m in &s.methods {
            let whose = format!("{}.{}", s.name, m.name);
            check_group(dir, &format!("{whose} request"), &m.request)?;
            check_group(dir, &format!("{whose} response"), &m.response)?;
            for e in &m.events {
                check_group(dir, &format!("{whose} event {}", e.name), &e.params)?;
            }
            if m.events.len() > 254 {
                return Err(invalid(dir, format!("{whose}: too many events")));
            }
        }
    }
    for t in &defs.custom_types {
        check_group(dir, &format!("custom type {}", t.name), &t.params)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s: &str| Version::parse(s).expect("a version");
        assert!(v("2.10") > v("2.9"));
        assert!(v("2.0.1") > v("2.0"));
        assert_eq!(v("2.0"), v("2.0"));
        assert_eq!(v("2.0").cmp(&v("2.0.0")), Ordering::Equal);
        assert!(Version::parse("2.x").is_none());
        assert!(Version::parse("").is_none());
    }

    #[test]
    fn partition_rules() {
        let p = |name: &str| Param {
            name: name.into(),
            ty: "String".into(),
            nullable: false,
            since: Version::parse("2.0").expect("a version"),
            later: false,
            doc: String::new(),
        };
        let req = [p("taskName")];
        assert_eq!(partition(&RawPartition::Number(-1), &req), Partition::None);
        assert_eq!(partition(&RawPartition::Text("-1".into()), &req), Partition::None);
        assert_eq!(partition(&RawPartition::Text("key".into()), &req), Partition::Key);
        assert_eq!(
            partition(&RawPartition::Text("taskName".into()), &req),
            Partition::Param("taskName".into())
        );
        assert_eq!(
            partition(&RawPartition::Text("associated key".into()), &req),
            Partition::Described("associated key".into())
        );
    }
}
