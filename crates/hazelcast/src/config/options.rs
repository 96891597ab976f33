//! The options of [`ClientConfig`], each declared once: name, type, default (from the layers'
//! constants), the setter's argument, the check of its own value, where it goes in the layers,
//! and its marks (secret, extension, differs from the Python client). Checks between options are
//! in `checks.rs`; `docs/configuration.md`'s table is checked against this list by a test.
//!
//! The mapping runs in this order: `cloud_request_timeout` comes after `connection_timeout`,
//! whose value it replaces for the cloud request when set.

use std::path::PathBuf;
use std::time::Duration;

use hazelcast_codec::DecoderLimits;
use hazelcast_discovery::{Backoff, DEFAULT_HOST, PublicAddressMode};
use hazelcast_invocation::{
    Credentials, DEFAULT_BACKUP_ACK_TO_CLIENT_ENABLED, DEFAULT_CLUSTER_NAME,
    DEFAULT_FAIL_ON_INDETERMINATE_OPERATION_STATE, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT,
    DEFAULT_INVOCATION_RETRY_PAUSE, DEFAULT_INVOCATION_TIMEOUT, DEFAULT_OPERATION_BACKUP_TIMEOUT,
    DEFAULT_REDO_OPERATION, DEFAULT_SKIP_MEMBER_LIST_DURING_RECONNECTION, DEFAULT_SMART_ROUTING,
    LoadBalancer, ReconnectMode,
};
use hazelcast_transport::{DEFAULT_CONNECT_TIMEOUT, Secret, TlsConfig, TlsVersion, TrustStore};

use super::ClientConfigBuilder;
use super::checks::{
    any, at_least_one, cloud_url, frame_limit_and_bound, non_empty_labels, not_empty, not_empty_if_set,
    positive, some_ciphers, unit_interval,
};
use super::layers::{Layers, zero_is_no_limit};
use super::ssl::SslProtocol;
use super::value::{
    Balancer, Bool, Bytes, FlagOrAuto, Number, OptPath, OptSecret, OptSecs, OptText, Protocol, Reconnect,
    Secs, SecsOrInfinite, Text, TextList, Trust,
};

fn credentials(l: &mut Layers) -> &mut Credentials {
    l.invocation.credentials.get_or_insert_with(|| Credentials {
        username: String::new(),
        password: Secret::new(""),
    })
}

declare_options! {
    /// The configuration of a [`HazelcastClient`](crate::HazelcastClient).
    ///
    /// Field names are the option names of configuration files (those of the official Python
    /// client, whose defaults this client shares except where `docs/configuration.md` marks a
    /// difference). `Default` gives the defaults, which come from the layers' constants.
    /// `Debug` never shows `ssl_password`, `creds_password` or `cloud_discovery_token`;
    /// `Serialize` writes them (it produces configuration files). [`ClientConfig::options`]
    /// lists every option with its type, default and environment variable.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hazelcast::ClientConfig;
    ///
    /// let config = ClientConfig::from_toml_str(r#"
    ///     cluster_name = "production"
    ///     cluster_members = ["10.0.0.1:5701", "10.0.0.2"]
    ///     connection_timeout = 2.5       # seconds, as the official docs write them
    ///     invocation_timeout = "90s"     # humane strings work too
    ///     smart_routing = true
    /// "#)?;
    /// assert_eq!(config.connection_timeout, Duration::from_millis(2500));
    /// assert_eq!(config.invocation_timeout, Duration::from_secs(90));
    /// assert!(!config.redo_operation); // the default
    /// # Ok::<(), hazelcast::ConfigError>(())
    /// ```
    pub struct ClientConfig;

    /// Cluster name sent when authenticating; a member of another cluster refuses the client.
    cluster_name: String as Text = DEFAULT_CLUSTER_NAME.to_owned();
        set(v: impl Into<String>) => v.into();
        check not_empty;
        map |l, v| l.invocation.cluster_name = v.clone();
        []

    /// Seed addresses: `host`, `host:port`, `[ipv6]:port`; without a port 5701, 5702 and 5703
    /// are tried.
    cluster_members: Vec<String> as TextList = vec![DEFAULT_HOST.to_owned()];
        set(v: impl IntoIterator<Item = impl Into<String>>) => v.into_iter().map(Into::into).collect();
        check any;
        map |l, v| l.members = v.clone();
        []

    /// Try the seed addresses in a random order.
    shuffle_member_list: bool as Bool = true;
        set(v: bool) => v;
        check any;
        map |l, v| l.shuffle = *v;
        []

    /// One connection per member and key-based routing to the partition owner (`true`), or a
    /// single connection ("unisocket", `false`).
    smart_routing: bool as Bool = DEFAULT_SMART_ROUTING;
        set(v: bool) => v;
        check any;
        map |l, v| l.invocation.smart_routing = *v;
        []

    /// Retry a mutating call whose connection was lost after it may have been sent
    /// (at-least-once instead of at-most-once).
    redo_operation: bool as Bool = DEFAULT_REDO_OPERATION;
        set(v: bool) => v;
        check any;
        map |l, v| l.invocation.redo_operation = *v;
        []

    /// Bounds name resolution, TCP connect, TLS handshake and authentication of one connection
    /// together; `0` means no limit.
    connection_timeout: Duration as Secs = DEFAULT_CONNECT_TIMEOUT;
        set(v: Duration) => v;
        check any;
        map |l, v| {
            l.invocation.connection.connect_timeout = zero_is_no_limit(*v);
            l.cloud.request_timeout = zero_is_no_limit(*v);
        };
        [differs]

    /// Largest message sent or received, in bytes (at least the first-frame limit, 64 KiB; at
    /// most 2 GiB − 1); a larger answer fails only its own call.
    max_message_size: usize as Bytes = DecoderLimits::DEFAULT.max_message_size;
        set(v: usize) => v;
        check frame_limit_and_bound;
        map |l, v| {
            let limits = &mut l.invocation.connection.decoder_limits;
            limits.max_message_size = *v;
            // One fragmented message of the largest size must fit in the reassembly cap.
            limits.max_fragmented_bytes = limits.max_fragmented_bytes.max(*v);
        };
        [extension]

    /// Deadline of a whole call, retries and waiting for a connection included (must be > 0).
    invocation_timeout: Duration as Secs = DEFAULT_INVOCATION_TIMEOUT;
        set(v: Duration) => v;
        check positive;
        map |l, v| l.invocation.invocation_timeout = *v;
        [differs]

    /// Longest pause between two retries of a call (must be > 0).
    invocation_retry_pause: Duration as Secs = DEFAULT_INVOCATION_RETRY_PAUSE;
        set(v: Duration) => v;
        check positive;
        map |l, v| l.invocation.invocation_retry_pause = *v;
        []

    /// How calls without a key pick a member: `round_robin` or `random`.
    load_balancer: LoadBalancer as Balancer = LoadBalancer::default();
        set(v: LoadBalancer) => v;
        check any;
        map |l, v| l.invocation.load_balancer = *v;
        []

    /// Ping a connection after this long without writing (must be > 0).
    heartbeat_interval: Duration as Secs = DEFAULT_HEARTBEAT_INTERVAL;
        set(v: Duration) => v;
        check positive;
        map |l, v| l.invocation.heartbeat_interval = *v;
        []

    /// Close a connection after this long without reading (must be > 0).
    heartbeat_timeout: Duration as Secs = DEFAULT_HEARTBEAT_TIMEOUT;
        set(v: Duration) => v;
        check positive;
        map |l, v| l.invocation.heartbeat_timeout = *v;
        []

    /// Budget of one connect-to-cluster procedure; `-1` in files (`None`) tries forever.
    cluster_connect_timeout: Option<Duration> as SecsOrInfinite = None;
        set(v: Option<Duration>) => v;
        check any;
        map |l, v| l.invocation.cluster_connect_timeout = *v;
        []

    /// First pause between connect rounds.
    retry_initial_backoff: Duration as Secs = Backoff::default().initial;
        set(v: Duration) => v;
        check any;
        map |l, v| l.invocation.connection_retry.initial = *v;
        []

    /// Largest pause between connect rounds.
    retry_max_backoff: Duration as Secs = Backoff::default().max;
        set(v: Duration) => v;
        check any;
        map |l, v| l.invocation.connection_retry.max = *v;
        []

    /// Growth of the pause per connect round (≥ 1).
    retry_multiplier: f64 as Number = Backoff::default().multiplier;
        set(v: f64) => v;
        check at_least_one;
        map |l, v| l.invocation.connection_retry.multiplier = *v;
        []

    /// Random spread of each pause between connect rounds, 0..=1.
    retry_jitter: f64 as Number = Backoff::default().jitter;
        set(v: f64) => v;
        check unit_interval;
        map |l, v| l.invocation.connection_retry.jitter = *v;
        []

    /// After losing the last connection: reconnect while calls wait (`on`), shut down (`off`),
    /// or reconnect while calls fail at once (`async`); the Python client's numbers 1, 0, 2 too.
    reconnect_mode: ReconnectMode as Reconnect = ReconnectMode::default();
        set(v: ReconnectMode) => v;
        check any;
        map |l, v| l.invocation.reconnect_mode = *v;
        []

    /// Reconnect through the configured addresses (or cloud discovery) only, not the last known
    /// members: for a cluster behind one load balancer or node port.
    skip_member_list_during_reconnection: bool as Bool = DEFAULT_SKIP_MEMBER_LIST_DURING_RECONNECTION;
        set(v: bool) => v;
        check any;
        map |l, v| l.invocation.skip_member_list_during_reconnection = *v;
        [extension]

    /// `start` returns at once and connects in the background; calls fail with `ClientOffline`
    /// until connected.
    async_start: bool as Bool = false;
        set(v: bool) => v;
        check any;
        map |l, v| l.async_start = *v;
        []

    /// Client instance name sent when authenticating; unset: `hz.client_<n>`.
    client_name: Option<String> as OptText = None;
        set(v: impl Into<String>) => Some(v.into());
        check not_empty_if_set;
        map |l, v| {
            if let Some(name) = v {
                l.invocation.client_name = name.clone();
            }
        };
        []

    /// Labels sent when authenticating (visible on the members).
    labels: Vec<String> as TextList = Vec::new();
        set(v: impl IntoIterator<Item = impl Into<String>>) => v.into_iter().map(Into::into).collect();
        check non_empty_labels;
        map |l, v| l.invocation.labels = v.clone();
        []

    /// User name for authentication.
    creds_username: Option<String> as OptText = None;
        set(v: impl Into<String>) => Some(v.into());
        check any;
        map |l, v| {
            if let Some(name) = v {
                credentials(l).username = name.clone();
            }
        };
        []

    /// Password for authentication.
    creds_password: Option<Secret> as OptSecret = None;
        set(v: impl Into<String>) => Some(Secret::new(v.into()));
        check any;
        map |l, v| {
            if let Some(password) = v {
                credentials(l).password = password.clone();
            }
        };
        [secret]

    /// Members acknowledge backups to the client (smart routing only).
    backup_ack_to_client_enabled: bool as Bool = DEFAULT_BACKUP_ACK_TO_CLIENT_ENABLED;
        set(v: bool) => v;
        check any;
        map |l, v| l.invocation.backup_ack_to_client_enabled = *v;
        []

    /// How long an answer waits for its backup acknowledgements (must be > 0).
    operation_backup_timeout: Duration as Secs = DEFAULT_OPERATION_BACKUP_TIMEOUT;
        set(v: Duration) => v;
        check positive;
        map |l, v| l.invocation.operation_backup_timeout = *v;
        []

    /// Fail a call whose backups were not acknowledged in time instead of completing it.
    fail_on_indeterminate_operation_state: bool as Bool = DEFAULT_FAIL_ON_INDETERMINATE_OPERATION_STATE;
        set(v: bool) => v;
        check any;
        map |l, v| l.invocation.fail_on_indeterminate_operation_state = *v;
        []

    /// TLS to members.
    ssl_enabled: bool as Bool = false;
        set(v: bool) => v;
        check any;
        map |l, v| l.ssl_enabled = *v;
        []

    /// PEM CA bundle that signs the members' certificates (then nothing else is trusted).
    ssl_cafile: Option<PathBuf> as OptPath = None;
        set(v: impl Into<PathBuf>) => Some(v.into());
        check any;
        map |l, v| l.tls.ca_file = v.clone();
        []

    /// What is trusted without `ssl_cafile`: `builtin` (the Mozilla roots compiled in) or
    /// `system` (the operating system's trust store).
    ssl_trust_store: TrustStore as Trust = TlsConfig::default().trust_store;
        set(v: TrustStore) => v;
        check any;
        map |l, v| l.tls.trust_store = *v;
        [extension]

    /// PEM client certificate chain (mutual TLS).
    ssl_certfile: Option<PathBuf> as OptPath = None;
        set(v: impl Into<PathBuf>) => Some(v.into());
        check any;
        map |l, v| l.tls.cert_file = v.clone();
        []

    /// PEM private key of the client certificate; unset reads it from `ssl_certfile`.
    ssl_keyfile: Option<PathBuf> as OptPath = None;
        set(v: impl Into<PathBuf>) => Some(v.into());
        check any;
        map |l, v| l.tls.key_file = v.clone();
        []

    /// Password of an encrypted (PKCS#8) private key.
    ssl_password: Option<Secret> as OptSecret = None;
        set(v: impl Into<String>) => Some(Secret::new(v.into()));
        check any;
        map |l, v| l.tls.key_password = v.clone();
        [secret]

    /// Verify that the member certificate names the host dialled; `false` needs `ssl_cafile`.
    ssl_check_hostname: bool as Bool = TlsConfig::default().verify_hostname;
        set(v: bool) => v;
        check any;
        map |l, v| l.tls.verify_hostname = *v;
        [differs]

    /// The name sent as SNI and verified instead of the dialled host (e.g. `hazelcast.cloud`).
    ssl_server_name: Option<String> as OptText = None;
        set(v: impl Into<String>) => Some(v.into());
        check not_empty_if_set;
        map |l, v| l.tls.server_name = v.clone();
        [extension]

    /// Allow only this TLS version (`TLSv1_2`, `TLSv1_3`); unset: TLS 1.2 and 1.3.
    ssl_protocol: Option<SslProtocol> as Protocol = None;
        set(v: SslProtocol) => Some(v);
        check any;
        map |l, v| {
            let only = match v {
                Some(SslProtocol::TlsV1_2) => Some(TlsVersion::Tls12),
                Some(SslProtocol::TlsV1_3) => Some(TlsVersion::Tls13),
                None => None,
            };
            if let Some(version) = only {
                l.tls.min_version = version;
                l.tls.max_version = version;
            }
        };
        [differs]

    /// Allowed cipher suites, rustls names separated by `:` or `,`; unset: all.
    ssl_ciphers: Option<String> as OptText = None;
        set(v: impl Into<String>) => Some(v.into());
        check some_ciphers;
        map |l, v| {
            l.tls.cipher_suites = v.as_ref().map(|c| {
                c.split([':', ','])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            });
        };
        [differs]

    /// Hazelcast Cloud (Viridian) discovery token; replaces `cluster_members`.
    cloud_discovery_token: Option<Secret> as OptSecret = None;
        set(v: impl Into<String>) => Some(Secret::new(v.into()));
        check any;
        map |l, v| l.cloud.token = v.clone();
        [secret]

    /// Base URL of the cloud discovery coordinator; unset: env `HZ_CLOUD_COORDINATOR_BASE_URL`,
    /// else `https://api.viridian.hazelcast.com`.
    cloud_url: Option<String> as OptText = None;
        set(v: impl Into<String>) => Some(v.into());
        check cloud_url;
        map |l, v| l.cloud.url = v.clone();
        [alias = "hazelcast.client.cloud.url"]

    /// PEM certificates trusted, besides the built-in roots, for the HTTPS request to the cloud
    /// coordinator.
    cloud_ca_file: Option<PathBuf> as OptPath = None;
        set(v: impl Into<PathBuf>) => Some(v.into());
        check any;
        map |l, v| l.cloud.ca_file = v.clone();
        [extension]

    /// Timeout of one request to the cloud coordinator; unset: `connection_timeout`.
    cloud_request_timeout: Option<Duration> as OptSecs = None;
        set(v: Duration) => Some(v);
        check any;
        map |l, v| {
            if let Some(t) = v {
                l.cloud.request_timeout = zero_is_no_limit(*t);
            }
        };
        [extension]

    /// Dial members at their public address (`true`) or their private one (`false`); unset
    /// (`auto`): decide from the first member list.
    use_public_ip: Option<bool> as FlagOrAuto = None;
        set(v: bool) => Some(v);
        check any;
        map |l, v| l.public_address = PublicAddressMode::from_use_public_ip(*v);
        [differs]
}
