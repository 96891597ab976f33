//! Lock helper.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex; a poisoned lock means a panic elsewhere, and the state it guards stays usable
/// (every critical section here leaves it consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
