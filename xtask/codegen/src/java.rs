//! Byte-exact vectors from the official Java codecs: one sample method per service (its request,
//! its response, and an event where the service has listeners), with deterministic values of the
//! parameter types both sides can build. The generator writes the same samples as a Java program
//! (run by `--java-vectors` against the member jar, whose `*Codec` classes are generated from the
//! same definitions; it writes `tests/data/java_vectors.txt`) and as a Rust test
//! (`tests/generated/vectors.rs`) that compares the codec's bytes with the file's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::emit::{fields, method_names, module_name};
use super::model::{Definitions, Event, Method, Param, Service};
use super::names::snake;
use super::wire::Resolver;
use super::{CodegenError, HEADER_NOTE, workspace};

/// Where the Java output goes, relative to the workspace.
pub(crate) const VECTORS_FILE: &str = "crates/hazelcast-codec/tests/data/java_vectors.txt";

/// The member version whose jar holds the codecs.
const DEFAULT_VERSION: &str = "5.7.0";

fn data_bytes(k: usize) -> Vec<u8> {
    vec![0, 0, 0, 0, 0, 0, 0, (k as u8).wrapping_add(1), 1, 2, 3, k as u8]
}

fn byte_list(b: &[u8]) -> String {
    b.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
}

fn java_bytes(b: &[u8]) -> String {
    b.iter()
        .map(|v| format!("(byte) {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn uuid(k: usize) -> (u64, u64) {
    (0x0102_0304_0506_0708 + k as u64, 0x8112_1314_1516_1718 + k as u64)
}

/// A value of a parameter: (Java expression, Rust expression of the owned type).
fn value(p: &Param, k: usize) -> Option<(String, String)> {
    if p.nullable && k % 3 == 2 {
        return Some(("null".into(), "None".into()));
    }
    let (hi, lo) = uuid(k);
    let java_uuid = format!("new java.util.UUID({}L, {}L)", hi as i64, lo as i64);
    let rust_uuid = format!("Uuid::from_u64_pair({hi:#x}, {lo:#x})");
    let d1 = data_bytes(k);
    let d2 = data_bytes(k + 7);
    let (java, rust) = match p.ty.as_str() {
        "boolean" => {
            let b = k.is_multiple_of(2);
            (b.to_string(), b.to_string())
        }
        "byte" => {
            let v = 7 + (k * 5) % 100;
            (format!("(byte) {v}"), format!("{v}u8"))
        }
        "int" => {
            let v = -100_000 - (k as i64) * 7919;
            (v.to_string(), format!("{v}i32"))
        }
        "long" => {
            let v = 1_234_567_890_123i64 * (k as i64 + 1) * if k.is_multiple_of(2) { -1 } else { 1 };
            (format!("{v}L"), format!("{v}i64"))
        }
        "float" => {
            let v = k as f32 + 0.5;
            (format!("{v:.1}f"), format!("{v:.1}f32"))
        }
        "UUID" => (java_uuid, rust_uuid),
        "String" => (format!("\"s{k}-é\""), format!("\"s{k}-é\".to_owned()")),
        "Data" => (
            format!("data({})", java_bytes(&d1)),
            format!("data(&[{}])", byte_list(&d1)),
        ),
        "byteArray" => (
            format!("new byte[] {{{}}}", java_bytes(&[1, 2, 3, k as u8])),
            format!("ByteArray(Bytes::from_static(&[1, 2, 3, {k}]))"),
        ),
        "List_Integer" => (
            format!("java.util.List.of(1, -2, {k})"),
            format!("FixedList(vec![1, -2, {k}])"),
        ),
        "List_Long" => (
            "java.util.List.of(1L, -2L)".into(),
            "FixedList(vec![1i64, -2])".into(),
        ),
        "longArray" => ("new long[] {5L, -6L}".into(), "FixedList(vec![5i64, -6])".into()),
        "List_UUID" => (
            format!("java.util.List.of({java_uuid})"),
            format!("FixedList(vec![{rust_uuid}])"),
        ),
        "List_String" => (
            format!("java.util.List.of(\"a\", \"b{k}\")"),
            format!("VarList(vec![\"a\".to_owned(), \"b{k}\".to_owned()])"),
        ),
        "List_Data" => (
            format!(
                "java.util.List.of(data({}), data({}))",
                java_bytes(&d1),
                java_bytes(&d2)
            ),
            format!(
                "VarList(vec![data(&[{}]), data(&[{}])])",
                byte_list(&d1),
                byte_list(&d2)
            ),
        ),
        "Map_String_String" => (
            format!("java.util.Map.of(\"k{k}\", \"v\")"),
            format!("EntryList(vec![(\"k{k}\".to_owned(), \"v\".to_owned())])"),
        ),
        "EntryList_Data_Data" => (
            format!(
                "java.util.List.of(new java.util.AbstractMap.SimpleEntry<>(data({}), data({})))",
                java_bytes(&d1),
                java_bytes(&d2)
            ),
            format!(
                "EntryList(vec![(data(&[{}]), data(&[{}]))])",
                byte_list(&d1),
                byte_list(&d2)
            ),
        ),
        "RaftGroupId" => {
            let (seed, id) = (11 + k as i64, -(k as i64) - 3);
            (
                format!("new com.hazelcast.cp.internal.RaftGroupId(\"g{k}\", {seed}L, {id}L)"),
                format!("RaftGroupId::new({seed}, {id}, \"g{k}\".to_owned())"),
            )
        }
        "Address" => (
            "new com.hazelcast.cluster.Address(\"127.0.0.1\", 5701)".into(),
            "hazelcast_codec::Address::new(\"127.0.0.1\", 5701)".into(),
        ),
        _ => return None,
    };
    Some((java, if p.nullable { format!("Some({rust})") } else { rust }))
}

fn expressible(params: &[Param]) -> bool {
    params.iter().enumerate().all(|(k, p)| value(p, k).is_some())
}

/// How much a sample covers: distinct types, then parameters.
fn coverage(params: &[&Param]) -> (usize, usize) {
    let mut types: Vec<(&str, bool)> = params.iter().map(|p| (p.ty.as_str(), p.nullable)).collect();
    types.sort_unstable();
    types.dedup();
    (types.len(), params.len())
}

/// The method whose request and response best cover the types, and the best event of the
/// service (with its method).
fn pick(s: &Service) -> (Option<&Method>, Option<(&Method, usize)>) {
    let method = s
        .methods
        .iter()
        .filter(|m| expressible(&m.request) && expressible(&m.response))
        .max_by_key(|m| {
            (
                coverage(&m.request.iter().chain(&m.response).collect::<Vec<_>>()),
                std::cmp::Reverse(m.id),
            )
        });
    let event = s
        .methods
        .iter()
        .flat_map(|m| m.events.iter().enumerate().map(move |(i, e)| (m, i, e)))
        .filter(|(_, _, e)| expressible(&e.params))
        .max_by_key(|(m, i, e)| {
            (
                coverage(&e.params.iter().collect::<Vec<_>>()),
                std::cmp::Reverse((m.id, *i)),
            )
        })
        .map(|(m, i, _)| (m, i));
    (method, event)
}

/// One sample: its label in the vectors file, the Java codec call and the Rust check.
struct Sample {
    label: String,
    java: String,
    rust: String,
}

fn java_args(params: &[Param]) -> String {
    params
        .iter()
        .enumerate()
        .filter_map(|(k, p)| value(p, k).map(|v| v.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Rust lines binding each parameter (by definition position) as `p_<field>`.
fn rust_bindings(out: &mut String, res: &Resolver<'_>, params: &[Param]) -> Result<(), String> {
    for (k, p) in params.iter().enumerate() {
        if let Some((_, rust)) = value(p, k) {
            let ty = res
                .param(&p.ty, p.nullable)?
                .owned
                .replace("crate::", "hazelcast_codec::");
            let _ = writeln!(out, "    let p_{}: {ty} = {rust};", super::names::field(&p.name));
        }
    }
    Ok(())
}

fn samples(res: &Resolver<'_>, defs: &Definitions) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for s in &defs.services {
        let (method, event) = pick(s);
        if let Some(m) = method {
            let n = method_names(s, m);
            let codec = format!("{}{}Codec", s.name, upper_first(&m.name));
            let whose = format!("{}.{}", s.name, m.name);
            // Request.
            let mut rust = String::new();
            rust_bindings(&mut rust, res, &m.request)?;
            let _ = writeln!(rust, "    let request = {} {{", n.request);
            for f in fields(res, &m.request, &whose)? {
                let _ = writeln!(
                    rust,
                    "        {}: {},",
                    f.name,
                    f.ty.borrow_expr(&format!("p_{}", f.name))
                );
            }
            let _ = writeln!(rust, "    }};\n    request.encode(-1)");
            out.push(Sample {
                label: format!("{} request", n.protocol),
                java: format!("{codec}.encodeRequest({})", java_args(&m.request)),
                rust,
            });
            // Response.
            let mut rust = String::new();
            rust_bindings(&mut rust, res, &m.response)?;
            let args = reply_args(res, &m.response, &whose)?;
            let _ = writeln!(rust, "    {}::new({args}).encode(0)", n.response);
            out.push(Sample {
                label: format!("{} response", n.protocol),
                java: format!("{codec}.encodeResponse({})", java_args(&m.response)),
                rust,
            });
        }
        if let Some((m, i)) = event {
            let e: &Event = &m.events[i];
            let n = method_names(s, m);
            let codec = format!("{}{}Codec", s.name, upper_first(&m.name));
            let mut rust = String::new();
            rust_bindings(&mut rust, res, &e.params)?;
            let args = reply_args(res, &e.params, &format!("{}.{}.{}", s.name, m.name, e.name))?;
            let _ = writeln!(rust, "    {}::new({args}).encode(0)", n.events[i]);
            out.push(Sample {
                label: format!("{} event {}", n.protocol, e.name),
                java: format!(
                    "{codec}.encode{}Event({})",
                    upper_first(&e.name),
                    java_args(&e.params)
                ),
                rust,
            });
        }
    }
    Ok(out)
}

/// `new(...)` arguments in wire order; fields of later versions are present (`Some`), as Java
/// always writes them.
fn reply_args(res: &Resolver<'_>, params: &[Param], whose: &str) -> Result<String, String> {
    Ok(fields(res, params, whose)?
        .iter()
        .map(|f| {
            if f.param.later {
                format!("Some(p_{})", f.name)
            } else {
                format!("p_{}", f.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", "))
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The Java program printing `label<TAB>hex` per sample.
pub(crate) fn java_source(res: &Resolver<'_>, defs: &Definitions) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(
        "// Generated by `cargo xtask codegen --java-vectors`: encodes the sample messages of the codec's\n\
         // vector test with the official Java codecs and prints their wire bytes.\n\
         import com.hazelcast.client.impl.protocol.ClientMessage;\n\
         import com.hazelcast.client.impl.protocol.codec.*;\n\
         import com.hazelcast.internal.serialization.Data;\n\
         import com.hazelcast.internal.serialization.impl.HeapData;\n\n\
         public final class Vectors {\n\
         \x20   static Data data(byte... b) {\n        return new HeapData(b);\n    }\n\n\
         \x20   static void print(String label, ClientMessage m) {\n\
         \x20       StringBuilder sb = new StringBuilder();\n\
         \x20       for (ClientMessage.Frame f = m.getStartFrame(); f != null; f = f.next) {\n\
         \x20           int len = 6 + f.content.length;\n\
         \x20           int flags = f.flags | (f.next == null ? ClientMessage.IS_FINAL_FLAG : 0);\n\
         \x20           byte[] h = {(byte) len, (byte) (len >> 8), (byte) (len >> 16), (byte) (len >> 24), (byte) flags, (byte) (flags >> 8)};\n\
         \x20           for (byte b : h) sb.append(String.format(\"%02x\", b & 0xff));\n\
         \x20           for (byte b : f.content) sb.append(String.format(\"%02x\", b & 0xff));\n\
         \x20       }\n\
         \x20       System.out.println(label + \"\\t\" + sb);\n\
         \x20   }\n\n\
         \x20   public static void main(String[] args) throws Exception {\n",
    );
    for s in samples(res, defs)? {
        let _ = writeln!(out, "        print({:?}, {});", s.label, s.java);
    }
    out.push_str("    }\n}\n");
    Ok(out)
}

/// The generated Rust test comparing the codec with the Java vectors (unformatted).
pub(crate) fn rust_test(res: &Resolver<'_>, defs: &Definitions) -> Result<String, String> {
    let mut out = String::from(HEADER_NOTE);
    out.push_str(
        "\n//! The codec's bytes for one sample per service (request and response of one method, one \
         event) against the official Java codecs' bytes for the same values \
         (`tests/data/java_vectors.txt`, written by `cargo xtask codegen --java-vectors`).\n\n",
    );
    out.push_str(
        "use bytes::Bytes;\nuse hazelcast_codec::custom::*;\nuse hazelcast_codec::messages::Request;\n\
         use hazelcast_codec::types::*;\nuse hazelcast_codec::{ClientMessage, Data, Uuid};\n\n",
    );
    out.push_str(
        "const JAVA: &str = include_str!(\"../data/java_vectors.txt\");\n\n\
         fn data(b: &[u8]) -> Data {\n    Data::from_bytes(Bytes::copy_from_slice(b)).expect(\"a header\")\n}\n\n\
         fn java(label: &str) -> &'static str {\n\
         \x20   JAVA.lines()\n\
         \x20       .find_map(|l| l.strip_prefix(label).and_then(|r| r.strip_prefix('\\t')))\n\
         \x20       .unwrap_or_else(|| panic!(\"no Java vector {label:?}: run `cargo xtask codegen --java-vectors`\"))\n\
         }\n\n\
         fn hex(m: &ClientMessage) -> String {\n\
         \x20   m.as_bytes().iter().map(|b| format!(\"{b:02x}\")).collect()\n\
         }\n\n",
    );
    let mut names = std::collections::BTreeSet::new();
    for s in samples(res, defs)? {
        let (service, rest) = s.label.split_once('.').unwrap_or(("", &s.label));
        let mut name = format!(
            "{}_{}",
            snake(service),
            rest.replace(['.', ' '], "_").to_ascii_lowercase()
        );
        while !names.insert(name.clone()) {
            name.push('_');
        }
        let module = defs
            .services
            .iter()
            .find(|x| x.name == service)
            .map(module_name)
            .unwrap_or_default();
        let _ = writeln!(out, "#[test]\nfn {name}() {{");
        let _ = writeln!(out, "    use hazelcast_codec::messages::{module}::*;");
        let _ = writeln!(out, "    let msg = {{\n{}    }};", s.rust);
        let _ = writeln!(
            out,
            "    assert_eq!(hex(&msg), java({:?}), {:?});",
            s.label, s.label
        );
        let _ = writeln!(out, "}}\n");
    }
    Ok(out)
}

fn run(cmd: &mut Command, what: &str) -> Result<String, CodegenError> {
    let out = cmd
        .output()
        .map_err(|e| CodegenError::Java(format!("{what}: {e}")))?;
    if !out.status.success() {
        return Err(CodegenError::Java(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    String::from_utf8(out.stdout).map_err(|_| CodegenError::Java(format!("{what}: output is not UTF-8")))
}

fn jdk_tool(name: &str) -> PathBuf {
    if let Some(home) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        let p = Path::new(&home).join("bin").join(name);
        if p.is_file() {
            return p;
        }
    }
    PathBuf::from(name)
}

/// The member jar: `$HZ_MEMBER_JAR`, else fetched with Maven into the local repository.
fn member_jar() -> Result<PathBuf, CodegenError> {
    if let Some(jar) = std::env::var_os("HZ_MEMBER_JAR").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(jar));
    }
    let version = std::env::var("HZ_VERSION").unwrap_or_else(|_| DEFAULT_VERSION.to_owned());
    run(
        Command::new("mvn").args([
            "-q",
            "dependency:get",
            "-Dtransitive=false",
            &format!("-Dartifact=com.hazelcast:hazelcast:{version}"),
        ]),
        "mvn dependency:get",
    )?;
    let home = std::env::var_os("HOME").ok_or_else(|| CodegenError::Java("HOME is not set".into()))?;
    Ok(Path::new(&home).join(format!(
        ".m2/repository/com/hazelcast/hazelcast/{version}/hazelcast-{version}.jar"
    )))
}

/// `--java-vectors`: compiles and runs the Java program, writes the vectors file.
pub(crate) fn write_vectors(res: &Resolver<'_>, defs: &Definitions) -> Result<(), CodegenError> {
    let source = java_source(res, defs).map_err(CodegenError::Java)?;
    let jar = member_jar()?;
    let dir = std::env::temp_dir().join(format!("hz-codec-vectors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|source| CodegenError::Io {
        path: dir.clone(),
        source,
    })?;
    let file = dir.join("Vectors.java");
    std::fs::write(&file, source).map_err(|source| CodegenError::Io {
        path: file.clone(),
        source,
    })?;
    run(
        Command::new(jdk_tool("javac"))
            .args(["--release", "17", "-nowarn", "-encoding", "UTF-8", "-cp"])
            .arg(&jar)
            .arg("-d")
            .arg(&dir)
            .arg(&file),
        "javac",
    )?;
    let cp = format!("{}:{}", dir.display(), jar.display());
    let output = run(
        Command::new(jdk_tool("java")).args(["-Dfile.encoding=UTF-8", "-cp", &cp, "Vectors"]),
        "java Vectors",
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    let path = workspace().join(VECTORS_FILE);
    let text = format!(
        "# Wire bytes of the codec's sample messages as the official Java codecs ({}) encode them.\n\
         # Written by `cargo xtask codegen --java-vectors`; read by tests/generated/vectors.rs.\n{output}",
        jar.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| CodegenError::Io {
            path: parent.to_owned(),
            source,
        })?;
    }
    std::fs::write(&path, text).map_err(|source| CodegenError::Io {
        path: path.clone(),
        source,
    })?;
    println!(
        "codegen: {} Java vectors written to {}",
        output.lines().count(),
        path.display()
    );
    Ok(())
}
