//! `SqlPage`: a page of SQL rows, column by column. The column values keep their wire frames
//! (zero-copy slices of the message) until SQL support decodes them by column type.

use super::{Decode, Encode, FixedList, H, WireName};
use crate::error::CodecError;
use crate::frame::flags;
use crate::message::{Frame, FrameReader, MessageWriter};

/// The frames of one value exactly as received: a single frame, or a BEGIN frame, everything
/// nested in it, and its END frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawFrames(pub Vec<Frame>);

impl Decode for RawFrames {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        let first = r.expect_frame("raw value")?;
        let mut depth = usize::from(first.is_begin());
        let mut frames = vec![first];
        while depth > 0 {
            let f = r.expect_frame("raw value")?;
            if f.is_end() {
                depth -= 1;
            } else if f.is_begin() {
                depth += 1;
            }
            frames.push(f);
        }
        Ok(RawFrames(frames))
    }
}

impl Encode for RawFrames {
    fn encode(&self, w: &mut MessageWriter) {
        for f in &self.0 {
            // The message's last frame is marked when the message is finished.
            w.frame(f.flags & !flags::IS_FINAL, &f.content);
        }
    }
    fn encoded_len(&self) -> usize {
        self.0.iter().map(|f| H + f.content.len()).sum()
    }
}

/// `SqlPage`: BEGIN, a frame with the "last page" flag, the column type ids (`List_Integer`),
/// one value per column (its layout depends on the column type), END.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SqlPage {
    /// True for the last page of the result.
    pub last: bool,
    /// The type id of each column (`SqlColumnType` ids).
    pub column_types: Vec<i32>,
    /// The values of each column, as their frames.
    pub columns: Vec<RawFrames>,
}

impl SqlPage {
    /// A page from its parts.
    pub fn new(last: bool, column_types: Vec<i32>, columns: Vec<RawFrames>) -> Self {
        SqlPage {
            last,
            column_types,
            columns,
        }
    }
}

impl Encode for SqlPage {
    fn encode(&self, w: &mut MessageWriter) {
        w.begin();
        w.frame(0, &[u8::from(self.last)]);
        self.column_types.as_slice().encode(w);
        for c in &self.columns {
            c.encode(w);
        }
        w.end();
    }
    fn encoded_len(&self) -> usize {
        2 * H
            + (H + 1)
            + (H + 4 * self.column_types.len())
            + self.columns.iter().map(Encode::encoded_len).sum::<usize>()
    }
}

impl Decode for SqlPage {
    fn decode(r: &mut FrameReader) -> Result<Self, CodecError> {
        r.expect_begin("SqlPage")?;
        let flag = r.expect_frame("SqlPage.last")?;
        let last = match flag.content.first() {
            Some(b) => *b == 1,
            None => {
                return Err(CodecError::FrameContentTooShort {
                    what: "SqlPage.last",
                    needed: 1,
                    available: 0,
                });
            }
        };
        let column_types = FixedList::<i32>::decode(r)?.0;
        let mut columns = Vec::new();
        for _ in &column_types {
            columns.push(RawFrames::decode(r)?);
        }
        r.fast_forward_to_end("SqlPage")?;
        Ok(SqlPage {
            last,
            column_types,
            columns,
        })
    }
}

impl WireName for SqlPage {
    fn wire_name() -> String {
        "SqlPage".into()
    }
}
