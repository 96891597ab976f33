//! `cargo xtask codegen [--definitions DIR] [--check] [--java-vectors]`: generates the protocol
//! codecs of `hazelcast-codec` (`crates/hazelcast-codec/src/generated/`) and their generated tests
//! (`crates/hazelcast-codec/tests/generated/`) from the official protocol definitions.
//!
//! The definitions directory (default: `$HAZELCAST_PROTOCOL_DEFINITIONS`, else
//! `<workspace>/../shared/protocol-definitions`) holds one YAML file per service and the custom
//! types in `custom/`. The output is formatted with `rustfmt` and deterministic: the same
//! definitions always give the same bytes. `--check` generates into memory and fails, listing
//! the files, when the checked-in code differs.
//!
//! `cargo xtask codegen --java-vectors` also runs the official Java codecs (from the member jar)
//! on the sample messages of the generated vector test and writes their bytes to
//! `crates/hazelcast-codec/tests/data/java_vectors.txt` (needs a JDK and Maven).

mod emit;
mod emit_tests;
mod features;
mod java;
mod model;
mod names;
mod wire;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "usage: cargo xtask codegen [--definitions DIR] [--check] [--java-vectors]";

/// Where the generated codec modules go, relative to the workspace.
const CODEC_DIR: &str = "crates/hazelcast-codec/src/generated";
/// Where the generated tests go, relative to the workspace.
const TESTS_DIR: &str = "crates/hazelcast-codec/tests/generated";
/// The codec's manifest, whose service features the generator keeps in step.
const CODEC_MANIFEST: &str = "crates/hazelcast-codec/Cargo.toml";

/// What can go wrong while generating.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodegenError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A definition file is not valid YAML of the expected shape.
    #[error("{}: {source}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_norway::Error,
    },
    /// The definitions say something the generator cannot represent.
    #[error("{}: {what}", path.display())]
    Invalid {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// `rustfmt` could not be run or rejected the generated code.
    #[error("rustfmt failed on {file}: {output}")]
    Rustfmt {
        /// The generated file.
        file: String,
        /// rustfmt's output.
        output: String,
    },
    /// Running the official Java codecs failed.
    #[error("java vectors: {0}")]
    Java(String),
    /// `--check`: the checked-in files differ from what the definitions produce.
    #[error(
        "the generated code is out of date; run `cargo xtask codegen` and commit the result. Differing files:\n  {}",
        .0.join("\n  ")
    )]
    OutOfDate(Vec<String>),
}

struct Options {
    definitions: Option<PathBuf>,
    check: bool,
    java_vectors: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        definitions: None,
        check: false,
        java_vectors: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--definitions" => {
                o.definitions =
                    Some(PathBuf::from(it.next().ok_or_else(|| {
                        format!("--definitions needs a directory\n{USAGE}")
                    })?));
            }
            "--check" => o.check = true,
            "--java-vectors" => o.java_vectors = true,
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    Ok(o)
}

/// The workspace root (this crate lives in `xtask/codegen`).
pub(crate) fn workspace() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    dir.canonicalize().unwrap_or(dir)
}

fn definitions_dir(o: &Options) -> PathBuf {
    if let Some(d) = &o.definitions {
        return d.clone();
    }
    match std::env::var_os("HAZELCAST_PROTOCOL_DEFINITIONS").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => workspace().join("../shared/protocol-definitions"),
    }
}

/// The header of generated files (see `emit::HEADER`).
pub(crate) const HEADER_NOTE: &str = emit::HEADER;

/// One generated file: its path relative to the workspace and its formatted content.
struct Generated {
    path: String,
    content: String,
}

fn rustfmt(file: &str, source: &str) -> Result<String, CodegenError> {
    let fail = |output: String| CodegenError::Rustfmt {
        file: file.to_owned(),
        output,
    };
    let mut child = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .arg("--config-path")
        .arg(workspace().join("rustfmt.toml"))
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("could not run rustfmt: {e}")))?;
    let mut stdin = child.stdin.take().ok_or_else(|| fail("no stdin".into()))?;
    let text = source.to_owned();
    // Written from a thread: rustfmt may fill its stdout pipe before it has read all of stdin.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("waiting for rustfmt: {e}")))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(fail(String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    String::from_utf8(out.stdout).map_err(|_| fail("output is not UTF-8".into()))
}

/// Everything the definitions produce, formatted.
fn generate(defs: &model::Definitions, dir: &Path) -> Result<Vec<Generated>, CodegenError> {
    let custom: BTreeSet<String> = defs.custom_types.iter().map(|t| t.name.clone()).collect();
    let res = wire::Resolver::new(&custom);
    let invalid = |what: String| CodegenError::Invalid {
        path: dir.to_owned(),
        what,
    };
    let mut files = vec![
        (format!("{CODEC_DIR}/mod.rs"), emit::mod_rs(defs)),
        (
            format!("{CODEC_DIR}/custom.rs"),
            emit::custom_module(&res, defs).map_err(invalid)?,
        ),
    ];
    for s in &defs.services {
        files.push((
            format!("{CODEC_DIR}/{}.rs", emit::module_name(s)),
            emit::service_module(&res, s).map_err(invalid)?,
        ));
    }
    for (name, text) in emit_tests::test_files(&res, defs).map_err(invalid)? {
        files.push((format!("{TESTS_DIR}/{name}"), text));
    }
    files.push((
        format!("{TESTS_DIR}/vectors.rs"),
        java::rust_test(&res, defs).map_err(invalid)?,
    ));
    let mut out = files
        .into_iter()
        .map(|(path, text)| {
            Ok(Generated {
                content: rustfmt(&path, &text)?,
                path,
            })
        })
        .collect::<Result<Vec<_>, CodegenError>>()?;
    let manifest_path = workspace().join(CODEC_MANIFEST);
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|source| CodegenError::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let content =
        features::splice(&manifest, &features::block(defs)).ok_or_else(|| CodegenError::Invalid {
            path: manifest_path,
            what: format!(
                "the [features] table needs the lines {:?} and {:?} around the service features",
                features::BEGIN,
                features::END
            ),
        })?;
    out.push(Generated {
        path: CODEC_MANIFEST.to_owned(),
        content,
    });
    Ok(out)
}

/// The `.rs` files currently in the generated directories (relative to the workspace).
fn existing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [CODEC_DIR, TESTS_DIR] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") {
                    out.push(format!("{dir}/{name}"));
                }
            }
        }
    }
    out.sort();
    out
}

fn run(o: &Options) -> Result<(), CodegenError> {
    let dir = definitions_dir(o);
    let defs = model::load(&dir)?;
    let files = generate(&defs, &dir)?;
    let root = workspace();
    let produced: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let stale: Vec<String> = existing(&root)
        .into_iter()
        .filter(|p| !produced.contains(p.as_str()))
        .collect();
    if o.check {
        let mut differing: Vec<String> = files
            .iter()
            .filter(|f| {
                std::fs::read_to_string(root.join(&f.path)).ok().as_deref() != Some(f.content.as_str())
            })
            .map(|f| f.path.clone())
            .collect();
        differing.extend(stale.into_iter().map(|p| format!("{p} (no longer generated)")));
        if !differing.is_empty() {
            return Err(CodegenError::OutOfDate(differing));
        }
        println!(
            "codegen: {} generated files match the definitions in {}",
            files.len(),
            dir.display()
        );
        return Ok(());
    }
    let mut written = 0;
    for f in &files {
        let path = root.join(&f.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(f.content.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CodegenError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&path, &f.content).map_err(|source| CodegenError::Io {
            path: path.clone(),
            source,
        })?;
        written += 1;
    }
    for p in &stale {
        let path = root.join(p);
        std::fs::remove_file(&path).map_err(|source| CodegenError::Io { path, source })?;
    }
    let messages: usize = defs
        .services
        .iter()
        .flat_map(|s| &s.methods)
        .map(|m| 2 + m.events.len())
        .sum();
    println!(
        "codegen: {} services, {} messages, {} custom types from {}: {written} of {} files written, {} removed",
        defs.services.len(),
        messages,
        defs.custom_types.len(),
        dir.display(),
        files.len(),
        stale.len()
    );
    if o.java_vectors {
        let custom: BTreeSet<String> = defs.custom_types.iter().map(|t| t.name.clone()).collect();
        java::write_vectors(&wire::Resolver::new(&custom), &defs)?;
    }
    Ok(())
}

/// `cargo xtask codegen …`.
pub fn main(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
