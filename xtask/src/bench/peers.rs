//! The benchmark drivers: the Rust load generator and the official clients' peers (Java,
//! Python, Go), built or installed under `target/bench/`.

#![allow(clippy::wildcard_imports)]

use super::*;

/// How to start one driver: program and leading arguments (the common options follow).
#[derive(Clone)]
pub(super) struct DriverCmd {
    pub(super) program: PathBuf,
    pub(super) args: Vec<String>,
    pub(super) env: Vec<(String, String)>,
}

pub(super) fn prepare_java(jar: &Path, out: &Path) -> Result<DriverCmd, String> {
    let classes = out.join("java");
    std::fs::create_dir_all(&classes).map_err(|e| e.to_string())?;
    let javac = std::env::var_os("JAVA_HOME")
        .map(|h| PathBuf::from(h).join("bin/javac"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "javac".into());
    sh(
        Command::new(&javac)
            .arg("-nowarn")
            .arg("-cp")
            .arg(jar)
            .arg("-d")
            .arg(&classes)
            .arg(root().join("benches/peers/java/Bench.java")),
        "javac",
    )?;
    let java = std::env::var_os("JAVA_HOME")
        .map(|h| PathBuf::from(h).join("bin/java"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "java".into());
    let mut args: Vec<String> = Vec::new();
    if pinning() {
        args.push(format!("-XX:ActiveProcessorCount={}", client_cpus().1));
    }
    args.extend(
        [
            // With fewer than 3 CPUs the common fork-join pool has a parallelism below 2, and then
            // the JDK's and Hazelcast's default async executors start a new thread per task: the
            // client's internal future chains would pay a thread start per call (≈ 130 µs of CPU).
            // Any machine a Java client is deployed on has more cores, so give it the pool.
            "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
            "-Xms512m",
            "-Xmx512m",
            "-Djava.net.preferIPv4Stack=true",
            "-cp",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    args.push(format!("{}:{}", jar.display(), classes.display()));
    args.push("Bench".into());
    Ok(DriverCmd {
        program: java,
        args,
        env: vec![],
    })
}

pub(super) fn prepare_python(out: &Path) -> Result<DriverCmd, String> {
    let venv = out.join("venv");
    let py = venv.join("bin/python");
    let ok = py.is_file()
        && Command::new(&py)
            .args([
                "-c",
                "import hazelcast,sys; sys.exit(0 if hazelcast.__version__=='5.7.0' else 1)",
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        sh(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv",
        )?;
        sh(
            Command::new(venv.join("bin/pip")).args(["install", "-q", PYTHON_CLIENT]),
            "pip install",
        )?;
    }
    Ok(DriverCmd {
        program: py,
        args: vec![root().join("benches/peers/python/bench.py").display().to_string()],
        env: vec![],
    })
}

pub(super) fn prepare_go(out: &Path) -> Result<DriverCmd, String> {
    let src = out.join("go-src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).map_err(|e| e.to_string())?;
    for f in ["go.mod", "main.go"] {
        std::fs::copy(root().join("benches/peers/go").join(f), src.join(f))
            .map_err(|e| format!("{f}: {e}"))?;
    }
    let bin = out.join("hz-go-bench");
    sh(
        Command::new("go")
            .args(["build", "-o"])
            .arg(&bin)
            .arg(".")
            .current_dir(&src)
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .env("GOMODCACHE", out.join("gomodcache"))
            .env("GOPATH", out.join("gopath")),
        "go build",
    )?;
    let procs = client_cpus().1.to_string();
    Ok(DriverCmd {
        program: bin,
        args: vec![],
        env: vec![("GOMAXPROCS".into(), procs)],
    })
}

pub(super) fn rust_driver(name: &str) -> DriverCmd {
    DriverCmd {
        program: target_dir().join("release").join(name),
        args: vec![],
        env: vec![],
    }
}

pub(super) fn pinning() -> bool {
    std::thread::available_parallelism().map_or(1, usize::from) >= 2
        && Command::new("taskset").arg("-V").output().is_ok()
}

/// The client cores as a taskset list, and how many there are (all but core 0).
pub(super) fn client_cpus() -> (String, usize) {
    let n = std::thread::available_parallelism().map_or(1, usize::from);
    if n <= 2 {
        ("1".into(), 1)
    } else {
        (format!("1-{}", n - 1), n - 1)
    }
}
