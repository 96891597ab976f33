//! Compiling the test kit's own Java helpers (the TLS terminator, the discovery strategy) with
//! `javac` into the jar cache, once per source text.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{IoContext, TestkitError};
use crate::fetch;

/// The `javac` program: `$JAVA_HOME/bin/javac` when that exists, else `javac` from `PATH`.
pub(crate) fn javac_program() -> PathBuf {
    if let Some(home) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        let javac = Path::new(&home).join("bin").join("javac");
        if javac.is_file() {
            return javac;
        }
    }
    PathBuf::from("javac")
}

/// One Java source file: its path under the source root (`it/hz/X.java`) and its text.
pub(crate) struct JavaSource {
    /// Path relative to the source root, matching the package.
    pub(crate) path: &'static str,
    /// The source text.
    pub(crate) text: &'static str,
}

/// Compiles `sources` (against `class_path`, if any) into
/// `<cache dir>/ext/<name>-<hash>/` and returns that directory, with `extra_files` (relative path,
/// content) written beside the classes. The hash covers the sources, the class path and the extra
/// files, so a changed source is compiled again; concurrent tests and processes may compile at
/// the same time, the first finished rename wins and the others reuse it.
pub(crate) fn ensure_classes(
    name: &str,
    sources: &[JavaSource],
    class_path: Option<&Path>,
    extra_files: &[(&str, String)],
) -> Result<PathBuf, TestkitError> {
    let mut hasher = DefaultHasher::new();
    for s in sources {
        s.path.hash(&mut hasher);
        s.text.hash(&mut hasher);
    }
    if let Some(cp) = class_path {
        cp.hash(&mut hasher);
        fs::metadata(cp).map(|m| m.len()).unwrap_or(0).hash(&mut hasher);
    }
    extra_files.hash(&mut hasher);
    let dir = fetch::cache_dir()
        .join("ext")
        .join(format!("{name}-{:016x}", hasher.finish()));
    let ready = dir.join("READY");
    if ready.is_file() {
        return Ok(dir);
    }
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&tmp);
    let result = compile_into(name, &tmp, sources, class_path, extra_files).and_then(|classes| {
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
        }
        match fs::rename(&classes, &dir) {
            Ok(()) => Ok(()),
            // Another test won the race; its result is as good as ours.
            Err(_) if ready.is_file() => Ok(()),
            Err(e) => Err(TestkitError::io(
                format!("moving compiled classes to {}", dir.display()),
                e,
            )),
        }
    });
    let _ = fs::remove_dir_all(&tmp);
    result.map(|()| dir)
}

fn compile_into(
    name: &str,
    tmp: &Path,
    sources: &[JavaSource],
    class_path: Option<&Path>,
    extra_files: &[(&str, String)],
) -> Result<PathBuf, TestkitError> {
    let src = tmp.join("src");
    let classes = tmp.join("classes");
    fs::create_dir_all(&classes).ctx(|| format!("creating {}", classes.display()))?;
    let mut files = Vec::with_capacity(sources.len());
    for s in sources {
        let path = src.join(s.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, s.text).ctx(|| format!("writing {}", path.display()))?;
        files.push(path);
    }
    let javac = javac_program();
    let mut command = Command::new(&javac);
    command.args(["--release", "17", "-nowarn", "-encoding", "UTF-8"]);
    if let Some(cp) = class_path {
        command.arg("-cp").arg(cp);
    }
    let out = command
        .arg("-d")
        .arg(&classes)
        .args(&files)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => TestkitError::JavacNotFound {
                program: javac.clone(),
            },
            _ => TestkitError::io(format!("running {}", javac.display()), e),
        })?;
    if !out.status.success() {
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        return Err(TestkitError::JavacFailed {
            what: name.to_owned(),
            output: fetch::tail_lines(&text, 40),
        });
    }
    for (path, content) in extra_files {
        let path = classes.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, content).ctx(|| format!("writing {}", path.display()))?;
    }
    fs::write(classes.join("READY"), "").ctx(|| "writing READY".to_owned())?;
    Ok(classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(text: &'static str) -> PathBuf {
        ensure_classes(
            "javac-probe",
            &[JavaSource {
                path: "it/hz/Probe.java",
                text,
            }],
            None,
            &[("probe.txt", "x".to_owned())],
        )
        .unwrap()
    }

    #[test]
    fn compiled_once_per_source_and_again_when_it_changes() {
        let a = probe("package it.hz; public class Probe { static int v = 1; }");
        assert!(a.join("it/hz/Probe.class").is_file());
        assert!(a.join("probe.txt").is_file());
        assert!(a.join("READY").is_file());
        let modified = fs::metadata(a.join("it/hz/Probe.class"))
            .unwrap()
            .modified()
            .unwrap();
        let again = probe("package it.hz; public class Probe { static int v = 1; }");
        assert_eq!(again, a);
        let modified_again = fs::metadata(again.join("it/hz/Probe.class"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(modified, modified_again, "reused, not compiled again");
        let b = probe("package it.hz; public class Probe { static int v = 2; }");
        assert_ne!(a, b);
        assert!(b.join("it/hz/Probe.class").is_file());
    }

    #[test]
    fn a_compile_error_is_reported_with_javac_output() {
        let err = ensure_classes(
            "javac-probe-broken",
            &[JavaSource {
                path: "it/hz/Broken.java",
                text: "package it.hz; public class Broken { int x = ; }",
            }],
            None,
            &[],
        )
        .unwrap_err();
        match err {
            TestkitError::JavacFailed { what, output } => {
                assert_eq!(what, "javac-probe-broken");
                assert!(output.contains("Broken.java"), "{output}");
            }
            other => panic!("{other:?}"),
        }
    }
}
