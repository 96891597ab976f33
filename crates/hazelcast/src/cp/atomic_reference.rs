//! [`AtomicReference`]: a linearizable reference to a value `T` in the CP subsystem.

use std::fmt;
use std::marker::PhantomData;

use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::atomic_ref::{
    AtomicRefCompareAndSetRequest, AtomicRefCompareAndSetResponse, AtomicRefContainsRequest,
    AtomicRefContainsResponse, AtomicRefGetRequest, AtomicRefGetResponse, AtomicRefSetRequest,
    AtomicRefSetResponse,
};
use hazelcast_codec::{ClientMessage, Data};
use hazelcast_serialization::{FromData, ToData};

use crate::client::HazelcastClient;
use crate::cp::CpProxy;
use crate::error::HazelcastError;
use crate::map::SerializeAs;
use crate::proxy::Route;

/// The service name of CP atomic references.
pub(crate) const ATOMIC_REF_SERVICE: &str = "hz:raft:atomicRefService";

/// A distributed reference to a value `T` (or to nothing) in the CP subsystem, from
/// [`HazelcastClient::get_atomic_reference`](crate::HazelcastClient::get_atomic_reference).
///
/// The value is stored serialized; comparisons (`compare_and_set`, `contains`) compare the
/// serialized forms, as the members do. `name` is `object` or `object@group`, as for
/// [`AtomicLong`](crate::AtomicLong), and the same members offer it (Enterprise, or open-source
/// members up to 5.4 in unsafe mode; see `docs/cp.md`). Every call goes to any member.
///
/// The operations that take a function to run on the members (Java's `apply`, `alter`,
/// `alterAndGet`, `getAndAlter`) are not offered: they need a Java `IFunction` class on the
/// members' classpath.
///
/// Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let leader = client.get_atomic_reference::<String>("leader").await?;
/// if leader.compare_and_set(None, Some(&"node-a".to_owned())).await? {
///     println!("node-a leads");
/// }
/// assert_eq!(leader.get().await?.as_deref(), Some("node-a"));
/// # Ok(()) }
/// ```
pub struct AtomicReference<T> {
    cp: CpProxy,
    _value: PhantomData<fn() -> T>,
}

impl<T> Clone for AtomicReference<T> {
    fn clone(&self) -> Self {
        AtomicReference {
            cp: self.cp.clone(),
            _value: PhantomData,
        }
    }
}

impl<T> fmt::Debug for AtomicReference<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicReference")
            .field("name", &self.cp.core.name())
            .field("group", &self.cp.group_id.name)
            .finish_non_exhaustive()
    }
}

impl<T> AtomicReference<T>
where
    T: ToData + FromData + Send + 'static,
{
    pub(crate) async fn new(client: &HazelcastClient, name: &str) -> Result<Self, HazelcastError> {
        Ok(AtomicReference {
            cp: CpProxy::new(client, name, ATOMIC_REF_SERVICE).await?,
            _value: PhantomData,
        })
    }

    /// The object's name (without the CP group).
    pub fn name(&self) -> &str {
        self.cp.core.name()
    }

    async fn call<R: Request>(&self, request: &R) -> Result<ClientMessage, HazelcastError> {
        self.cp.core.invoke(request, Route::Any).await
    }

    async fn opt_data(&self, value: Option<&T>) -> Result<Option<Data>, HazelcastError> {
        match value {
            Some(v) => Ok(Some(self.cp.core.data(v).await?)),
            None => Ok(None),
        }
    }

    /// The current value, `None` when the reference holds none.
    pub async fn get(&self) -> Result<Option<T>, HazelcastError> {
        let answer = self
            .call(&AtomicRefGetRequest {
                group_id: &self.cp.group_id,
                name: self.name(),
            })
            .await?;
        self.cp
            .core
            .opt(AtomicRefGetResponse::decode(&answer)?.response)
            .await
    }

    async fn set_data(
        &self,
        value: Option<&Data>,
        return_old_value: bool,
    ) -> Result<Option<T>, HazelcastError> {
        let answer = self
            .call(&AtomicRefSetRequest {
                return_old_value,
                group_id: &self.cp.group_id,
                name: self.name(),
                new_value: value,
            })
            .await?;
        let old = AtomicRefSetResponse::decode(&answer)?.response;
        if return_old_value {
            self.cp.core.opt(old).await
        } else {
            Ok(None)
        }
    }

    /// Sets the value.
    pub async fn set(&self, value: impl SerializeAs<T>) -> Result<(), HazelcastError> {
        let data = self.cp.core.data(&value).await?;
        self.set_data(Some(&data), false).await.map(drop)
    }

    /// Sets the value and returns the one before (`None` when there was none).
    pub async fn get_and_set(&self, value: impl SerializeAs<T>) -> Result<Option<T>, HazelcastError> {
        let data = self.cp.core.data(&value).await?;
        self.set_data(Some(&data), true).await
    }

    /// Removes the value: the reference holds none afterwards.
    pub async fn clear(&self) -> Result<(), HazelcastError> {
        self.set_data(None, false).await.map(drop)
    }

    /// Whether the reference holds no value.
    pub async fn is_null(&self) -> Result<bool, HazelcastError> {
        self.contains_data(None).await
    }

    /// Whether the reference holds `value` (compared in serialized form).
    pub async fn contains(&self, value: impl SerializeAs<T>) -> Result<bool, HazelcastError> {
        let data = self.cp.core.data(&value).await?;
        self.contains_data(Some(&data)).await
    }

    async fn contains_data(&self, value: Option<&Data>) -> Result<bool, HazelcastError> {
        let answer = self
            .call(&AtomicRefContainsRequest {
                group_id: &self.cp.group_id,
                name: self.name(),
                value,
            })
            .await?;
        Ok(AtomicRefContainsResponse::decode(&answer)?.response)
    }

    /// Sets the value to `updated` if it is `expected` (`None`: no value), compared in
    /// serialized form; returns whether it did.
    pub async fn compare_and_set(
        &self,
        expected: Option<&T>,
        updated: Option<&T>,
    ) -> Result<bool, HazelcastError> {
        let old_value = self.opt_data(expected).await?;
        let new_value = self.opt_data(updated).await?;
        let answer = self
            .call(&AtomicRefCompareAndSetRequest {
                group_id: &self.cp.group_id,
                name: self.name(),
                old_value: old_value.as_ref(),
                new_value: new_value.as_ref(),
            })
            .await?;
        Ok(AtomicRefCompareAndSetResponse::decode(&answer)?.response)
    }

    /// Destroys the reference in its CP group; the proxy (and any other of the same name) cannot
    /// be used afterwards.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.cp.destroy(ATOMIC_REF_SERVICE).await
    }
}
