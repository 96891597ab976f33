//! One cluster shared by all the tests of a test binary.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock, PoisonError};

use crate::cluster::Cluster;
use crate::config::ClusterConfig;
use crate::error::TestkitError;

/// A lazily started cluster for a `static`, shared by every test of a binary.
///
/// The first [`get`](SharedCluster::get) starts the cluster (the others wait for it); later calls
/// return the same cluster. If the start fails, the first caller gets the error and every later
/// caller gets [`TestkitError::SharedClusterFailed`] at once instead of trying again.
///
/// Statics are never dropped, so the members are not killed by `Drop`: they receive `SIGKILL`
/// from the kernel when the test process exits (`PR_SET_PDEATHSIG`, armed from the test kit's
/// long-lived spawner thread, so it does not fire when the test thread that started the cluster
/// ends). Their run directory stays behind and is swept by a later run once it is an hour old.
///
/// Tests sharing a cluster should use unique object names and must not kill or pause its
/// members; destructive tests start their own [`Cluster`].
///
/// ```no_run
/// use hazelcast_testkit::{ClusterConfig, SharedCluster};
///
/// static CLUSTER: SharedCluster = SharedCluster::new(|| ClusterConfig::new().members(2));
///
/// #[test]
/// fn uses_the_shared_cluster() {
///     let cluster = CLUSTER.get().expect("cluster");
///     let seeds = cluster.addresses();
///     // connect a client to `seeds` …
/// }
/// ```
#[derive(Debug)]
pub struct SharedCluster {
    make: fn() -> ClusterConfig,
    cell: OnceLock<Result<Cluster, String>>,
    init: Mutex<()>,
}

impl SharedCluster {
    /// A shared cluster started from `make()` on first use.
    pub const fn new(make: fn() -> ClusterConfig) -> Self {
        SharedCluster {
            make,
            cell: OnceLock::new(),
            init: Mutex::new(()),
        }
    }

    /// The cluster, started on first call (blocking; see the crate docs for async tests).
    pub fn get(&self) -> Result<&Cluster, TestkitError> {
        get_or_start(&self.cell, &self.init, "static", || (self.make)())
    }
}

fn get_or_start<'a>(
    cell: &'a OnceLock<Result<Cluster, String>>,
    init: &Mutex<()>,
    key: &str,
    make: impl FnOnce() -> ClusterConfig,
) -> Result<&'a Cluster, TestkitError> {
    let rendered = |result: &'a Result<Cluster, String>| match result {
        Ok(cluster) => Ok(cluster),
        Err(message) => Err(TestkitError::SharedClusterFailed {
            key: key.to_owned(),
            message: message.clone(),
        }),
    };
    if let Some(result) = cell.get() {
        return rendered(result);
    }
    let _guard = init.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(result) = cell.get() {
        return rendered(result);
    }
    match make().start() {
        Ok(cluster) => rendered(cell.get_or_init(|| Ok(cluster))),
        Err(e) => {
            let _ = cell.set(Err(e.to_string()));
            Err(e)
        }
    }
}

struct Entry {
    cell: OnceLock<Result<Cluster, String>>,
    init: Mutex<()>,
}

/// The cluster registered under `key` in this process, started from `make()` on first use.
///
/// The same as a [`SharedCluster`] static, for code that prefers a string key (for example one
/// shared 1-member and one shared 3-member cluster used from several test modules). Different
/// keys start independent clusters.
pub fn shared_cluster(
    key: &str,
    make: impl FnOnce() -> ClusterConfig,
) -> Result<&'static Cluster, TestkitError> {
    static REGISTRY: LazyLock<Mutex<HashMap<String, &'static Entry>>> = LazyLock::new(Default::default);
    let entry: &'static Entry = {
        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        registry.entry(key.to_owned()).or_insert_with(|| {
            Box::leak(Box::new(Entry {
                cell: OnceLock::new(),
                init: Mutex::new(()),
            }))
        })
    };
    get_or_start(&entry.cell, &entry.init, key, make)
}
