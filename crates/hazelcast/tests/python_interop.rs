//! Cross-client check with the official Python client (`hazelcast-python-client` from PyPI):
//! Python reads what this client wrote and this client reads what Python wrote, strings and
//! integers (plus booleans and doubles), through the same map on a real cluster.
//!
//! Needs `python3` with pip on `PATH`; the test kit installs `hazelcast-python-client` 5.7.0 into
//! `target/hz/py/` on first use (`hazelcast_testkit::ensure_python_client`), never system-wide.
//! Without `python3` the test fails, naming what is missing.

use std::time::Duration;

use hazelcast::{ClientConfig, HazelcastClient};
use hazelcast_testkit::{ClusterConfig, PYTHON_CLIENT_VERSION, ensure_python_client};

const SCRIPT: &str = r#"
import json, sys
import hazelcast

members, cluster_name, map_name = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
client = hazelcast.HazelcastClient(
    cluster_members=members,
    cluster_name=cluster_name,
    cluster_connect_timeout=60,
)
try:
    m = client.get_map(map_name).blocking()
    seen = {k: m.get(k) for k in ["rs-str", "rs-unicode", "rs-int", "rs-negative", "rs-long", "rs-bool", "rs-double"]}
    m.put("py-str", "hello from python")
    m.put("py-unicode", "grüße, 世界 ✓")
    m.put("py-int", 42)
    m.put("py-negative", -7)
    m.put("py-bool", False)
    m.put("py-float", 3.25)
    print(json.dumps(seen))
finally:
    client.shutdown()
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_reads_what_we_write_and_the_other_way_round() {
    let python = tokio::task::spawn_blocking(|| ensure_python_client(PYTHON_CLIENT_VERSION))
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("the official Python client: {e}"));
    let cluster = tokio::task::spawn_blocking(|| ClusterConfig::new().members(2).start())
        .await
        .expect("join")
        .expect("cluster");
    let members: Vec<String> = cluster.addresses().iter().map(ToString::to_string).collect();
    let config = ClientConfig::builder()
        .cluster_name(cluster.cluster_name())
        .cluster_members(members.clone())
        .build()
        .expect("config");
    let client = HazelcastClient::start(config).await.expect("start");
    let name = "interop";
    let strings = client.get_map::<String, String>(name).await.expect("map");
    let ints = client.get_map::<String, i32>(name).await.expect("map");
    let longs = client.get_map::<String, i64>(name).await.expect("map");
    let bools = client.get_map::<String, bool>(name).await.expect("map");
    let doubles = client.get_map::<String, f64>(name).await.expect("map");
    strings.set("rs-str", "hello from rust").await.expect("set");
    strings.set("rs-unicode", "grüße, 世界 ✓").await.expect("set");
    ints.set("rs-int", 1_234_567).await.expect("set");
    ints.set("rs-negative", -99).await.expect("set");
    longs.set("rs-long", 1i64 << 40).await.expect("set");
    bools.set("rs-bool", true).await.expect("set");
    doubles.set("rs-double", 2.5).await.expect("set");

    let script = tempfile::NamedTempFile::with_suffix(".py").expect("temp file");
    std::fs::write(script.path(), SCRIPT).expect("write script");
    let path = script.path().to_owned();
    let (members_arg, cluster_name) = (members.join(","), cluster.cluster_name().to_owned());
    let out = tokio::time::timeout(
        Duration::from_secs(180),
        tokio::task::spawn_blocking(move || {
            python
                .command()
                .arg(&path)
                .args([members_arg.as_str(), cluster_name.as_str(), name])
                .output()
        }),
    )
    .await
    .expect("the Python client finishes within 180 s")
    .expect("join")
    .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout.lines().last().expect("a JSON line");
    let seen: serde_json::Value = serde_json::from_str(line).expect("JSON from the script");
    assert_eq!(seen["rs-str"], "hello from rust");
    assert_eq!(seen["rs-unicode"], "grüße, 世界 ✓");
    assert_eq!(seen["rs-int"], 1_234_567);
    assert_eq!(seen["rs-negative"], -99);
    assert_eq!(seen["rs-long"], 1i64 << 40);
    assert_eq!(seen["rs-bool"], true);
    assert_eq!(seen["rs-double"], 2.5);

    assert_eq!(
        strings.get("py-str").await.expect("get").as_deref(),
        Some("hello from python")
    );
    assert_eq!(
        strings.get("py-unicode").await.expect("get").as_deref(),
        Some("grüße, 世界 ✓")
    );
    // The Python client writes ints as 32-bit Java Integers by default.
    assert_eq!(ints.get("py-int").await.expect("get"), Some(42));
    assert_eq!(ints.get("py-negative").await.expect("get"), Some(-7));
    assert_eq!(bools.get("py-bool").await.expect("get"), Some(false));
    assert_eq!(doubles.get("py-float").await.expect("get"), Some(3.25));
    client.shutdown().await;
}
