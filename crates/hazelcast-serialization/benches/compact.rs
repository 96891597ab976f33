//! Compact encoding and decoding: a struct of ten fields and a struct with a nested array of ten
//! records, through serde and as generic records. Before the criterion runs, the allocations per
//! encode and per decode are counted exactly with a counting global allocator and printed.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic on purpose too
#![allow(unsafe_code)] // the counting allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, Throughput};
use hazelcast_serialization::SerializationService;
use serde::{Deserialize, Serialize};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting `alloc`, `alloc_zeroed` and `realloc` calls.
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "bench.Person")]
struct Person {
    id: i64,
    name: String,
    age: i32,
    score: f64,
    active: bool,
    email: Option<String>,
    city: String,
    visits: i64,
    ratio: f32,
    code: i16,
}

/// The same record, its strings borrowed from the data.
#[derive(Debug, Deserialize)]
#[serde(rename = "bench.Person")]
#[allow(dead_code)]
struct PersonRef<'a> {
    id: i64,
    name: &'a str,
    age: i32,
    score: f64,
    active: bool,
    email: Option<&'a str>,
    city: &'a str,
    visits: i64,
    ratio: f32,
    code: i16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "bench.Line")]
struct Line {
    sku: String,
    quantity: i32,
    price: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "bench.Order")]
struct Order {
    id: i64,
    customer: String,
    lines: Vec<Line>,
}

fn person() -> Person {
    Person {
        id: 42,
        name: "Ada Lovelace".into(),
        age: 36,
        score: 99.5,
        active: true,
        email: Some("ada@example.com".into()),
        city: "London".into(),
        visits: 1234,
        ratio: 0.75,
        code: 7,
    }
}

fn order() -> Order {
    Order {
        id: 7,
        customer: "Charles Babbage".into(),
        lines: (0..10)
            .map(|i| Line {
                sku: format!("sku-{i:04}"),
                quantity: i,
                price: 1.25 * f64::from(i),
            })
            .collect(),
    }
}

/// Average allocations of `f` over many calls, after warming up.
fn allocations_per_call<T>(mut f: impl FnMut() -> T) -> f64 {
    for _ in 0..1_000 {
        black_box(f());
    }
    const CALLS: u64 = 100_000;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..CALLS {
        black_box(f());
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / CALLS as f64
}

fn print_allocations(service: &SerializationService) {
    let p = person();
    let o = order();
    let pd = service.compact_to_data(&p).unwrap();
    let od = service.compact_to_data(&o).unwrap();
    let record = service.generic_record_from_data(&pd).unwrap();
    let rows = [
        (
            "encode person (10 fields)",
            allocations_per_call(|| service.compact_to_data(&p).unwrap()),
        ),
        (
            "decode person into Person (3 Strings)",
            allocations_per_call(|| service.compact_from_data::<Person>(&pd).unwrap()),
        ),
        (
            "decode person into PersonRef (borrowed &str)",
            allocations_per_call(|| service.compact_from_data::<PersonRef<'_>>(&pd).unwrap().id),
        ),
        (
            "encode order (10 nested lines)",
            allocations_per_call(|| service.compact_to_data(&o).unwrap()),
        ),
        (
            "decode order (1 + 1 Vec + 10 Strings)",
            allocations_per_call(|| service.compact_from_data::<Order>(&od).unwrap()),
        ),
        (
            "encode person as GenericRecord",
            allocations_per_call(|| service.generic_record_to_data(&record).unwrap()),
        ),
        (
            "decode person as GenericRecord",
            allocations_per_call(|| service.generic_record_from_data(&pd).unwrap()),
        ),
    ];
    println!(
        "allocations per call (payload: person {} B, order {} B):",
        pd.len(),
        od.len()
    );
    for (what, n) in rows {
        println!("  {what:<46} {n:>6.3}");
    }
}

fn bench(c: &mut Criterion) {
    let service = SerializationService::new();
    print_allocations(&service);
    let p = person();
    let o = order();
    let pd = service.compact_to_data(&p).unwrap();
    let od = service.compact_to_data(&o).unwrap();
    let record = service.generic_record_from_data(&pd).unwrap();

    let mut g = c.benchmark_group("compact_person");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode", |b| {
        b.iter(|| service.compact_to_data(black_box(&p)).unwrap())
    });
    g.bench_function("decode", |b| {
        b.iter(|| service.compact_from_data::<Person>(black_box(&pd)).unwrap())
    });
    g.bench_function("decode_borrowed", |b| {
        b.iter(|| {
            service
                .compact_from_data::<PersonRef<'_>>(black_box(&pd))
                .unwrap()
                .id
        })
    });
    g.bench_function("encode_generic", |b| {
        b.iter(|| service.generic_record_to_data(black_box(&record)).unwrap())
    });
    g.bench_function("decode_generic", |b| {
        b.iter(|| service.generic_record_from_data(black_box(&pd)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("compact_order");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode", |b| {
        b.iter(|| service.compact_to_data(black_box(&o)).unwrap())
    });
    g.bench_function("decode", |b| {
        b.iter(|| service.compact_from_data::<Order>(black_box(&od)).unwrap())
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
