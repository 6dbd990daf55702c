//! Rows arrays decode in pieces cut at guessed row starts, with no framing pass first: a
//! piece is cut at the first `[` after a chosen offset that follows `]` and `,` (with any
//! whitespace between), which is a row start unless it is inside a string or a nested
//! array. Each piece decodes on its own thread; the guess that began it is confirmed when
//! the piece before it, decoded from a confirmed start, ends exactly there. A wrong guess
//! shows as that earlier piece running out of text mid-row (`PieceEnd::Short`): the reader
//! then decodes the two as one. It costs time, never a different answer.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use memchr::memchr;

use super::envelope::ArrayEnd;
use super::scanner::{is_json_whitespace, whitespace_end, Scanner};
use super::{malformed_rows, RowSink};
use crate::error::DecodeError;
use crate::types::ColumnSpec;

/// How a piece's text ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceEnd {
    /// Right after the comma that follows a row: the next piece starts at a row.
    Between,
    /// At the rows array's closing `]`, this byte of the piece.
    Closed(usize),
    /// Inside a row, or after a row with no comma yet: the piece needs the text after it.
    Short,
}

/// A piece decoded: its rows (numbered from 0 in errors) and how it ended.
pub struct Piece {
    pub batches: Vec<RecordBatch>,
    pub rows: usize,
    pub end: PieceEnd,
}

/// Where a piece starts: just past the array's `[`, or after a comma between rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceStart {
    ArrayStart,
    AfterComma,
}

/// Bytes a row is taken to hold until rows of the same array say otherwise.
pub const GUESSED_ROW_BYTES: usize = 100;

/// Decodes the rows of `text` into batches of `batch_rows`; `row_bytes` is how long rows
/// are expected to be, to size the builders once.
pub fn decode_piece(
    text: &str,
    start: PieceStart,
    columns: &[ColumnSpec],
    schema: &SchemaRef,
    batch_rows: usize,
    row_bytes: usize,
) -> Result<Piece, Box<DecodeError>> {
    let batch_rows = batch_rows.max(1);
    // A little over the rows expected: builders that must grow copy what they hold.
    let expected = text.len() / row_bytes.max(1);
    let capacity = (expected + expected / 32 + 16).min(batch_rows);
    let mut sink = RowSink::new(columns, schema, batch_rows, capacity);
    let mut sc = Scanner::new(text);
    let mut row = 0usize;
    match (sc.peek(), start) {
        (Some(b']'), PieceStart::ArrayStart) => {
            return done(sink, 0, PieceEnd::Closed(sc.position()))
        }
        (Some(b']'), PieceStart::AfterComma) => {
            return Err(malformed_rows("a comma after the last row", 0))
        }
        (None, _) => return done(sink, 0, PieceEnd::Short),
        _ => {}
    }
    let end = loop {
        let row_start = sc.position();
        if let Err(e) = sink.read_row(&mut sc, row) {
            return if cut_short(text.as_bytes(), row_start) {
                done(sink, row, PieceEnd::Short)
            } else {
                Err(e)
            };
        }
        row += 1;
        if sc.eat(b',') {
            match sc.peek() {
                None => break PieceEnd::Between,
                Some(b']') => return Err(malformed_rows("a comma after the last row", row)),
                _ => continue, // a row, or what the next turn reports as not one
            }
        }
        match sc.peek() {
            Some(b']') => break PieceEnd::Closed(sc.position()),
            None => break PieceEnd::Short,
            Some(_) => {
                let why = format!("expected ',' after a row at byte {}", sc.position());
                return Err(malformed_rows(&why, row));
            }
        }
    };
    done(sink, row, end)
}

fn done(sink: RowSink, rows: usize, end: PieceEnd) -> Result<Piece, Box<DecodeError>> {
    let batches = match end {
        PieceEnd::Short => Vec::new(), // decoded again with the text after it
        _ => sink.finish()?,
    };
    Ok(Piece { batches, rows, end })
}

/// Whether the row starting at `from` failed only because the text ends inside it: it is
/// an array whose closing bracket is not in the text. Anything else is a real error.
fn cut_short(text: &[u8], from: usize) -> bool {
    let at = whitespace_end(text, from);
    match text.get(at) {
        None => true,
        Some(b'[') => ArrayEnd::default().feed(&text[at + 1..]).is_none(),
        Some(_) => false,
    }
}

/// The first likely row start at or after `from`: a `[` preceded by `,` and `]` (any
/// whitespace between). None when `b` has none past `from`.
pub fn likely_row_start(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(off) = b.get(i..).and_then(|rest| memchr(b'[', rest)) {
        let at = i + off;
        let mut before = b[..at].iter().rev().filter(|&&c| !is_json_whitespace(c));
        if before.next() == Some(&b',') && before.next() == Some(&b']') {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::schema_of;
    use crate::types::column_spec;

    fn piece(text: &str, start: PieceStart) -> Result<(usize, PieceEnd), String> {
        let columns = vec![
            column_spec("a", "UInt8", "UTC"),
            column_spec("s", "String", "UTC"),
        ];
        decode_piece(text, start, &columns, &schema_of(&columns), 10, 20)
            .map(|p| (p.rows, p.end))
            .map_err(|e| format!("{} (row {:?})", e.message, e.row))
    }

    #[test]
    fn ends() {
        use PieceEnd::*;
        use PieceStart::*;
        assert_eq!(
            piece(r#"[1, "a"], [2, "b"], "#, ArrayStart),
            Ok((2, Between))
        );
        assert_eq!(
            piece(r#"[1, "a"], [2, "b"]] x"#, AfterComma),
            Ok((2, Closed(18)))
        );
        assert_eq!(piece(" ] x", ArrayStart), Ok((0, Closed(1))));
        assert_eq!(piece(r#"[1, "a"], [2, "b"#, AfterComma), Ok((1, Short)));
        assert_eq!(piece(r#"[1, "a"], [2, "],["#, AfterComma), Ok((1, Short)));
        assert_eq!(piece(r#"[1, "a"]"#, AfterComma), Ok((1, Short)));
        assert_eq!(piece("", AfterComma), Ok((0, Short)));
        assert!(piece(r#"[1, "a"], [300, "b"], [3, "c"#, AfterComma)
            .unwrap_err()
            .contains("(row Some(1))"));
        assert!(piece(r#"[1, "a"], ]"#, AfterComma).is_err());
        assert!(piece(r#"]"#, AfterComma).is_err());
        assert!(piece(r#"[1, "a"] [2, "b"], "#, AfterComma).is_err());
        assert!(piece(r#"{"x": 1}, "#, AfterComma).is_err());
    }

    #[test]
    fn guesses() {
        let b = br#"[1, "],[" ], [2], [3]"#;
        assert_eq!(likely_row_start(b, 0), Some(7)); // inside a string: a wrong guess
        assert_eq!(likely_row_start(b, 8), Some(13));
        assert_eq!(likely_row_start(b, 14), Some(18));
        assert_eq!(likely_row_start(b, 19), None);
    }
}
