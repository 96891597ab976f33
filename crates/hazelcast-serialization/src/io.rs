//! Bounds-checked big-endian reading of a byte slice.

use crate::error::SerializationError;

/// A position in a byte slice; every read checks the remaining length first.
#[derive(Debug, Clone)]
pub(crate) struct Input<'a> {
    buf: &'a [u8],
    pos: usize,
}

const TRUNCATED: &str = "a value runs past the end of its data";

impl<'a> Input<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Input { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The unread bytes.
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Reads `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], SerializationError> {
        if n > self.remaining() {
            return Err(SerializationError::malformed(TRUNCATED));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SerializationError> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, SerializationError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn i8(&mut self) -> Result<i8, SerializationError> {
        Ok(self.u8()? as i8)
    }

    pub(crate) fn bool(&mut self) -> Result<bool, SerializationError> {
        Ok(self.u8()? != 0)
    }

    pub(crate) fn i16(&mut self) -> Result<i16, SerializationError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, SerializationError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, SerializationError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, SerializationError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, SerializationError> {
        Ok(f32::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, SerializationError> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// A length prefix: -1 (null) gives `None`; another negative value or one above the
    /// remaining bytes divided by `item_size` is malformed, so nothing is ever allocated for
    /// more items than the input can hold.
    pub(crate) fn len(&mut self, item_size: usize) -> Result<Option<usize>, SerializationError> {
        let n = self.i32()?;
        if n == -1 {
            return Ok(None);
        }
        let n = usize::try_from(n).map_err(|_| SerializationError::malformed("negative length"))?;
        if n.saturating_mul(item_size.max(1)) > self.remaining() {
            return Err(SerializationError::malformed(TRUNCATED));
        }
        Ok(Some(n))
    }

    /// A length-prefixed UTF-8 string (`None` for the null length).
    pub(crate) fn string(&mut self) -> Result<Option<&'a str>, SerializationError> {
        match self.len(1)? {
            None => Ok(None),
            Some(n) => std::str::from_utf8(self.bytes(n)?)
                .map(Some)
                .map_err(|_| SerializationError::InvalidUtf8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        let mut i = Input::new(&[0, 0, 0, 2, b'h', b'i', 0xff]);
        assert_eq!(i.string().unwrap(), Some("hi"));
        assert!(i.i16().is_err());
        assert_eq!(i.u8().unwrap(), 0xff);
        let mut i = Input::new(&[0x7f, 0xff, 0xff, 0xff]);
        assert!(
            i.len(1).is_err(),
            "a length beyond the input is rejected before allocating"
        );
        let mut i = Input::new(&[0xff, 0xff, 0xff, 0xfe]);
        assert!(i.len(1).is_err());
        let mut i = Input::new(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(i.len(1).unwrap(), None);
        let mut i = Input::new(&[0, 0, 0, 1, 0xc3]);
        assert!(matches!(i.string(), Err(SerializationError::InvalidUtf8)));
    }
}
