//! The cluster view: the member list and the partition table as immutable snapshots.
//!
//! Readers (every invocation) load the current snapshot without locking; the single writer (the
//! cluster-view listener's event handler) builds a new snapshot and swaps it in.

use std::collections::HashMap;
use std::sync::Arc;

use hazelcast_codec::Uuid;
use hazelcast_codec::custom::MemberInfo;

/// An immutable member list.
#[derive(Debug, Clone, Default)]
pub struct MemberList {
    /// The view version (−1 before the first view).
    pub version: i32,
    /// Members in the order the cluster lists them (oldest first).
    pub members: Vec<MemberInfo>,
}

impl MemberList {
    pub(crate) fn initial() -> Self {
        MemberList {
            version: -1,
            members: Vec::new(),
        }
    }

    /// The member with the given UUID.
    pub fn get(&self, uuid: &Uuid) -> Option<&MemberInfo> {
        self.members.iter().find(|m| &m.uuid == uuid)
    }
}

/// An immutable partition table: partition id → owner UUID.
#[derive(Debug, Clone, Default)]
pub struct PartitionTable {
    /// The version of the view it came from.
    pub version: i32,
    /// Id of the connection whose listener sent it (a new listener stream replaces the table
    /// whatever its version).
    pub(crate) source_connection: u64,
    /// Owner per partition id; `None` where the table names no owner.
    pub owners: Vec<Option<Uuid>>,
}

impl PartitionTable {
    /// Builds the table from a `PartitionsView` payload. Returns `None` for an empty payload,
    /// which the protocol says to ignore.
    pub(crate) fn from_view(
        version: i32,
        source_connection: u64,
        entries: &[(Uuid, Vec<i32>)],
        partition_count: usize,
    ) -> Option<Self> {
        if entries.is_empty() {
            return None;
        }
        let max = entries
            .iter()
            .flat_map(|(_, p)| p.iter())
            .copied()
            .max()
            .unwrap_or(-1);
        let len = partition_count.max(usize::try_from(max + 1).unwrap_or(0));
        let mut owners = vec![None; len];
        for (uuid, parts) in entries {
            for &p in parts {
                if let Ok(i) = usize::try_from(p)
                    && let Some(slot) = owners.get_mut(i)
                {
                    *slot = Some(*uuid);
                }
            }
        }
        Some(PartitionTable {
            version,
            source_connection,
            owners,
        })
    }

    /// The owner of a partition, if known.
    pub fn owner(&self, partition_id: i32) -> Option<Uuid> {
        usize::try_from(partition_id)
            .ok()
            .and_then(|i| self.owners.get(i).copied().flatten())
    }

    /// Number of partitions each member owns.
    pub fn counts(&self) -> HashMap<Uuid, usize> {
        let mut m = HashMap::new();
        for o in self.owners.iter().flatten() {
            *m.entry(*o).or_insert(0) += 1;
        }
        m
    }
}

/// What changed between two member lists (equality on UUID and address, so a member that came
/// back on another address shows as removed and added).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MembershipDiff {
    /// Members that left.
    pub removed: Vec<MemberInfo>,
    /// Members that joined.
    pub added: Vec<MemberInfo>,
}

pub(crate) fn diff(old: &MemberList, new: &MemberList) -> MembershipDiff {
    let same = |a: &MemberInfo, b: &MemberInfo| a.uuid == b.uuid && a.client_address() == b.client_address();
    MembershipDiff {
        removed: old
            .members
            .iter()
            .filter(|o| !new.members.iter().any(|n| same(o, n)))
            .cloned()
            .collect(),
        added: new
            .members
            .iter()
            .filter(|n| !old.members.iter().any(|o| same(o, n)))
            .cloned()
            .collect(),
    }
}

/// A snapshot of both views.
#[derive(Debug, Clone, Default)]
pub struct ClusterSnapshot {
    /// The member list.
    pub members: Arc<MemberList>,
    /// The partition table.
    pub partitions: Arc<PartitionTable>,
}
