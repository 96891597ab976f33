//! `DECIMAL`: an arbitrary-precision decimal as Java's `BigDecimal` stores it, the unscaled value
//! as minimal big-endian two's-complement bytes (`BigInteger.toByteArray()`) and a scale.
//!
//! In a Compact record: `i32 byte count`, the bytes, `i32 scale`; the value is
//! `unscaled × 10^-scale`.

use std::fmt;
use std::str::FromStr;

use crate::error::SerializationError;
use crate::io::Input;
use crate::kind::FieldKind;
use crate::marker::{MarkerType, Sink};

/// The longest unscaled value read from data, in bytes (about 9,860 decimal digits): longer ones
/// are rejected, so that hostile data cannot make formatting quadratic in its size.
pub const MAX_UNSCALED_BYTES: usize = 4096;

/// The most digits [`Decimal::from_str`](std::str::FromStr) parses.
const MAX_DIGITS: usize = 10_000;

fn invalid() -> SerializationError {
    SerializationError::InvalidValue { what: "decimal" }
}

/// An arbitrary-precision decimal number (`DECIMAL`, Java's `BigDecimal`): an unscaled integer of
/// any size and a scale. Equality is Java's: `2.0` and `2.00` differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// Minimal two's-complement big-endian bytes, never empty.
    unscaled: Vec<u8>,
    scale: i32,
}

/// Removes redundant sign bytes, as `BigInteger.toByteArray()` never writes them.
fn minimal(bytes: &[u8]) -> &[u8] {
    let mut b = bytes;
    while b.len() > 1 {
        let redundant = (b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xff && b[1] & 0x80 != 0);
        if !redundant {
            break;
        }
        b = &b[1..];
    }
    b
}

fn negate(bytes: &mut [u8]) {
    let mut carry = true;
    for b in bytes.iter_mut().rev() {
        let (v, c) = (!*b).overflowing_add(u8::from(carry));
        *b = v;
        carry = c;
    }
}

impl Decimal {
    /// `unscaled × 10^-scale`.
    pub fn new(unscaled: i128, scale: i32) -> Decimal {
        Decimal {
            unscaled: minimal(&unscaled.to_be_bytes()).to_vec(),
            scale,
        }
    }

    /// From the two's-complement big-endian bytes of the unscaled value (any sign extension is
    /// removed); fails on empty bytes, like Java's `BigInteger`.
    pub fn from_unscaled_bytes(bytes: &[u8], scale: i32) -> Result<Decimal, SerializationError> {
        if bytes.is_empty() {
            return Err(invalid());
        }
        Ok(Decimal {
            unscaled: minimal(bytes).to_vec(),
            scale,
        })
    }

    /// The unscaled value's minimal two's-complement big-endian bytes.
    pub fn unscaled_bytes(&self) -> &[u8] {
        &self.unscaled
    }

    /// The scale.
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// The unscaled value, when it fits an `i128`.
    pub fn unscaled_i128(&self) -> Option<i128> {
        if self.unscaled.len() > 16 {
            return None;
        }
        let fill = if self.unscaled[0] & 0x80 != 0 { 0xff } else { 0 };
        let mut b = [fill; 16];
        b[16 - self.unscaled.len()..].copy_from_slice(&self.unscaled);
        Some(i128::from_be_bytes(b))
    }

    fn is_negative(&self) -> bool {
        self.unscaled[0] & 0x80 != 0
    }

    /// Magnitude as big-endian bytes.
    fn magnitude(&self) -> Vec<u8> {
        let mut m = self.unscaled.clone();
        if self.is_negative() {
            negate(&mut m);
            // -2^(8n-1) negates to itself; its magnitude needs one more byte.
            if m[0] & 0x80 != 0 {
                m.insert(0, 0);
            }
        }
        m
    }

    pub(crate) fn put(&self, out: &mut impl Sink) {
        out.put(&(self.unscaled.len() as i32).to_be_bytes());
        out.put(&self.unscaled);
        out.put(&self.scale.to_be_bytes());
    }

    pub(crate) fn read(input: &mut Input<'_>) -> Result<Decimal, SerializationError> {
        let n = input.len(1)?.ok_or(invalid())?;
        if n > MAX_UNSCALED_BYTES {
            return Err(invalid());
        }
        let bytes = input.bytes(n)?;
        let scale = input.i32()?;
        Decimal::from_unscaled_bytes(bytes, scale)
    }
}

/// Big-endian magnitude bytes to decimal digits.
fn to_digits(mag: &[u8]) -> String {
    // Base 10^9 limbs, least significant first.
    let mut limbs: Vec<u32> = Vec::new();
    for &byte in mag {
        let mut carry = u64::from(byte);
        for l in limbs.iter_mut() {
            let v = u64::from(*l) * 256 + carry;
            *l = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    let mut s = match limbs.last() {
        None => return "0".to_owned(),
        Some(top) => top.to_string(),
    };
    for l in limbs.iter().rev().skip(1) {
        s.push_str(&format!("{l:09}"));
    }
    s
}

/// Decimal digits to big-endian magnitude bytes (with a leading zero byte so the top bit is 0).
fn from_digits(digits: &str) -> Vec<u8> {
    let mut out: Vec<u8> = vec![0];
    for d in digits.bytes() {
        let mut carry = u32::from(d - b'0');
        for b in out.iter_mut().rev() {
            let v = u32::from(*b) * 10 + carry;
            *b = (v & 0xff) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
        if out[0] & 0x80 != 0 {
            out.insert(0, 0);
        }
    }
    out
}

impl fmt::Display for Decimal {
    /// Java's `BigDecimal.toString()`: plain notation when the scale is not negative and the
    /// adjusted exponent is at least -6 (`12.50`, `0.000001`), scientific notation otherwise
    /// (`1.5E+3`, `1E-7`), so that the text stays short whatever the scale.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = to_digits(&self.magnitude());
        if self.is_negative() {
            f.write_str("-")?;
        }
        let scale = i64::from(self.scale);
        if scale == 0 {
            return f.write_str(&digits);
        }
        let adjusted = -scale + (digits.len() as i64 - 1);
        if scale > 0 && adjusted >= -6 {
            let scale = scale as usize;
            if digits.len() > scale {
                let (int, frac) = digits.split_at(digits.len() - scale);
                write!(f, "{int}.{frac}")
            } else {
                write!(f, "0.{}{digits}", "0".repeat(scale - digits.len()))
            }
        } else {
            let (first, rest) = digits.split_at(1);
            f.write_str(first)?;
            if !rest.is_empty() {
                write!(f, ".{rest}")?;
            }
            write!(f, "E{}{adjusted}", if adjusted > 0 { "+" } else { "" })
        }
    }
}

impl FromStr for Decimal {
    type Err = SerializationError;

    /// `[-+]digits[.digits][(e|E)[-+]digits]`; the scale is the number of fraction digits minus
    /// the exponent (`"1.50"` has scale 2, `"15E+3"` scale -3).
    fn from_str(s: &str) -> Result<Decimal, SerializationError> {
        let (neg, s) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
            return Err(invalid());
        }
        let exp: i64 = match exp {
            None => 0,
            Some(e) => e.parse().map_err(|_| invalid())?,
        };
        let scale = i32::try_from(frac.len() as i64 - exp).map_err(|_| invalid())?;
        if int.len() + frac.len() > MAX_DIGITS {
            return Err(invalid());
        }
        let digits = format!("{int}{frac}");
        let mut bytes = from_digits(digits.trim_start_matches('0'));
        if neg {
            negate(&mut bytes);
        }
        Decimal::from_unscaled_bytes(&bytes, scale)
    }
}

impl MarkerType for Decimal {
    const MARKER: &'static str = "$hazelcast::Decimal";
    const KIND: FieldKind = FieldKind::Decimal;
    fn put(&self, out: &mut impl Sink) {
        Decimal::put(self, out)
    }
    fn read(input: &mut Input<'_>) -> Result<Self, SerializationError> {
        Decimal::read(input)
    }
    fn sample() -> Self {
        Decimal::new(0, 0)
    }
}

crate::marker::serde_via_marker!(Decimal);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_minimal_like_big_integer() {
        let cases: [(i128, &[u8]); 8] = [
            (0, &[0]),
            (1, &[1]),
            (127, &[127]),
            (128, &[0, 128]),
            (-1, &[0xff]),
            (-128, &[0x80]),
            (-129, &[0xff, 0x7f]),
            (65535, &[0, 0xff, 0xff]),
        ];
        for (v, bytes) in cases {
            let d = Decimal::new(v, 0);
            assert_eq!(d.unscaled_bytes(), bytes, "{v}");
            assert_eq!(d.unscaled_i128(), Some(v));
            assert_eq!(
                Decimal::from_unscaled_bytes(&[0, 0, 0xff, 0xff][..], 0)
                    .unwrap()
                    .unscaled_i128(),
                Some(65535)
            );
        }
        assert!(Decimal::from_unscaled_bytes(&[], 0).is_err());
        assert_eq!(Decimal::new(i128::MIN, 0).unscaled_i128(), Some(i128::MIN));
    }

    #[test]
    fn text_round_trips() {
        for (s, unscaled, scale) in [
            ("0", 0, 0),
            ("1.50", 150, 2),
            ("-0.005", -5, 3),
            (
                "123456789012345678901234567890.123",
                123456789012345678901234567890123,
                3,
            ),
            ("-170141183460469231731687303715884105728", i128::MIN, 0),
        ] {
            let d: Decimal = s.parse().unwrap();
            assert_eq!(d.unscaled_i128(), Some(unscaled), "{s}");
            assert_eq!(d.scale(), scale);
            assert_eq!(d.to_string(), s);
        }
        let d: Decimal = "15E+3".parse().unwrap();
        assert_eq!((d.unscaled_i128(), d.scale()), (Some(15), -3));
        assert_eq!(d.to_string(), "1.5E+4");
        // Java's toString for extreme scales.
        for (unscaled, scale, text) in [
            (1, 7, "1E-7"),
            (1, 6, "0.000001"),
            (123, -2, "1.23E+4"),
            (0, -5, "0E+5"),
            (-5, i32::MIN, "-5E+2147483648"),
            (12, i32::MAX, "1.2E-2147483646"),
        ] {
            let d = Decimal::new(unscaled, scale);
            assert_eq!(d.to_string(), text);
            assert_eq!(text.parse::<Decimal>().unwrap(), d, "{text}");
        }
        assert!("1".repeat(MAX_DIGITS + 1).parse::<Decimal>().is_err());
        let big: Decimal = "-1234567890123456789012345678901234567890123456789"
            .parse()
            .unwrap();
        assert_eq!(big.unscaled_i128(), None);
        assert_eq!(
            big.to_string(),
            "-1234567890123456789012345678901234567890123456789"
        );
        for bad in ["", "-", "1.2.3", "abc", "1e", "."] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn binary_layout() {
        let mut out = Vec::new();
        Decimal::new(-129, 2).put(&mut out);
        assert_eq!(out, [0, 0, 0, 2, 0xff, 0x7f, 0, 0, 0, 2]);
        assert_eq!(
            Decimal::read(&mut Input::new(&out)).unwrap(),
            Decimal::new(-129, 2)
        );
    }
}
