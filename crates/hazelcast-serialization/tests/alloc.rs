//! Allocations per encode and per decode, counted exactly (this test binary installs a counting
//! global allocator and holds a single test, so nothing else allocates meanwhile).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too
#![allow(unsafe_code)] // the counting allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use hazelcast_serialization::SerializationService;
use serde::{Deserialize, Serialize};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is an atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "alloc.Person")]
struct Person {
    id: i64,
    name: String,
    age: i32,
    email: Option<String>,
    tags: Vec<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "alloc.Person")]
#[allow(dead_code)]
struct PersonRef<'a> {
    id: i64,
    name: &'a str,
    age: i32,
    email: Option<&'a str>,
}

fn per_call<T>(mut f: impl FnMut() -> T) -> f64 {
    for _ in 0..100 {
        black_box(f());
    }
    const CALLS: u64 = 10_000;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..CALLS {
        black_box(f());
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / CALLS as f64
}

#[test]
fn encoding_allocates_only_its_data_and_decoding_only_the_value() {
    let service = SerializationService::new();
    let person = Person {
        id: 1,
        name: "Ada".into(),
        age: 36,
        email: Some("ada@example.com".into()),
        tags: vec![1, 2, 3],
    };
    let data = service.compact_to_data(&person).unwrap();
    // The Data of small values is cut from a per-thread 16 KiB chunk: one allocation per chunk.
    let encode = per_call(|| service.compact_to_data(&person).unwrap());
    assert!(encode < 0.02, "{encode} allocations per encode");
    // Strings borrowed from the data: nothing at all.
    let borrowed = per_call(|| service.compact_from_data::<PersonRef<'_>>(&data).unwrap().id);
    assert_eq!(borrowed, 0.0);
    // Owned: exactly the two Strings and the Vec of the value.
    let owned = per_call(|| service.compact_from_data::<Person>(&data).unwrap());
    assert_eq!(owned, 3.0);
}
