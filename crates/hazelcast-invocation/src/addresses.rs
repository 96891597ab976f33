//! Where the client dials: seed addresses for the connect procedure, and the endpoint of each
//! member of the member list (private, public, or translated by cloud discovery).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use hazelcast_codec::custom::MemberInfo;
use hazelcast_discovery::{Address, AddressProvider, MemberAddress, MemberAddressTranslator};
use hazelcast_transport::Endpoint;

use crate::error::InvocationError;

/// Where members' addresses come from and how member-list addresses are dialled.
#[async_trait]
pub trait AddressSource: Send + Sync + fmt::Debug + 'static {
    /// The endpoints to try when no known member answers.
    async fn seeds(&self) -> Result<Vec<Endpoint>, InvocationError>;

    /// The endpoint to dial for a member of the member list.
    async fn member_endpoint(&self, member: &MemberInfo) -> Endpoint {
        endpoint(&member_address(member))
    }

    /// Called with each new member list before the client dials its members (the place for a
    /// one-time public/private address decision).
    async fn on_member_list(&self, _members: &[MemberInfo]) {}

    /// Called when the client finds itself connected to another cluster (a restart or a
    /// replacement): decisions made for the old cluster no longer hold.
    fn on_cluster_changed(&self) {}
}

fn member_address(member: &MemberInfo) -> Address {
    let a = member.client_address();
    Address::new(a.host.clone(), u16::try_from(a.port).unwrap_or(0))
}

fn endpoint(a: &Address) -> Endpoint {
    Endpoint::new(a.host.clone(), a.port)
}

/// A fixed list of seed endpoints; members are dialled at the address they advertise.
#[derive(Debug, Clone)]
pub struct StaticSeeds(pub Vec<Endpoint>);

#[async_trait]
impl AddressSource for StaticSeeds {
    async fn seeds(&self) -> Result<Vec<Endpoint>, InvocationError> {
        Ok(self.0.clone())
    }
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

    /// The public/private translator.
    pub fn translator(&self) -> &MemberAddressTranslator {
        &self.translator
    }
}

#[async_trait]
impl AddressSource for DiscoveryAddresses {
    async fn seeds(&self) -> Result<Vec<Endpoint>, InvocationError> {
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
            out.push(endpoint(&dial));
        }
        Ok(out)
    }

    async fn member_endpoint(&self, member: &MemberInfo) -> Endpoint {
        if self.provider.translates_member_addresses() {
            let private = member_address(member);
            let dial = self.provider.translate(&private).await.unwrap_or(private);
            return endpoint(&dial);
        }
        match self.translator.translate(member) {
            Ok(a) => endpoint(&a),
            Err(_) => endpoint(&member_address(member)),
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
