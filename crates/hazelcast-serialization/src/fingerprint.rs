//! The 64-bit Rabin fingerprint that identifies a Compact schema, as the official clients compute
//! it (`RabinFingerprint.fingerprint64(Schema)`): the type name, the field count, then each field's
//! name and kind id in the schema's field order. Strings contribute their UTF-8 length (as an int)
//! and bytes; ints contribute their four bytes in little-endian order.

/// The initial value and the polynomial of the fingerprint.
const INIT: u64 = 0xc15d_213a_a4d7_a795;

const TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut fp = i as u64;
        let mut j = 0;
        while j < 8 {
            fp = (fp >> 1) ^ (INIT & (fp & 1).wrapping_neg());
            j += 1;
        }
        table[i] = fp;
        i += 1;
    }
    table
};

/// A running fingerprint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fingerprint(u64);

impl Fingerprint {
    pub(crate) fn new() -> Self {
        Fingerprint(INIT)
    }

    fn byte(self, b: u8) -> Self {
        Fingerprint((self.0 >> 8) ^ TABLE[((self.0 ^ u64::from(b)) & 0xff) as usize])
    }

    /// Adds an int as its four little-endian bytes.
    pub(crate) fn int(self, v: i32) -> Self {
        v.to_le_bytes().iter().fold(self, |fp, b| fp.byte(*b))
    }

    /// Adds a string as its UTF-8 length and bytes.
    pub(crate) fn string(self, s: &str) -> Self {
        // Lengths beyond i32::MAX cannot be written by any client; they wrap like Java's int.
        let fp = self.int(s.len() as i32);
        s.bytes().fold(fp, |fp, b| fp.byte(b))
    }

    pub(crate) fn finish(self) -> i64 {
        self.0 as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_reference_construction() {
        // Entry 0 is 0 and entry 128 is the polynomial shifted once per remaining bit.
        assert_eq!(TABLE[0], 0);
        let mut fp = 1u64;
        for _ in 0..8 {
            fp = (fp >> 1) ^ (INIT & (fp & 1).wrapping_neg());
        }
        assert_eq!(TABLE[1], fp);
        assert_ne!(TABLE[255], TABLE[254]);
    }

    #[test]
    fn order_and_content_matter() {
        let a = Fingerprint::new().string("ab").int(1).finish();
        let b = Fingerprint::new().string("ba").int(1).finish();
        let c = Fingerprint::new().string("ab").int(2).finish();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, Fingerprint::new().string("ab").int(1).finish());
    }
}
