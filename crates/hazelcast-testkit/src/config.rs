//! [`ClusterConfig`]: what to start, and the member XML it turns into.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cluster::Cluster;
use crate::error::TestkitError;

/// The default deadline for a member to become ready (and for the cluster to form).
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(90);

/// Member properties every test member gets; a
/// [`ClusterConfig::property`] with the same name replaces the value.
const DEFAULT_PROPERTIES: &[(&str, &str)] = &[
    ("hazelcast.phone.home.enabled", "false"),
    ("hazelcast.logging.type", "jdk"),
    ("hazelcast.health.monitoring.level", "OFF"),
    ("hazelcast.wait.seconds.before.join", "1"),
    ("hazelcast.max.wait.seconds.before.join", "5"),
    ("hazelcast.merge.first.run.delay.seconds", "10"),
    ("hazelcast.merge.next.run.delay.seconds", "5"),
    ("hazelcast.heartbeat.interval.seconds", "1"),
    ("hazelcast.max.no.heartbeat.seconds", "10"),
    ("hazelcast.graceful.shutdown.max.wait", "30"),
    ("hazelcast.socket.bind.any", "false"),
];

/// JVM flags for functional tests, before any
/// [`ClusterConfig::jvm_arg`] (later flags win, so `-Xmx…` can be overridden).
pub(crate) const DEFAULT_JVM_ARGS: &[&str] = &[
    "-Xms64m",
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-Djava.net.preferIPv4Stack=true",
    "-Djava.awt.headless=true",
    "-Dhazelcast.phone.home.enabled=false",
    "-Dhazelcast.logging.type=jdk",
    // Silences JDK 17's "modular environment" warning.
    "--add-modules",
    "java.se",
    "--add-exports",
    "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens",
    "java.base/java.lang=ALL-UNNAMED",
    "--add-opens",
    "java.base/java.nio=ALL-UNNAMED",
    "--add-opens",
    "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens",
    "java.management/sun.management=ALL-UNNAMED",
    "--add-opens",
    "jdk.management/com.sun.management.internal=ALL-UNNAMED",
];

/// How to start a test cluster of real Hazelcast members. Build it, then call
/// [`start`](ClusterConfig::start).
///
/// ```no_run
/// use hazelcast_testkit::ClusterConfig;
///
/// let cluster = ClusterConfig::new()
///     .members(3)
///     .backup_count(1)
///     .property("hazelcast.partition.count", "7")
///     .start()?;
/// let seeds = cluster.addresses();
/// # Ok::<(), hazelcast_testkit::TestkitError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub(crate) members: usize,
    pub(crate) backup_count: u32,
    pub(crate) partition_count: Option<u32>,
    pub(crate) cluster_name: Option<String>,
    pub(crate) properties: Vec<(String, String)>,
    pub(crate) extra_xml: Vec<String>,
    pub(crate) jvm_args: Vec<String>,
    pub(crate) version: Option<String>,
    pub(crate) jar: Option<PathBuf>,
    pub(crate) startup_timeout: Duration,
    pub(crate) keep_logs: bool,
    /// Advanced network with a separate client endpoint per member (see
    /// [`ClusterConfig::client_endpoints`]).
    pub(crate) client_endpoints: bool,
    /// Members run inside this network namespace (`ip netns exec`; see [`crate::netns`]).
    pub(crate) netns: Option<String>,
    /// Members join through `StaticPublicDiscovery`, advertising this public IP (see
    /// [`crate::netns`]).
    pub(crate) public_discovery_ip: Option<std::net::Ipv4Addr>,
    /// Class path entries after the member jar.
    pub(crate) extra_class_path: Vec<PathBuf>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl ClusterConfig {
    /// One member, backup count 1, a generated unique cluster name, version from `HZ_VERSION`
    /// or [`DEFAULT_HZ_VERSION`](crate::DEFAULT_HZ_VERSION), a 90 s startup deadline.
    pub fn new() -> Self {
        ClusterConfig {
            members: 1,
            backup_count: 1,
            partition_count: None,
            cluster_name: None,
            properties: Vec::new(),
            extra_xml: Vec::new(),
            jvm_args: Vec::new(),
            version: None,
            jar: None,
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            keep_logs: false,
            client_endpoints: false,
            netns: None,
            public_discovery_ip: None,
            extra_class_path: Vec::new(),
        }
    }

    /// The number of members to start (at least 1).
    pub fn members(mut self, n: usize) -> Self {
        self.members = n;
        self
    }

    /// The backup count of the `default` map configuration (default 1).
    pub fn backup_count(mut self, n: u32) -> Self {
        self.backup_count = n;
        self
    }

    /// Sets `hazelcast.partition.count` (the member default is 271).
    pub fn partition_count(mut self, n: u32) -> Self {
        self.partition_count = Some(n);
        self
    }

    /// The cluster name. By default a name unique to this process and cluster is generated, so
    /// clusters of concurrent tests never merge; a fixed name must be unique among the clusters
    /// running on the host at the same time.
    pub fn cluster_name(mut self, name: impl Into<String>) -> Self {
        self.cluster_name = Some(name.into());
        self
    }

    /// Sets a member property (`<properties>` in the XML), replacing a default of the same name.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.push((name.into(), value.into()));
        self
    }

    /// Appends a raw XML snippet inside `<hazelcast>` (for example a `<map name="m">` config).
    /// Do not repeat elements the test kit writes itself (`cluster-name`, `properties`,
    /// `network`, `map name="default"`).
    pub fn extra_xml(mut self, xml: impl Into<String>) -> Self {
        self.extra_xml.push(xml.into());
        self
    }

    /// Adds a JVM argument, placed after the defaults (so `-Xmx512m` overrides `-Xmx256m`).
    pub fn jvm_arg(mut self, arg: impl Into<String>) -> Self {
        self.jvm_args.push(arg.into());
        self
    }

    /// The Hazelcast member version (downloaded with Maven if not cached).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Uses this member jar instead of downloading one.
    pub fn jar(mut self, path: impl Into<PathBuf>) -> Self {
        self.jar = Some(path.into());
        self
    }

    /// The deadline of [`start`](ClusterConfig::start) as a whole (all members ready and the
    /// cluster formed), and of each [`Cluster::restart`] and [`Cluster::add_member`]
    /// (default 90 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Keeps the cluster's run directory (configs and logs) after the [`Cluster`] is dropped.
    /// By default it is removed, except when the dropping thread is panicking.
    pub fn keep_logs(mut self, keep: bool) -> Self {
        self.keep_logs = keep;
        self
    }

    /// Runs the members with the advanced network: members talk to each other on their member
    /// port ([`Cluster::address`]); clients connect to a separate client endpoint per member
    /// ([`Cluster::client_address`]) that advertises the public address
    /// `127.0.0.1:<public port>` ([`Cluster::public_client_address`]), where a proxy such as
    /// [`TlsFront`](crate::TlsFront) is expected to listen. Both extra ports are
    /// reserved per member. The member port does not accept clients in this mode.
    pub fn client_endpoints(mut self, on: bool) -> Self {
        self.client_endpoints = on;
        self
    }

    /// Downloads the jar if needed, starts the members (member 0 first, then the rest together)
    /// and waits until every member is ready and, with more than one member, every member's log
    /// shows the full member list.
    ///
    /// Blocks the calling thread; see the crate docs for use from async tests.
    pub fn start(self) -> Result<Cluster, TestkitError> {
        Cluster::start(self)
    }

    /// The effective member properties (defaults, then the partition count, then user values).
    pub(crate) fn effective_properties(&self) -> BTreeMap<String, String> {
        let mut props: BTreeMap<String, String> = DEFAULT_PROPERTIES
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(count) = self.partition_count {
            props.insert("hazelcast.partition.count".to_owned(), count.to_string());
        }
        for (k, v) in &self.properties {
            props.insert(k.clone(), v.clone());
        }
        props
    }

    /// The member XML for one member listening on `port`, joining `members`.
    pub(crate) fn member_xml(&self, cluster_name: &str, port: u16, members: &[SocketAddr]) -> String {
        let mut xml = String::new();
        xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.push_str("<!-- generated by hazelcast-testkit -->\n");
        xml.push_str("<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\">\n");
        let _ = writeln!(xml, "  <cluster-name>{}</cluster-name>", escape(cluster_name));
        xml.push_str("  <properties>\n");
        for (k, v) in self.effective_properties() {
            let _ = writeln!(
                xml,
                "    <property name=\"{}\">{}</property>",
                escape(&k),
                escape(&v)
            );
        }
        xml.push_str("  </properties>\n");
        xml.push_str("  <network>\n");
        let _ = writeln!(
            xml,
            "    <port auto-increment=\"false\" port-count=\"1\">{port}</port>"
        );
        xml.push_str("    <reuse-address>true</reuse-address>\n");
        xml.push_str("    <interfaces enabled=\"true\"><interface>127.0.0.1</interface></interfaces>\n");
        xml.push_str("    <join>\n");
        xml.push_str("      <auto-detection enabled=\"false\"/>\n");
        xml.push_str("      <multicast enabled=\"false\"/>\n");
        xml.push_str("      <tcp-ip enabled=\"true\" connection-timeout-seconds=\"2\">\n");
        xml.push_str("        <member-list>\n");
        for member in members {
            let _ = writeln!(xml, "          <member>{member}</member>");
        }
        xml.push_str("        </member-list>\n");
        xml.push_str("      </tcp-ip>\n");
        xml.push_str("    </join>\n");
        xml.push_str("  </network>\n");
        let _ = writeln!(
            xml,
            "  <map name=\"default\"><backup-count>{}</backup-count><async-backup-count>0</async-backup-count></map>",
            self.backup_count
        );
        for snippet in &self.extra_xml {
            xml.push_str(snippet);
            xml.push('\n');
        }
        xml.push_str("</hazelcast>\n");
        xml
    }
}

impl ClusterConfig {
    /// The member XML with the advanced network: `<network>` of [`member_xml`] is replaced by an
    /// `<advanced-network>` with the same join, a member endpoint on `port` and a client endpoint
    /// on `client_port` advertising `public`.
    pub(crate) fn member_xml_with_client_endpoint(
        &self,
        cluster_name: &str,
        port: u16,
        members: &[SocketAddr],
        client_port: u16,
        public: SocketAddr,
    ) -> String {
        let xml = self.member_xml(cluster_name, port, members);
        let (Some(start), Some(end)) = (xml.find("  <network>\n"), xml.find("  </network>\n")) else {
            return xml;
        };
        let network = &xml[start..end];
        let join = match (network.find("    <join>"), network.find("    </join>\n")) {
            (Some(a), Some(b)) => &network[a..b + "    </join>\n".len()],
            _ => "",
        };
        let mut adv = String::new();
        adv.push_str("  <advanced-network enabled=\"true\">\n");
        adv.push_str(join);
        let endpoint = |adv: &mut String, tag: &str, port: u16, public: Option<SocketAddr>| {
            let _ = writeln!(adv, "    <{tag}>");
            let _ = writeln!(
                adv,
                "      <port auto-increment=\"false\" port-count=\"1\">{port}</port>"
            );
            if let Some(public) = public {
                let _ = writeln!(adv, "      <public-address>{public}</public-address>");
            }
            adv.push_str("      <reuse-address>true</reuse-address>\n");
            adv.push_str(
                "      <interfaces enabled=\"true\"><interface>127.0.0.1</interface></interfaces>\n",
            );
            let _ = writeln!(adv, "    </{tag}>");
        };
        endpoint(&mut adv, "member-server-socket-endpoint-config", port, None);
        endpoint(
            &mut adv,
            "client-server-socket-endpoint-config",
            client_port,
            Some(public),
        );
        adv.push_str("  </advanced-network>\n");
        let end = end + "  </network>\n".len();
        format!("{}{}{}", &xml[..start], adv, &xml[end..])
    }
}

/// Escapes text for XML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_has_loopback_tcp_ip_and_explicit_port() {
        let cfg = ClusterConfig::new()
            .backup_count(2)
            .partition_count(7)
            .property("hazelcast.heartbeat.interval.seconds", "2")
            .property("x<y", "a&b")
            .extra_xml("<queue name=\"q\"/>");
        let members: Vec<SocketAddr> = vec![
            "127.0.0.1:20001".parse().unwrap(),
            "127.0.0.1:20002".parse().unwrap(),
        ];
        let xml = cfg.member_xml("c1", 20002, &members);
        assert!(xml.contains("<cluster-name>c1</cluster-name>"));
        assert!(xml.contains("<port auto-increment=\"false\" port-count=\"1\">20002</port>"));
        assert!(xml.contains("<member>127.0.0.1:20001</member>"));
        assert!(xml.contains("<member>127.0.0.1:20002</member>"));
        assert!(xml.contains("<multicast enabled=\"false\"/>"));
        assert!(xml.contains("<auto-detection enabled=\"false\"/>"));
        assert!(xml.contains("<interface>127.0.0.1</interface>"));
        assert!(xml.contains("<backup-count>2</backup-count>"));
        assert!(xml.contains("<property name=\"hazelcast.partition.count\">7</property>"));
        assert!(xml.contains("<property name=\"hazelcast.phone.home.enabled\">false</property>"));
        assert!(xml.contains("<property name=\"hazelcast.socket.bind.any\">false</property>"));
        assert!(xml.contains("<property name=\"hazelcast.heartbeat.interval.seconds\">2</property>"));
        assert!(!xml.contains("<property name=\"hazelcast.heartbeat.interval.seconds\">1</property>"));
        assert!(xml.contains("<property name=\"x&lt;y\">a&amp;b</property>"));
        assert!(xml.contains("<queue name=\"q\"/>\n</hazelcast>"));
    }

    #[test]
    fn advanced_network_xml_has_member_and_client_endpoints() {
        let cfg = ClusterConfig::new().client_endpoints(true);
        let members: Vec<SocketAddr> = vec!["127.0.0.1:20001".parse().unwrap()];
        let public: SocketAddr = "127.0.0.1:20003".parse().unwrap();
        let xml = cfg.member_xml_with_client_endpoint("c1", 20001, &members, 20002, public);
        assert!(!xml.contains("<network>"), "{xml}");
        assert!(
            xml.contains("<advanced-network enabled=\"true\">\n    <join>"),
            "{xml}"
        );
        assert!(xml.contains("<member>127.0.0.1:20001</member>"));
        assert!(xml.contains(
            "<member-server-socket-endpoint-config>\n      <port auto-increment=\"false\" port-count=\"1\">20001</port>"
        ));
        assert!(xml.contains(
            "<client-server-socket-endpoint-config>\n      <port auto-increment=\"false\" port-count=\"1\">20002</port>\n      <public-address>127.0.0.1:20003</public-address>"
        ));
        assert!(
            xml.contains("</advanced-network>\n  <map name=\"default\">"),
            "{xml}"
        );
    }
}
