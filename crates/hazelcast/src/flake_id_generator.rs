//! [`FlakeIdGenerator`]: cluster-wide unique, roughly time-ordered 64-bit ids.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hazelcast_codec::messages::flake_id_generator::{
    FlakeIdGeneratorNewIdBatchRequest, FlakeIdGeneratorNewIdBatchResponse,
};

use crate::error::HazelcastError;
use crate::proxy::{ProxyCore, Route};

/// The service name of flake id generators.
pub(crate) const FLAKE_ID_GENERATOR_SERVICE: &str = "hz:impl:flakeIdGeneratorService";

/// A distributed generator of unique `i64` ids, from
/// [`HazelcastClient::get_flake_id_generator`](crate::HazelcastClient::get_flake_id_generator).
///
/// Ids are unique across the cluster and roughly ordered by the time they were created (they
/// are built from a timestamp, a member-assigned node id and a sequence). The generator fetches
/// ids from a member in batches (`FlakeIdGenerator.NewIdBatch`, any member serves it) and hands
/// them out locally, so most calls to [`new_id`](FlakeIdGenerator::new_id) need no network round
/// trip. A batch holds [`DEFAULT_PREFETCH_COUNT`](FlakeIdGenerator::DEFAULT_PREFETCH_COUNT) ids
/// and is used for at most
/// [`DEFAULT_PREFETCH_VALIDITY`](FlakeIdGenerator::DEFAULT_PREFETCH_VALIDITY) (the official
/// defaults); [`with_prefetch`](FlakeIdGenerator::with_prefetch) changes both. Ids left in a
/// batch that expired are dropped, never handed out late (so ids stay roughly time-ordered).
///
/// Clones share the batch; many tasks may call `new_id` at once: one of them fetches the next
/// batch while the others wait for it. Dropping a `new_id` future at any point loses no more
/// than the ids of a batch being fetched; no id is ever handed out twice.
///
/// ```no_run
/// # async fn run(client: hazelcast::HazelcastClient) -> Result<(), hazelcast::HazelcastError> {
/// let ids = client.get_flake_id_generator("orders").await?;
/// let order_id: i64 = ids.new_id().await?;
/// println!("new order {order_id}");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FlakeIdGenerator {
    core: ProxyCore,
    batcher: Arc<Batcher>,
}

impl fmt::Debug for FlakeIdGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlakeIdGenerator")
            .field("name", &self.core.name())
            .field("prefetch_count", &self.batcher.prefetch_count)
            .field("prefetch_validity", &self.batcher.validity)
            .finish_non_exhaustive()
    }
}

/// The ids of one batch still to be handed out.
#[derive(Debug)]
struct Block {
    base: i64,
    increment: i64,
    /// The index of the next id.
    next: i32,
    /// How many ids the batch holds.
    size: i32,
    /// When the batch stops being used.
    invalid_at: Option<Instant>,
    /// Incremented on every new batch, so that a task that waited for the fetch lock knows
    /// whether someone else fetched meanwhile.
    generation: u64,
}

impl Block {
    fn take(&mut self, now: Instant) -> Option<i64> {
        if self.next >= self.size || self.invalid_at.is_some_and(|t| now >= t) {
            return None;
        }
        let id = self
            .base
            .wrapping_add(i64::from(self.next).wrapping_mul(self.increment));
        self.next += 1;
        Some(id)
    }
}

/// The current batch and the lock held by the one task fetching the next.
#[derive(Debug)]
struct Batcher {
    prefetch_count: i32,
    validity: Duration,
    block: Mutex<Block>,
    fetching: tokio::sync::Mutex<()>,
}

impl Batcher {
    fn new(prefetch_count: i32, validity: Duration) -> Self {
        Batcher {
            prefetch_count,
            validity,
            block: Mutex::new(Block {
                base: 0,
                increment: 0,
                next: 0,
                size: 0,
                invalid_at: None,
                generation: 0,
            }),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The next id of the current batch, or the batch's generation when it has none left.
    fn try_next(&self) -> Result<i64, u64> {
        // The lock is never held across an await, and a panic while holding it cannot leave
        // the block inconsistent (every update is a single assignment), so poisoning is ignored.
        let mut block = self.block.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = block.generation;
        block.take(Instant::now()).ok_or(generation)
    }
}

impl FlakeIdGenerator {
    /// Ids fetched in one batch, by default (Java's `FlakeIdGeneratorConfig` default).
    pub const DEFAULT_PREFETCH_COUNT: u32 = 100;
    /// The longest a batch is used after it was fetched, by default (Java's
    /// `FlakeIdGeneratorConfig` default, 600 s).
    pub const DEFAULT_PREFETCH_VALIDITY: Duration = Duration::from_secs(600);
    /// The largest prefetch count (Java's `FlakeIdGeneratorConfig` maximum).
    pub const MAX_PREFETCH_COUNT: u32 = 100_000;

    pub(crate) fn new(core: ProxyCore) -> Self {
        FlakeIdGenerator {
            core,
            batcher: Arc::new(Batcher::new(
                Self::DEFAULT_PREFETCH_COUNT as i32,
                Self::DEFAULT_PREFETCH_VALIDITY,
            )),
        }
    }

    /// This generator with another batch size (`prefetch_count`, 1 to
    /// [`MAX_PREFETCH_COUNT`](Self::MAX_PREFETCH_COUNT)) and batch lifetime (`validity`;
    /// `Duration::ZERO` means a batch never expires). The result starts with no batch and shares
    /// none with `self`.
    ///
    /// # Errors
    ///
    /// [`HazelcastError::Config`] when `prefetch_count` is out of range.
    pub fn with_prefetch(&self, prefetch_count: u32, validity: Duration) -> Result<Self, HazelcastError> {
        if prefetch_count == 0 || prefetch_count > Self::MAX_PREFETCH_COUNT {
            return Err(crate::ConfigError::invalid(
                "prefetch_count",
                prefetch_count,
                format!("must be between 1 and {}", Self::MAX_PREFETCH_COUNT),
            )
            .into());
        }
        let count = i32::try_from(prefetch_count).unwrap_or(i32::MAX);
        Ok(FlakeIdGenerator {
            core: self.core.clone(),
            batcher: Arc::new(Batcher::new(count, validity)),
        })
    }

    /// The generator's name.
    pub fn name(&self) -> &str {
        self.core.name()
    }

    /// A new unique id: the next one of the current batch, after fetching a new batch when it
    /// is used up or expired.
    pub async fn new_id(&self) -> Result<i64, HazelcastError> {
        loop {
            let seen = match self.batcher.try_next() {
                Ok(id) => return Ok(id),
                Err(generation) => generation,
            };
            let _fetching = self.batcher.fetching.lock().await;
            if self.batch_generation() != seen {
                // Another task fetched a batch while this one waited.
                continue;
            }
            let answer = self
                .core
                .invoke(
                    &FlakeIdGeneratorNewIdBatchRequest {
                        batch_size: self.batcher.prefetch_count,
                        name: self.name(),
                    },
                    Route::Any,
                )
                .await?;
            let batch = FlakeIdGeneratorNewIdBatchResponse::decode(&answer)?;
            if batch.batch_size <= 0 {
                return Err(HazelcastError::EmptyIdBatch {
                    size: batch.batch_size,
                });
            }
            let validity = self.batcher.validity;
            let mut block = self.batcher.block.lock().unwrap_or_else(PoisonError::into_inner);
            *block = Block {
                base: batch.base,
                increment: batch.increment,
                next: 0,
                size: batch.batch_size,
                invalid_at: (!validity.is_zero())
                    .then(|| Instant::now().checked_add(validity))
                    .flatten(),
                generation: block.generation.wrapping_add(1),
            };
        }
    }

    fn batch_generation(&self) -> u64 {
        self.batcher
            .block
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .generation
    }

    /// Destroys the generator on the cluster. Ids already handed out stay unique; a generator of
    /// the same name created later continues to produce unique ids.
    pub async fn destroy(&self) -> Result<(), HazelcastError> {
        self.core.destroy().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(size: i32, invalid_at: Option<Instant>) -> Block {
        Block {
            base: 1000,
            increment: 4,
            next: 0,
            size,
            invalid_at,
            generation: 1,
        }
    }

    #[test]
    fn a_block_hands_out_base_plus_index_times_increment_until_used_up() {
        let now = Instant::now();
        let mut b = block(3, None);
        assert_eq!(b.take(now), Some(1000));
        assert_eq!(b.take(now), Some(1004));
        assert_eq!(b.take(now), Some(1008));
        assert_eq!(b.take(now), None);
    }

    #[test]
    fn an_expired_block_hands_out_nothing() {
        let now = Instant::now();
        let mut b = block(3, Some(now + Duration::from_secs(1)));
        assert_eq!(b.take(now), Some(1000));
        assert_eq!(b.take(now + Duration::from_secs(1)), None);
    }

    #[test]
    fn ids_near_the_end_of_the_range_wrap_instead_of_panicking() {
        let mut b = Block {
            base: i64::MAX,
            increment: i64::MAX,
            next: 2,
            size: 3,
            invalid_at: None,
            generation: 0,
        };
        assert_eq!(
            b.take(Instant::now()),
            Some(i64::MAX.wrapping_add(i64::MAX.wrapping_mul(2)))
        );
    }
}
