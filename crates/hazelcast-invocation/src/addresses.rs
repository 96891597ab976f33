//! Where the client dials: seed addresses for the connect procedure, and the address of each
//! member of the member list (private, public, or translated by cloud discovery).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use hazelcast_codec::custom::MemberInfo;
use hazelcast_discovery::{
    Address, AddressProvider, MemberAddress, MemberAddressTranslator, PublicAddressMode,
    StaticAddressProvider,
};

use crate::error::InvocationError;

/// Where members' addresses come from and how member-list addresses are dialled.
#[async_trait]
pub trait AddressSource: Send + Sync + fmt::Debug + 'static {
    /// The addresses to try when no known member answers.
    async fn seeds(&self) -> Result<Vec<Address>, InvocationError>;

    /// The address to dial for a member of the member list.
    async fn dial_address(&self, member: &MemberInfo) -> Address {
        member_address(member)
    }

    /// Called with each new member list before the client dials its members (the place for a
    /// one-time public/private address decision).
    async fn on_member_list(&self, _members: &[MemberInfo]) {}

    /// Called when the client finds itself connected to another cluster (a restart or a
    /// replacement): decisions made for the old cluster no longer hold.
    fn on_cluster_changed(&self) {}
}

/// The client address a member advertises (its port is within 1–65535: the codec rejects others).
fn member_address(member: &MemberInfo) -> Address {
    member.client_address().clone()
}

/// The address source of a configured client: a discovery provider (static member list or
/// cloud discovery) for the seeds, and for member-list addresses either the provider's own
/// translation (cloud) or the public/private address decision (`use_public_ip`, automatic
/// detection).
#[derive(Debug)]
pub struct DiscoveryAddresses {
    provider: Arc<dyn AddressProvider>,
    translator: MemberAddressTranslator,
    configured: Vec<MemberAddress>,
    tls: bool,
}

impl DiscoveryAddresses {
    /// `configured` are the configured member addresses (used by the automatic public-address
    /// detection to recognise members the client reaches directly); `tls` whether member
    /// connections use TLS.
    pub fn new(
        provider: Arc<dyn AddressProvider>,
        translator: MemberAddressTranslator,
        configured: Vec<MemberAddress>,
        tls: bool,
    ) -> Self {
        DiscoveryAddresses {
            provider,
            translator,
            configured,
            tls,
        }
    }

    /// A fixed list of addresses, tried in the given order, with members dialled at the client
    /// address they advertise (`use_public_ip = false`, no shuffling): the configured member list
    /// of a client that knows exactly where its members are, as tests and tools do. An empty
    /// list means the default member list, `localhost`.
    pub fn fixed(addresses: impl IntoIterator<Item = Address>) -> Self {
        let configured: Vec<MemberAddress> = addresses.into_iter().map(MemberAddress::from).collect();
        DiscoveryAddresses::new(
            Arc::new(StaticAddressProvider::new(configured.clone(), false)),
            MemberAddressTranslator::new(PublicAddressMode::Private),
            configured,
            false,
        )
    }

    /// The public/private translator.
    pub fn translator(&self) -> &MemberAddressTranslator {
        &self.translator
    }
}

#[async_trait]
impl AddressSource for DiscoveryAddresses {
    async fn seeds(&self) -> Result<Vec<Address>, InvocationError> {
        let addrs = self
            .provider
            .load_addresses()
            .await
            .map_err(|e| InvocationError::Discovery(Arc::new(e)))?;
        let mut out = Vec::with_capacity(addrs.len());
        for a in addrs {
            let dial = if self.provider.translates_member_addresses() {
                self.provider.translate(&a).await.unwrap_or(a)
            } else {
                a
            };
            out.push(dial);
        }
        Ok(out)
    }

    async fn dial_address(&self, member: &MemberInfo) -> Address {
        if self.provider.translates_member_addresses() {
            let private = member_address(member);
            return self.provider.translate(&private).await.unwrap_or(private);
        }
        match self.translator.translate(member) {
            Ok(a) => a,
            Err(_) => member_address(member),
        }
    }

    fn on_cluster_changed(&self) {
        self.translator.reset();
    }

    async fn on_member_list(&self, members: &[MemberInfo]) {
        if self.provider.translates_member_addresses() || self.translator.decision().is_some() {
            return;
        }
        self.translator.decide(members, &self.configured, self.tls).await;
    }
}
