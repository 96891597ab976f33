//! [`Semaphore`]: a distributed counting semaphore in the CP subsystem (session-aware, or
//! sessionless when the members configure it `jdk-compatible`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hazelcast_codec::ErrorCode;
use hazelcast_codec::messages::semaphore::{
    SemaphoreAcquireRequest, SemaphoreAcquireResponse, SemaphoreAvailablePermitsRequest,
    SemaphoreAvailablePermitsResponse, SemaphoreChangeRequest, SemaphoreDrainRequest, SemaphoreDrainResponse,
    SemaphoreGetSemaphoreTypeRequest, SemaphoreGetSemaphoreTypeResponse, SemaphoreInitRequest,
    SemaphoreInitResponse, SemaphoreReleaseRequest,
};
use hazelcast_invocation::InvocationError;
use tokio::sync::{OnceCell, oneshot};

use crate::client::HazelcastClient;
use crate::cp::error::{CpError, server_code};
use crate::cp::session::SessionManager;
use crate::cp::{CpName, CpProxy, invocation_uid, max_wait, millis};
use crate::error::HazelcastError;
use crate::proxy::Route;

/// The service name of CP semaphores.
pub(crate) const SEMAPHORE_SERVICE: &str = "hz:raft:semaphoreService";

/// How many session uses a drain counts before it knows how many permits it took (Java's
/// `DRAIN_SESSION_ACQ_COUNT`).
const DRAIN_SESSION_ACQUIRES: i64 = 1024;

/// A distributed counting semaphore of the CP subsystem, from
/// [`HazelcastClient::get_semaphore`](crate::HazelcastClient::get_semaphore).
///
/// The semaphore holds a number of permits ([`init`](Self::init) sets the first count); a
/// caller acquires permits, waiting until enough are available, and releases them. This is the
/// **session-aware** semaphore (the members' default): the permits a client acquired are held
/// in its CP session, heartbeated while it holds any, and given back by the cluster when the
/// session ends, at [`shutdown`](crate::HazelcastClient::shutdown) or when the client was
/// unreachable longer than the session's time-to-live. A client can release only permits it
/// acquired ([`CpError::PermitsNotHeld`]). Permits belong to the client's session, not to a
/// handle: any handle of the client may release them.
///
/// A semaphore the members configure **`jdk-compatible`** is used sessionless, as Java's
/// `SessionlessSemaphoreProxy` does (the proxy asks the members which kind it is when it is
/// created, `Semaphore.GetSemaphoreType`): no session (session id -1), the handle's owner id is
/// a cluster-wide one from `CPSession.GenerateThreadId`, anyone may release permits (like
/// `java.util.concurrent.Semaphore`), and permits are never given back automatically: those of
/// a client that went away stay taken. [`is_jdk_compatible`](Self::is_jdk_compatible) tells
/// which kind a proxy is.
///
/// [`acquire`](Self::acquire) and [`try_acquire`](Self::try_acquire) are cancel-safe: the
/// request runs as a task of the client, and permits the member granted after the caller
/// dropped the future are released again by that task. The member keeps the dropped wait until
/// the request's own timeout (at most 30 s; longer waits are sent as several requests) or until
/// the same handle calls again.
///
/// Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let slots = client.get_semaphore("download-slots").await?;
/// slots.init(4).await?;
/// slots.acquire(1).await?;
/// // … at most four of these at a time across the cluster …
/// slots.release(1).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Semaphore {
    inner: Arc<Inner>,
}

struct Inner {
    cp: CpProxy,
    /// The owner identity (the "thread id" of the protocol) of a session-aware semaphore; the
    /// member remembers the last invocation of each owner to recognise retries.
    owner: i64,
    /// For a jdk-compatible semaphore: the handle's cluster-wide owner id, generated on first
    /// use.
    sessionless: Option<OnceCell<i64>>,
}

/// The session id of sessionless calls (Java's `AbstractProxySessionManager.NO_SESSION_ID`).
const NO_SESSION: i64 = -1;

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("name", &self.inner.cp.core.name())
            .field("group", &self.inner.cp.group_id.name)
            .finish_non_exhaustive()
    }
}

/// The answer of one acquire attempt.
enum Attempt {
    Acquired,
    NotAcquired,
    /// The session expired: try again with a new one.
    SessionExpired,
    /// The member cancelled the wait (another call of the same handle).
    Cancelled,
}

fn positive(permits: u32) -> Result<i32, HazelcastError> {
    i32::try_from(permits).ok().filter(|&p| p > 0).ok_or_else(|| {
        CpError::InvalidArgument {
            argument: "permits",
            reason: "must be between 1 and i32::MAX",
        }
        .into()
    })
}

impl Inner {
    fn sessions(&self) -> &SessionManager {
        self.cp.core.client().cp_sessions()
    }

    fn name(&self) -> &str {
        self.cp.core.name()
    }

    fn no_session(&self) -> HazelcastError {
        CpError::NoSession {
            name: self.name().to_owned(),
        }
        .into()
    }

    /// The session and owner id a permit-taking call sends: the client's session (counted
    /// `uses` more times) and the handle's owner, or no session and the cluster-wide owner id.
    async fn taking_endpoint(&self, uses: i64) -> Result<(i64, i64), HazelcastError> {
        let client = self.cp.core.client();
        match &self.sessionless {
            Some(id) => {
                let thread = id
                    .get_or_try_init(|| client.cp_sessions().generate_thread_id(client, &self.cp.group_id))
                    .await?;
                Ok((NO_SESSION, *thread))
            }
            None => Ok((
                self.sessions().acquire(client, &self.cp.group_id, uses).await?,
                self.owner,
            )),
        }
    }

    /// Counts `uses` fewer uses of `session` (nothing for sessionless calls).
    fn release_uses(&self, session: i64, uses: i64) {
        if session != NO_SESSION {
            self.sessions().release(&self.cp.group_id, session, uses);
        }
    }

    /// One `Semaphore.Acquire` waiting up to `wait`, with the session bookkeeping of Java's
    /// `tryAcquire`.
    async fn attempt(&self, permits: i32, wait: Duration) -> Result<Attempt, HazelcastError> {
        let group = &self.cp.group_id;
        let uses = i64::from(permits);
        let (session, thread) = self.taking_endpoint(uses).await?;
        let request = SemaphoreAcquireRequest {
            session_id: session,
            thread_id: thread,
            invocation_uid: invocation_uid(),
            permits,
            timeout_ms: millis(wait),
            group_id: group,
            name: self.name(),
        };
        let answer = self.cp.core.invoke(&request, Route::Any).await;
        match answer.and_then(|a| Ok(SemaphoreAcquireResponse::decode(&a)?.response)) {
            Ok(true) => Ok(Attempt::Acquired),
            Ok(false) => {
                self.release_uses(session, uses);
                Ok(Attempt::NotAcquired)
            }
            Err(e) => match server_code(&e) {
                Some(ErrorCode::SessionExpired) if session != NO_SESSION => {
                    self.sessions().invalidate(group, session);
                    Ok(Attempt::SessionExpired)
                }
                Some(ErrorCode::WaitKeyCancelled) => {
                    self.release_uses(session, uses);
                    Ok(Attempt::Cancelled)
                }
                _ => {
                    self.release_uses(session, uses);
                    Err(e)
                }
            },
        }
    }

    async fn release(&self, permits: i32) -> Result<(), HazelcastError> {
        let group = &self.cp.group_id;
        let (session, thread) = if self.sessionless.is_some() {
            self.taking_endpoint(0).await?
        } else {
            let Some(session) = self.sessions().session(group) else {
                return Err(self.no_session());
            };
            (session, self.owner)
        };
        let request = SemaphoreReleaseRequest {
            session_id: session,
            thread_id: thread,
            invocation_uid: invocation_uid(),
            permits,
            group_id: group,
            name: self.name(),
        };
        let answer = self.cp.core.invoke(&request, Route::Any).await;
        match answer {
            Ok(_) => {
                self.release_uses(session, i64::from(permits));
                Ok(())
            }
            Err(e) => match server_code(&e) {
                Some(ErrorCode::SessionExpired) if session != NO_SESSION => {
                    self.sessions().invalidate(group, session);
                    Err(self.no_session())
                }
                Some(ErrorCode::IllegalState) => Err(CpError::PermitsNotHeld {
                    name: self.name().to_owned(),
                    permits: permits.unsigned_abs(),
                }
                .into()),
                _ => Err(e),
            },
        }
    }
}

impl Semaphore {
    pub(crate) async fn new(client: &HazelcastClient, name: &str) -> Result<Self, HazelcastError> {
        let cp = CpProxy::new(client, name, SEMAPHORE_SERVICE).await?;
        let proxy_name = CpName::parse(name)?.proxy_name;
        let answer = cp
            .core
            .invoke(
                &SemaphoreGetSemaphoreTypeRequest {
                    proxy_name: &proxy_name,
                },
                Route::Any,
            )
            .await?;
        let jdk_compatible = SemaphoreGetSemaphoreTypeResponse::decode(&answer)?.response;
        let owner = client.cp_sessions().new_owner_id();
        Ok(Semaphore {
            inner: Arc::new(Inner {
                cp,
                owner,
                sessionless: jdk_compatible.then(OnceCell::new),
            }),
        })
    }

    /// Whether the members configure this semaphore `jdk-compatible` (sessionless).
    pub fn is_jdk_compatible(&self) -> bool {
        self.inner.sessionless.is_some()
    }

    /// The object's name (without the CP group).
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// Sets the number of permits if the semaphore has not been initialized (and holds none);
    /// returns whether it did.
    pub async fn init(&self, permits: u32) -> Result<bool, HazelcastError> {
        let permits = i32::try_from(permits).map_err(|_| CpError::InvalidArgument {
            argument: "permits",
            reason: "must be at most i32::MAX",
        })?;
        let answer = self
            .inner
            .cp
            .core
            .invoke(
                &SemaphoreInitRequest {
                    permits,
                    group_id: &self.inner.cp.group_id,
                    name: self.name(),
                },
                Route::Any,
            )
            .await?;
        Ok(SemaphoreInitResponse::decode(&answer)?.response)
    }

    /// One attempt run as a task of the client: if the caller is gone when the permits are
    /// granted, the task releases them again.
    async fn owned_attempt(&self, permits: i32, wait: Duration) -> Result<Attempt, HazelcastError> {
        let cc = self.inner.cp.core.cluster()?;
        let inner = self.inner.clone();
        let (tx, rx) = oneshot::channel();
        cc.spawn(async move {
            let outcome = inner.attempt(permits, wait).await;
            if let Err(Ok(Attempt::Acquired)) = tx.send(outcome) {
                tracing::debug!(semaphore = %inner.name(), permits, "permits granted after the caller left; releasing");
                if let Err(e) = inner.release(permits).await {
                    tracing::warn!(semaphore = %inner.name(), error = %e, "could not release abandoned permits");
                }
            }
        });
        rx.await
            .unwrap_or(Err(HazelcastError::Invocation(InvocationError::ClientNotActive)))
    }

    /// Acquires `permits` (at least 1), waiting as long as it takes. Fails with
    /// [`CpError::WaitCancelled`] when another call of the same handle cancelled the wait.
    pub async fn acquire(&self, permits: u32) -> Result<(), HazelcastError> {
        let permits = positive(permits)?;
        let wait = max_wait(&self.inner.cp.core)?;
        loop {
            match self.owned_attempt(permits, wait).await? {
                Attempt::Acquired => return Ok(()),
                Attempt::NotAcquired | Attempt::SessionExpired => {}
                Attempt::Cancelled => {
                    return Err(CpError::WaitCancelled {
                        name: self.name().to_owned(),
                    }
                    .into());
                }
            }
        }
    }

    /// Acquires `permits` (at least 1) if they become available within `timeout`; returns
    /// whether it did.
    pub async fn try_acquire(&self, permits: u32, timeout: Duration) -> Result<bool, HazelcastError> {
        let permits = positive(permits)?;
        let chunk = max_wait(&self.inner.cp.core)?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.owned_attempt(permits, left.min(chunk)).await? {
                Attempt::Acquired => return Ok(true),
                Attempt::Cancelled => return Ok(false),
                Attempt::NotAcquired | Attempt::SessionExpired => {
                    if tokio::time::Instant::now() >= deadline {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Releases `permits` (at least 1) this client acquired. Fails with
    /// [`CpError::PermitsNotHeld`] when the client's session holds fewer, and
    /// [`CpError::NoSession`] when it has no session (it never acquired, or the cluster closed
    /// the session and took the permits back).
    pub async fn release(&self, permits: u32) -> Result<(), HazelcastError> {
        self.inner.release(positive(permits)?).await
    }

    /// The number of permits available now (negative after a reduction below zero).
    pub async fn available_permits(&self) -> Result<i32, HazelcastError> {
        let answer = self
            .inner
            .cp
            .core
            .invoke(
                &SemaphoreAvailablePermitsRequest {
                    group_id: &self.inner.cp.group_id,
                    name: self.name(),
                },
                Route::Any,
            )
            .await?;
        Ok(SemaphoreAvailablePermitsResponse::decode(&answer)?.response)
    }

    /// Acquires every available permit and returns how many that was (they are held in this
    /// client's session like acquired ones).
    pub async fn drain(&self) -> Result<u32, HazelcastError> {
        let group = &self.inner.cp.group_id;
        let sessions = self.inner.sessions();
        loop {
            let (session, thread) = self.inner.taking_endpoint(DRAIN_SESSION_ACQUIRES).await?;
            let request = SemaphoreDrainRequest {
                session_id: session,
                thread_id: thread,
                invocation_uid: invocation_uid(),
                group_id: group,
                name: self.name(),
            };
            let answer = self.inner.cp.core.invoke(&request, Route::Any).await;
            match answer.and_then(|a| Ok(SemaphoreDrainResponse::decode(&a)?.response)) {
                Ok(count) => {
                    let count = count.max(0);
                    self.inner
                        .release_uses(session, DRAIN_SESSION_ACQUIRES - i64::from(count));
                    return Ok(count.unsigned_abs());
                }
                Err(e) if session != NO_SESSION && server_code(&e) == Some(ErrorCode::SessionExpired) => {
                    sessions.invalidate(group, session);
                }
                Err(e) => {
                    self.inner.release_uses(session, DRAIN_SESSION_ACQUIRES);
                    return Err(e);
                }
            }
        }
    }

    /// Adds `increase` permits.
    pub async fn increase_permits(&self, increase: u32) -> Result<(), HazelcastError> {
        self.change(i64::from(increase)).await
    }

    /// Removes `reduction` permits (the available count may go below zero).
    pub async fn reduce_permits(&self, reduction: u32) -> Result<(), HazelcastError> {
        self.change(-i64::from(reduction)).await
    }

    async fn change(&self, delta: i64) -> Result<(), HazelcastError> {
        if delta == 0 {
            return Ok(());
        }
        let permits = i32::try_from(delta).map_err(|_| CpError::InvalidArgument {
            argument: "permits",
            reason: "must be at most i32::MAX",
        })?;
        let group = &self.inner.cp.group_id;
        let sessions = self.inner.sessions();
        let (session, thread) = self.inner.taking_endpoint(1).await?;
        let request = SemaphoreChangeRequest {
            session_id: session,
            thread_id: thread,
            invocation_uid: invocation_uid(),
            permits,
            group_id: group,
            name: self.name(),
        };
        let answer = self.inner.cp.core.invoke(&request, Route::Any).await;
        self.inner.release_uses(session, 1);
        match answer {
            Ok(_) => Ok(()),
            Err(e) if session != NO_SESSION && server_code(&e) == Some(ErrorCode::SessionExpired) => {
                sessions.invalidate(group, session);
                Err(self.inner.no_session())
            }
            Err(e) => Err(e),
        }
    }

    /// Destroys the semaphore in its CP group; the proxies of it cannot be used afterwards.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.inner.cp.destroy(SEMAPHORE_SERVICE).await
    }
}
