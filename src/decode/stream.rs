//! A body arriving in pieces, turned into owned texts of whole rows as soon as each chunk
//! is complete, so rows decode while the rest of the body is still on the wire and no
//! more than the chunk under way is held.

use arrow_array::RecordBatch;

use super::decode_framed_chunk;
use super::framing::{ChunkReady, Framed, Framer};
use super::scanner::rows_before;
use crate::error::DecodeError;
use crate::types::ColumnSpec;

/// Whole rows of one span, as bytes straight off the wire.
pub struct RowsText {
    pub chunk: ChunkReady,
    /// The rows are `buf[start..]`: what precedes them (the separator after the previous
    /// chunk) stays in place rather than shifting megabytes of rows down by a few bytes.
    buf: Vec<u8>,
    start: usize,
}

impl RowsText {
    /// Checks the bytes are UTF-8 and decodes them: meant for a decoding thread, so the
    /// reader only frames.
    pub fn decode(
        &self,
        columns: &[ColumnSpec],
        batch_rows: usize,
    ) -> Result<Vec<RecordBatch>, Box<DecodeError>> {
        let c = self.chunk;
        let bytes = self.bytes();
        let text = simdutf8::basic::from_utf8(bytes).map_err(|_| {
            // Only now find where: `compat` says it, `basic` (faster) does not.
            let bad = simdutf8::compat::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            Box::new(DecodeError {
                message: "the rows are not valid UTF-8".into(),
                row: Some(c.first_row + rows_before(bytes, bad)),
                ..Default::default()
            })
        })?;
        decode_framed_chunk(text, c.first_row, c.rows, c.last, columns, batch_rows)
    }

    /// The rows' bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Whether there is nothing but whitespace (the text of an empty rows array).
    pub fn is_blank(&self) -> bool {
        self.bytes().trim_ascii().is_empty()
    }
}

pub struct RowChunker {
    framer: Framer,
    /// The body from absolute offset `base` on: the chunk under way and what follows.
    buf: Vec<u8>,
    base: usize,
    chunk_bytes: usize,
}

impl RowChunker {
    pub fn new(chunk_bytes: usize) -> Self {
        RowChunker {
            framer: Framer::new(chunk_bytes),
            buf: Vec::new(),
            base: 0,
            chunk_bytes,
        }
    }

    /// How many rows arrays have begun so far.
    pub fn spans_started(&self) -> usize {
        self.framer.spans_started()
    }

    /// Rows arrays begun since the last call, with the envelope before each (see
    /// `Framer::take_started`).
    pub fn take_started(&mut self) -> Vec<(usize, String)> {
        self.framer.take_started()
    }

    /// Takes the next piece of the body; returns the chunks it completed, in order.
    pub fn push(&mut self, piece: &[u8]) -> Result<Vec<RowsText>, String> {
        self.buf.extend_from_slice(piece);
        self.framer.feed(&self.buf, self.base)?;
        let mut out = Vec::new();
        for chunk in self.framer.take_ready() {
            // Hand the chunk's bytes over without copying them: split the buffer after it.
            let mut rest = self.buf.split_off(chunk.end - self.base);
            rest.reserve(self.chunk_bytes + piece.len());
            let buf = std::mem::replace(&mut self.buf, rest);
            let start = chunk.start - self.base;
            self.base = chunk.end;
            out.push(RowsText { chunk, buf, start });
        }
        // Outside a rows array nothing before the framer's position is needed again.
        if self.framer.open_chunk_start().is_none() {
            let seen = self.framer.position() - self.base;
            self.buf.drain(..seen);
            self.base += seen;
        }
        Ok(out)
    }

    /// Ends the body: the skeleton (rows replaced by span numbers), or why it is incomplete.
    pub fn finish(self) -> Result<Framed, String> {
        self.framer.finish()
    }

    /// `finish` for a chunker held in a struct; it is left empty.
    pub fn take_finished(&mut self) -> Result<Framed, String> {
        std::mem::replace(self, RowChunker::new(1)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_any_size_give_the_same_rows() {
        let rows: Vec<String> = (0..200).map(|i| format!("[{i}, \"r\\\"{i}]\"]")).collect();
        let body = format!(
            r#"{{"column_types": ["UInt8"], "result_rows": [{}], "after": [1]}}"#,
            rows.join(", ")
        );
        for piece in [1, 7, 64, 1000, body.len()] {
            let mut c = RowChunker::new(100);
            let mut texts = Vec::new();
            for p in body.as_bytes().chunks(piece) {
                texts.extend(c.push(p).unwrap());
                assert!(c.buf.len() < 100 + 2 * piece + 32, "held {}", c.buf.len());
            }
            let joined: String = texts
                .iter()
                .map(|t| std::str::from_utf8(t.bytes()).unwrap())
                .collect();
            assert_eq!(joined.trim(), rows.join(", "), "pieces of {piece}");
            assert_eq!(texts.iter().map(|t| t.chunk.rows).sum::<usize>(), 200);
            assert!(texts.last().unwrap().chunk.last);
            let framed = c.finish().unwrap();
            assert_eq!(
                framed.skeleton,
                r#"{"column_types": ["UInt8"], "result_rows": 0, "after": [1]}"#
            );
        }
    }
}
