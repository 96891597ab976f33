//! Partition hashing (as the official clients compute it, e.g. Java's `HashUtil.MurmurHash3_x86_32` and `HashUtil.hashToIndex`): MurmurHash3 x86_32 with seed `0x01000193`
//! over a `Data` payload, and Java's `HashUtil.hashToIndex`.

/// The seed Hazelcast uses for partition hashing.
pub const MURMUR_SEED: u32 = 0x0100_0193;

/// MurmurHash3 x86_32 of `data` (blocks read little-endian), as a signed `i32` like Java.
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> i32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, b) in tail.iter().enumerate() {
            k |= u32::from(*b) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h as i32
}

/// Java's `HashUtil.hashToIndex`: `0` for `i32::MIN`, else `|hash| % count`. `count` must be
/// positive; 0 yields partition 0.
pub fn hash_to_index(hash: i32, count: i32) -> i32 {
    if count <= 0 || hash == i32::MIN {
        0
    } else {
        hash.abs() % count
    }
}

/// The partition id of a serialized key.
pub fn partition_id(data: &crate::serialization::Data, partition_count: i32) -> i32 {
    hash_to_index(data.partition_hash(), partition_count)
}
