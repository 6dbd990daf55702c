//! Decoding a rows array held in memory on every core, without a framing pass first: the
//! array is cut at guessed row starts, the pieces decode in parallel, and each guess is
//! confirmed by the piece before it, which decodes on to the first true row start at or
//! after the guess. A wrong guess (a `],[` inside a string or a nested array) costs its
//! piece being decoded again from the true start; it never changes the answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use memchr::memchr;

use super::scanner::{is_json_whitespace, Scanner};
use super::{guarded, malformed_rows, schema_of, RowSink};
use crate::error::DecodeError;
use crate::types::ColumnSpec;

/// A rows array decoded: its batches, its row count and where its closing `]` is.
#[derive(Debug)]
pub struct Decoded {
    pub batches: Vec<RecordBatch>,
    pub rows: usize,
    pub close: usize,
}

/// Pieces aim for this size: one batch or so each, and enough of them to balance cores.
const PIECE_BYTES: usize = 8 << 20;
/// How far past a cut to look for a row start before giving the cut up.
const SEARCH_BYTES: usize = 1 << 20;

/// Decodes the rows array whose contents begin at byte `start` of `body` (just past its
/// `[`). The array's end is found by decoding; what follows it is not looked at.
pub fn decode_array(
    body: &str,
    start: usize,
    columns: &[ColumnSpec],
    batch_rows: usize,
) -> Result<Decoded, Box<DecodeError>> {
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    decode_in_pieces(body, start, columns, batch_rows, PIECE_BYTES, threads)
}

pub(super) fn decode_in_pieces(
    body: &str,
    start: usize,
    columns: &[ColumnSpec],
    batch_rows: usize,
    piece_bytes: usize,
    threads: usize,
) -> Result<Decoded, Box<DecodeError>> {
    let schema = schema_of(columns);
    let batch_rows = batch_rows.max(1);
    let starts = guess_row_starts(body.as_bytes(), start, threads, piece_bytes);
    let piece = |i: usize, from: usize| {
        decode_piece(
            body,
            from,
            starts.get(i + 1).copied(),
            columns,
            &schema,
            batch_rows,
        )
    };
    let speculative = run_parallel(starts.len(), threads, |i| piece(i, starts[i]));
    // Accept pieces in order; a piece that did not start where its predecessor ended is
    // decoded again from there.
    let mut out = Decoded {
        batches: Vec::new(),
        rows: 0,
        close: start,
    };
    let mut expected = start;
    for (i, guess) in speculative.into_iter().enumerate() {
        let result = match guess {
            Some(r) if starts[i] == expected => r,
            _ => piece(i, expected),
        };
        let p = result.map_err(|mut e| {
            e.row = e.row.map(|r| r + out.rows);
            e
        })?;
        out.rows += p.rows;
        out.batches.extend(p.batches);
        match p.end {
            End::Next(at) => expected = at,
            End::Closed(at) => {
                out.close = at;
                return Ok(out);
            }
        }
    }
    // The last piece runs to the array's end or fails, so this is never reached; an error
    // rather than a panic all the same.
    Err(Box::new(DecodeError {
        message: "internal error: the rows array has no end".into(),
        ..Default::default()
    }))
}

/// Where to cut: the array's start, then a likely row start (`]`, `,`, `[` with any
/// whitespace between) after each evenly spaced offset.
fn guess_row_starts(b: &[u8], start: usize, threads: usize, piece_bytes: usize) -> Vec<usize> {
    let mut starts = vec![start];
    let len = b.len().saturating_sub(start);
    if threads <= 1 || len < 2 * piece_bytes {
        return starts;
    }
    let pieces = (len / piece_bytes.max(1)).max(threads * 2);
    for k in 1..pieces {
        let target = start + k * (len / pieces);
        if let Some(at) = likely_row_start(b, target.max(starts[starts.len() - 1] + 1)) {
            starts.push(at);
        }
    }
    starts.dedup();
    starts
}

fn likely_row_start(b: &[u8], from: usize) -> Option<usize> {
    let window = &b[from..(from + SEARCH_BYTES).min(b.len())];
    let mut i = 0;
    while let Some(off) = memchr(b'[', &window[i..]) {
        let at = i + off;
        let before = window[..at].iter().rev().copied();
        let mut before = before.filter(|&c| !is_json_whitespace(c));
        if before.next() == Some(b',') && before.next() == Some(b']') {
            return Some(from + at);
        }
        i = at + 1;
    }
    None
}

/// `f(i)` for i in 0..n on up to `threads` threads; None for any not run because an
/// earlier one failed.
type Decoding<T> = Result<T, Box<DecodeError>>;

fn run_parallel<T: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(usize) -> Decoding<T> + Sync,
) -> Vec<Option<Decoding<T>>> {
    if threads <= 1 || n <= 1 {
        return (0..n).map(|i| Some(guarded(|| f(i)))).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Decoding<T>>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.min(n) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let out = guarded(|| f(i));
                done.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(out);
            });
        }
    });
    done.into_inner().unwrap_or_else(|p| p.into_inner())
}

enum End {
    /// The next row starts here.
    Next(usize),
    /// The array's closing `]` is here.
    Closed(usize),
}

struct Piece {
    batches: Vec<RecordBatch>,
    rows: usize,
    end: End,
}

/// Decodes rows from `from` (a row's `[`, or the array's start) until the first row start
/// at or after `until`, or the end of the array. Row numbers in errors count from 0.
fn decode_piece(
    body: &str,
    from: usize,
    until: Option<usize>,
    columns: &[ColumnSpec],
    schema: &SchemaRef,
    batch_rows: usize,
) -> Result<Piece, Box<DecodeError>> {
    let span = until.unwrap_or(body.len()).saturating_sub(from);
    let capacity = (span / 100).max(1024).min(batch_rows);
    let mut sink = RowSink::new(columns, schema, batch_rows, capacity);
    let mut sc = Scanner::at(body, from);
    let mut row = 0usize;
    let end = if sc.peek() == Some(b']') {
        End::Closed(sc.position())
    } else {
        loop {
            sink.read_row(&mut sc, row)?;
            row += 1;
            if sc.eat(b',') {
                match sc.peek() {
                    Some(b'[') => {}
                    Some(b']') => return Err(malformed_rows("a comma after the last row", row)),
                    _ => continue, // not a row: reported by the next turn
                }
                if until.is_some_and(|u| sc.position() >= u) {
                    break End::Next(sc.position());
                }
                continue;
            }
            match sc.peek() {
                Some(b']') => break End::Closed(sc.position()),
                Some(_) => {
                    let at = sc.position();
                    let why = format!("expected ',' after a row at byte {at}");
                    return Err(malformed_rows(&why, row));
                }
                None => return Err(malformed_rows("the rows array is not terminated", row)),
            }
        }
    };
    Ok(Piece {
        batches: sink.finish()?,
        rows: row,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_rows, DEFAULT_BATCH_ROWS};
    use crate::types::column_spec;

    fn concat(b: &[RecordBatch]) -> RecordBatch {
        arrow_select::concat::concat_batches(&b[0].schema(), b).unwrap()
    }

    #[test]
    fn any_cut_gives_the_sequential_answer() {
        let columns = vec![
            column_spec("a", "UInt32", "UTC"),
            column_spec("s", "String", "UTC"),
            column_spec("l", "Array(Array(UInt8))", "UTC"),
        ];
        // Strings and nested arrays full of `],[` to mislead the guesses.
        let rows: Vec<String> = (0..3000)
            .map(|i| format!(r#"[{i}, "x],[{i}, \"]," , [[1],[2]]]"#))
            .collect();
        let array = format!("[{}]", rows.join(", "));
        let body = format!(r#"{{"result_rows": {array}, "tail": [1]}}"#);
        let start = body.find("[[").unwrap() + 1;
        let want = decode_rows(&array, &columns, 64).unwrap();
        for piece_bytes in [1usize, 7, 100, 5000, 1 << 20] {
            let got = decode_in_pieces(&body, start, &columns, 64, piece_bytes, 2).unwrap();
            assert_eq!((got.rows, got.close), (3000, start + array.len() - 2));
            assert_eq!(
                concat(&got.batches),
                concat(&want),
                "pieces of {piece_bytes}"
            );
        }
        let whole = decode_array(&body, start, &columns, DEFAULT_BATCH_ROWS).unwrap();
        assert_eq!((whole.rows, whole.close), (3000, start + array.len() - 2));
    }

    #[test]
    fn errors_count_rows_from_the_array_start() {
        let columns = vec![column_spec("a", "UInt8", "UTC")];
        let mut rows = vec!["[1]"; 40_000];
        rows[33_333] = "[300]";
        let body = format!(r#"{{"result_rows": [{}]}}"#, rows.join(",\n"));
        let start = body.find("[[").unwrap() + 1;
        for piece_bytes in [10, 1000, 1 << 20] {
            let e = decode_in_pieces(&body, start, &columns, 1000, piece_bytes, 2).unwrap_err();
            assert_eq!(e.row, Some(33_333));
        }
        for bad in ["[[1],]", "[[1] [2]]", "[[1],,[2]]", "[[1]", "[7]"] {
            assert!(decode_array(bad, 1, &columns, 10).is_err(), "{bad}");
        }
        let empty = decode_array("[ ] x", 1, &columns, 10).unwrap();
        assert_eq!((empty.rows, empty.close), (0, 2));
    }
}
