//! The cluster view: the member list and the partition table as immutable snapshots, and the
//! rules that accept or reject what the cluster-view listener sends.
//!
//! Readers (every invocation) load the current snapshot without locking; the single writer (the
//! cluster-view listener's event handler) validates an event, builds a new snapshot and swaps it
//! in. Nothing is sized by a number a peer sent: a partition table has exactly the partition
//! count learnt at authentication, and a member list holds at most [`MAX_MEMBERS`] members.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use arc_swap::ArcSwap;
use hazelcast_codec::Uuid;
use hazelcast_codec::custom::MemberInfo;
use thiserror::Error;
use tokio::sync::Notify;

/// The most members a member list may carry. Hazelcast clusters have tens, rarely hundreds of
/// members; a longer list is rejected (and the old one kept).
pub const MAX_MEMBERS: usize = 4096;

/// An immutable member list.
#[derive(Debug, Clone, Default)]
pub struct MemberList {
    /// The view version (−1 before the first view).
    pub version: i32,
    /// Members in the order the cluster lists them (oldest first).
    pub members: Vec<MemberInfo>,
    index: HashMap<Uuid, usize>,
}

impl MemberList {
    pub(crate) fn initial() -> Self {
        MemberList {
            version: -1,
            members: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// A member list of `version`; an error when it carries more than [`MAX_MEMBERS`] members.
    pub(crate) fn new(version: i32, members: Vec<MemberInfo>) -> Result<Self, ViewError> {
        if members.len() > MAX_MEMBERS {
            return Err(ViewError::TooManyMembers {
                count: members.len(),
                max: MAX_MEMBERS,
            });
        }
        let index = members.iter().enumerate().map(|(i, m)| (m.uuid, i)).collect();
        Ok(MemberList {
            version,
            members,
            index,
        })
    }

    /// The member with the given UUID.
    pub fn get(&self, uuid: &Uuid) -> Option<&MemberInfo> {
        self.index.get(uuid).and_then(|&i| self.members.get(i))
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

/// Why the client rejected a cluster-view event (and kept its previous view).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ViewError {
    /// A partition id outside `0..partition_count`.
    #[error("partition id {id} is outside 0..{count}")]
    PartitionOutOfRange {
        /// The id sent.
        id: i32,
        /// The partition count learnt at authentication.
        count: usize,
    },
    /// The partition count is not known yet (no authentication answer).
    #[error("partition table before the partition count is known")]
    UnknownPartitionCount,
    /// More members than [`MAX_MEMBERS`].
    #[error("member list of {count} members exceeds the limit of {max}")]
    TooManyMembers {
        /// Members sent.
        count: usize,
        /// The limit.
        max: usize,
    },
}

impl PartitionTable {
    /// Builds the table from a `PartitionsView` payload, for a cluster of `partition_count`
    /// partitions. `Ok(None)` for an empty payload, which the protocol says to ignore; an error
    /// for an id outside `0..partition_count`.
    pub(crate) fn from_view(
        version: i32,
        source_connection: u64,
        entries: &[(Uuid, Vec<i32>)],
        partition_count: usize,
    ) -> Result<Option<Self>, ViewError> {
        if entries.is_empty() {
            return Ok(None);
        }
        if partition_count == 0 {
            return Err(ViewError::UnknownPartitionCount);
        }
        let mut owners = vec![None; partition_count];
        for (uuid, parts) in entries {
            for &id in parts {
                let slot = usize::try_from(id).ok().and_then(|i| owners.get_mut(i)).ok_or(
                    ViewError::PartitionOutOfRange {
                        id,
                        count: partition_count,
                    },
                )?;
                *slot = Some(*uuid);
            }
        }
        Ok(Some(PartitionTable {
            version,
            source_connection,
            owners,
        }))
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

impl MembershipDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty()
    }
}

/// The diff of two member lists, in time linear in their lengths.
pub(crate) fn diff(old: &MemberList, new: &MemberList) -> MembershipDiff {
    fn keys(list: &MemberList) -> HashSet<(Uuid, String, u16)> {
        list.members.iter().map(key).collect()
    }
    fn key(m: &MemberInfo) -> (Uuid, String, u16) {
        let a = m.client_address();
        (m.uuid, a.host.clone(), a.port)
    }
    let (old_keys, new_keys) = (keys(old), keys(new));
    MembershipDiff {
        removed: old
            .members
            .iter()
            .filter(|m| !new_keys.contains(&key(m)))
            .cloned()
            .collect(),
        added: new
            .members
            .iter()
            .filter(|m| !old_keys.contains(&key(m)))
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

/// The live cluster view of one client: the current snapshots, the partition count, and a
/// notification for those who wait for a change.
#[derive(Debug)]
pub(crate) struct ClusterView {
    members: ArcSwap<MemberList>,
    partitions: ArcSwap<PartitionTable>,
    partition_count: AtomicI32,
    /// Woken when the member list changes.
    pub(crate) changed: Notify,
}

impl Default for ClusterView {
    fn default() -> Self {
        ClusterView {
            members: ArcSwap::from_pointee(MemberList::initial()),
            partitions: ArcSwap::from_pointee(PartitionTable::default()),
            partition_count: AtomicI32::new(0),
            changed: Notify::new(),
        }
    }
}

impl ClusterView {
    pub(crate) fn members(&self) -> Arc<MemberList> {
        self.members.load_full()
    }

    pub(crate) fn partitions(&self) -> arc_swap::Guard<Arc<PartitionTable>> {
        self.partitions.load()
    }

    pub(crate) fn snapshot(&self) -> ClusterSnapshot {
        ClusterSnapshot {
            members: self.members.load_full(),
            partitions: self.partitions.load_full(),
        }
    }

    pub(crate) fn partition_count(&self) -> i32 {
        self.partition_count.load(Ordering::Acquire)
    }

    /// Records the partition count of an authentication answer: `Err(known)` when it differs
    /// from the count known already.
    pub(crate) fn check_partition_count(&self, count: i32) -> Result<(), i32> {
        match self
            .partition_count
            .compare_exchange(0, count, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Ok(()),
            Err(known) if known == count => Ok(()),
            Err(known) => Err(known),
        }
    }

    /// A new listener stream begins: its first member list is accepted whatever its version.
    pub(crate) fn reset_version(&self) {
        let current = self.members.load_full();
        self.members.store(Arc::new(MemberList {
            version: -1,
            ..(*current).clone()
        }));
    }

    /// Forgets the member list (a switch to another cluster).
    pub(crate) fn forget_members(&self) {
        self.members.store(Arc::new(MemberList::initial()));
    }

    /// Applies a member list; `Ok(None)` when it is not newer than the current one.
    pub(crate) fn apply_members(
        &self,
        version: i32,
        members: Vec<MemberInfo>,
    ) -> Result<Option<MembershipDiff>, ViewError> {
        let old = self.members.load_full();
        if version <= old.version {
            return Ok(None);
        }
        let new = MemberList::new(version, members)?;
        let changes = diff(&old, &new);
        self.members.store(Arc::new(new));
        self.changed.notify_waiters();
        Ok(Some(changes))
    }

    /// Applies a partition table from the listener on `connection`.
    pub(crate) fn apply_partitions(
        &self,
        version: i32,
        connection: u64,
        entries: &[(Uuid, Vec<i32>)],
    ) -> Result<(), ViewError> {
        let old = self.partitions.load();
        if old.source_connection == connection && version <= old.version {
            return Ok(());
        }
        let count = usize::try_from(self.partition_count()).unwrap_or(0);
        if let Some(table) = PartitionTable::from_view(version, connection, entries, count)? {
            self.partitions.store(Arc::new(table));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hazelcast_codec::Address;
    use hazelcast_codec::custom::MemberVersion;
    use hazelcast_codec::types::EntryList;

    fn member(n: u128, port: u16) -> MemberInfo {
        MemberInfo::new(
            Uuid::from_u128(n),
            false,
            Address::new("127.0.0.1", port),
            EntryList(Vec::new()),
            MemberVersion::new(5, 7, 0),
            None,
        )
    }

    #[test]
    fn partition_ids_are_checked_against_the_count() {
        let u = Uuid::from_u128(1);
        for bad in [i32::MAX, 2_147_483_646, 271, -1, i32::MIN] {
            let err = PartitionTable::from_view(1, 1, &[(u, vec![0, bad])], 271).unwrap_err();
            assert_eq!(err, ViewError::PartitionOutOfRange { id: bad, count: 271 });
        }
        let t = PartitionTable::from_view(1, 1, &[(u, vec![0, 270])], 271)
            .unwrap()
            .unwrap();
        assert_eq!(t.owners.len(), 271, "sized by the count, never by an id");
        assert_eq!(t.owner(270), Some(u));
        assert_eq!(t.owner(1), None);
        assert!(matches!(PartitionTable::from_view(1, 1, &[], 271), Ok(None)));
        assert_eq!(
            PartitionTable::from_view(1, 1, &[(u, vec![0])], 0).unwrap_err(),
            ViewError::UnknownPartitionCount
        );
    }

    #[test]
    fn a_bad_partition_event_keeps_the_old_table() {
        let view = ClusterView::default();
        view.check_partition_count(271).unwrap();
        let u = Uuid::from_u128(1);
        view.apply_partitions(1, 7, &[(u, (0..271).collect())]).unwrap();
        assert!(view.apply_partitions(2, 7, &[(u, vec![i32::MAX])]).is_err());
        let t = view.partitions();
        assert_eq!((t.version, t.owners.len()), (1, 271));
        assert_eq!(t.owner(5), Some(u));
    }

    #[test]
    fn the_partition_count_is_learnt_once() {
        let view = ClusterView::default();
        assert_eq!(view.check_partition_count(271), Ok(()));
        assert_eq!(view.check_partition_count(271), Ok(()));
        assert_eq!(view.check_partition_count(13), Err(271));
    }

    #[test]
    fn member_lists_are_bounded_and_diffed_by_key() {
        let view = ClusterView::default();
        let big: Vec<_> = (0..=MAX_MEMBERS as u128).map(|n| member(n, 5701)).collect();
        assert_eq!(
            view.apply_members(1, big).unwrap_err(),
            ViewError::TooManyMembers {
                count: MAX_MEMBERS + 1,
                max: MAX_MEMBERS
            }
        );
        assert_eq!(view.members().version, -1, "the old list is kept");

        let first: Vec<_> = (0..MAX_MEMBERS as u128).map(|n| member(n, 5701)).collect();
        let d = view.apply_members(1, first).unwrap().unwrap();
        assert_eq!((d.added.len(), d.removed.len()), (MAX_MEMBERS, 0));
        // Member 0 left, member 1 came back on another port, member 5000 joined.
        let mut second: Vec<_> = (2..MAX_MEMBERS as u128).map(|n| member(n, 5701)).collect();
        second.push(member(1, 5702));
        second.push(member(5000, 5701));
        let d = view.apply_members(2, second).unwrap().unwrap();
        let uuids = |v: &[MemberInfo]| v.iter().map(|m| m.uuid.as_u128()).collect::<Vec<_>>();
        assert_eq!(uuids(&d.removed), vec![0, 1]);
        assert_eq!(uuids(&d.added), vec![1, 5000]);
        assert!(view.apply_members(2, Vec::new()).unwrap().is_none(), "not newer");
        assert!(view.members().get(&Uuid::from_u128(5000)).is_some());
        assert!(view.members().get(&Uuid::from_u128(0)).is_none());
    }
}
