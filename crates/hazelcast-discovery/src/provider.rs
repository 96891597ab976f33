//! The address-provider abstraction and the static member list provider.

use std::collections::HashSet;
use std::fmt;

use async_trait::async_trait;
use rand::Rng;
use rand::seq::SliceRandom;

use hazelcast_codec::address::{Address, AddressError, MemberAddress, parse_member_addresses};

use crate::error::DiscoveryError;

/// Where the client finds its first member, and how it turns addresses into dialable ones.
///
/// The connection layer:
///
/// 1. calls [`load_addresses`](AddressProvider::load_addresses) at the start of every connect
///    round and tries the addresses in the order given;
/// 2. dials [`translate`](AddressProvider::translate)`(a)` for each of them (skipping an address
///    that translates to `None`);
/// 3. for addresses from the member list: when
///    [`translates_member_addresses`](AddressProvider::translates_member_addresses) is true (cloud
///    discovery), dials `translate(member address)`; otherwise it uses a
///    [`MemberAddressTranslator`](crate::MemberAddressTranslator) (`use_public_ip` and automatic
///    public-address detection).
///
/// The trait is object safe (`Box<dyn AddressProvider>`, `Arc<dyn AddressProvider>`).
#[async_trait]
pub trait AddressProvider: Send + Sync + fmt::Debug {
    /// The addresses to try, in order (shuffled when the provider's shuffling is on).
    async fn load_addresses(&self) -> Result<Vec<Address>, DiscoveryError>;

    /// The address to dial for `address` (as returned by
    /// [`load_addresses`](AddressProvider::load_addresses) or found in the member list), or `None`
    /// if the provider does not know it.
    async fn translate(&self, address: &Address) -> Option<Address>;

    /// Whether member-list addresses must go through [`translate`](AddressProvider::translate)
    /// (true for cloud discovery). When false, the default, public-address handling
    /// ([`MemberAddressTranslator`](crate::MemberAddressTranslator)) applies instead.
    fn translates_member_addresses(&self) -> bool {
        false
    }
}

/// The configured member list (`cluster_members`): the default provider.
///
/// [`load_addresses`](AddressProvider::load_addresses) returns, in rounds, the first candidate
/// address of every entry, then the second candidate of every entry without a port, then the third
/// (so every configured host is tried once before any host is tried on a second port). Entries
/// without a port have the candidates 5701, 5702 and 5703. With shuffling on (the default) the
/// entries are shuffled and each entry's default ports come in a random order, anew on every
/// call; with shuffling off the configured order and ascending ports are kept. Duplicate
/// addresses are dropped (the first one stays). `translate` is the identity.
///
/// ```
/// use hazelcast_discovery::{AddressProvider, StaticAddressProvider};
///
/// # tokio_test_block(async {
/// let provider = StaticAddressProvider::from_config(&["10.0.0.1", "10.0.0.2:5701"], false)?;
/// let list = provider.load_addresses().await?;
/// let rendered: Vec<String> = list.iter().map(ToString::to_string).collect();
/// assert_eq!(rendered, ["10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.1:5702", "10.0.0.1:5703"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # });
/// # fn tokio_test_block<F: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>>(f: F) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f).unwrap();
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct StaticAddressProvider {
    members: Vec<MemberAddress>,
    shuffle: bool,
}

impl StaticAddressProvider {
    /// A provider over parsed entries (an empty list means `localhost`).
    pub fn new(members: Vec<MemberAddress>, shuffle: bool) -> Self {
        let members = if members.is_empty() {
            vec![MemberAddress::localhost()]
        } else {
            members
        };
        StaticAddressProvider { members, shuffle }
    }

    /// Parses the configured entries (see [`parse_member_addresses`]).
    pub fn from_config<S: AsRef<str>>(entries: &[S], shuffle: bool) -> Result<Self, AddressError> {
        Ok(Self::new(parse_member_addresses(entries)?, shuffle))
    }

    /// The configured entries.
    pub fn members(&self) -> &[MemberAddress] {
        &self.members
    }

    /// Whether the list is shuffled.
    pub fn shuffle(&self) -> bool {
        self.shuffle
    }

    /// The addresses [`load_addresses`](AddressProvider::load_addresses) returns, drawing
    /// randomness from `rng` (ignored when shuffling is off).
    pub fn addresses_with<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<Address> {
        let mut entries: Vec<&MemberAddress> = self.members.iter().collect();
        let candidates: Vec<Vec<Address>> = if self.shuffle {
            entries.shuffle(rng);
            entries
                .iter()
                .map(|m| {
                    let mut ports = m.candidates();
                    ports.shuffle(rng);
                    ports
                })
                .collect()
        } else {
            entries.iter().map(|m| m.candidates()).collect()
        };
        let rounds = candidates.iter().map(Vec::len).max().unwrap_or(0);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for round in 0..rounds {
            for list in &candidates {
                if let Some(a) = list.get(round)
                    && seen.insert(a.clone())
                {
                    out.push(a.clone());
                }
            }
        }
        out
    }
}

impl Default for StaticAddressProvider {
    /// `localhost` with shuffling on.
    fn default() -> Self {
        Self::new(Vec::new(), true)
    }
}

#[async_trait]
impl AddressProvider for StaticAddressProvider {
    async fn load_addresses(&self) -> Result<Vec<Address>, DiscoveryError> {
        Ok(self.addresses_with(&mut rand::rng()))
    }

    async fn translate(&self, address: &Address) -> Option<Address> {
        Some(address.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_without_shuffle() {
        let p = StaticAddressProvider::from_config(&["a", "b:1", "c", "a"], false).unwrap();
        let got: Vec<String> = p
            .addresses_with(&mut rand::rng())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            ["a:5701", "b:1", "c:5701", "a:5702", "c:5702", "a:5703", "c:5703"]
        );
    }

    #[test]
    fn default_is_localhost() {
        let p = StaticAddressProvider::default();
        assert_eq!(p.members(), &[MemberAddress::localhost()]);
        assert!(p.shuffle());
        let mut ports: Vec<u16> = p
            .addresses_with(&mut rand::rng())
            .iter()
            .map(|a| a.port)
            .collect();
        ports.sort_unstable();
        assert_eq!(ports, [5701, 5702, 5703]);
    }

    #[test]
    fn object_safe() {
        let p: Box<dyn AddressProvider> = Box::new(StaticAddressProvider::default());
        assert!(!p.translates_member_addresses());
    }
}
