//! Finding the rows in a response without parsing them: one quick pass that records where
//! row-aligned chunks begin, so the rows can be decoded in parallel, and leaves the rest of
//! the response (small) for serde.
//!
//! The framer only tracks strings and bracket depth; every byte it skips is parsed strictly
//! later by the chunk decoders, so nothing goes unvalidated.

use memchr::{memchr2, memchr3};

use super::scanner::Scanner;

/// The rows array of one result: where it is and where its chunks start.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsSpan {
    /// Byte range of the array's contents (between its brackets).
    pub start: usize,
    pub end: usize,
    /// (byte offset, index of the row starting there) for each chunk.
    pub chunks: Vec<(usize, usize)>,
    pub rows: usize,
}

impl RowsSpan {
    /// The text of chunk `i`: whole rows separated (and perhaps ended) by commas.
    pub fn chunk<'a>(&self, body: &'a str, i: usize) -> (&'a str, usize) {
        let (from, first_row) = self.chunks[i];
        let to = self.chunks.get(i + 1).map_or(self.end, |c| c.0);
        (&body[from..to], first_row)
    }
}

/// A response with each `result_rows` array replaced by its index in `spans`.
pub struct Framed {
    pub skeleton: String,
    pub spans: Vec<RowsSpan>,
}

/// Walks `body`, a JSON document, replacing every array under a `result_rows` key by the
/// number of its span. `chunk_bytes` is the size chunks aim for.
pub fn frame(body: &str, chunk_bytes: usize) -> Result<Framed, String> {
    let mut w = Walker {
        body,
        sc: Scanner::new(body),
        skeleton: String::with_capacity(4096),
        copied_to: 0,
        spans: Vec::new(),
        chunk_bytes: chunk_bytes.max(1),
    };
    w.value(0)?;
    if !w.sc.at_end() {
        return Err(format!(
            "unexpected text after the response at byte {}",
            w.sc.position()
        ));
    }
    w.skeleton.push_str(&body[w.copied_to..]);
    Ok(Framed {
        skeleton: w.skeleton,
        spans: w.spans,
    })
}

const MAX_DEPTH: usize = 64;

struct Walker<'a> {
    body: &'a str,
    sc: Scanner<'a>,
    skeleton: String,
    copied_to: usize,
    spans: Vec<RowsSpan>,
    chunk_bytes: usize,
}

impl Walker<'_> {
    fn value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("response nested too deeply".into());
        }
        match self.sc.peek() {
            Some(b'{') => {
                self.sc.expect(b'{', "{")?;
                if self.sc.eat(b'}') {
                    return Ok(());
                }
                loop {
                    let key = self.sc.value()?;
                    self.sc.expect(b':', "':' after a key")?;
                    let is_rows =
                        matches!(&key, super::scanner::Value::Str(k) if k == "result_rows");
                    if is_rows && self.sc.peek() == Some(b'[') {
                        self.rows()?;
                    } else {
                        self.value(depth + 1)?;
                    }
                    if self.sc.eat(b'}') {
                        return Ok(());
                    }
                    self.sc.expect(b',', "',' or '}' in an object")?;
                }
            }
            Some(b'[') => {
                self.sc.expect(b'[', "[")?;
                if self.sc.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.value(depth + 1)?;
                    if self.sc.eat(b']') {
                        return Ok(());
                    }
                    self.sc.expect(b',', "',' or ']' in an array")?;
                }
            }
            _ => self.sc.value().map(|_| ()),
        }
    }

    /// Frames the rows array at the scanner, records it, and puts its index in the skeleton.
    fn rows(&mut self) -> Result<(), String> {
        let open = self.sc.position();
        let span = frame_rows(self.body, open, self.chunk_bytes)?;
        self.skeleton.push_str(&self.body[self.copied_to..open]);
        self.skeleton.push_str(&self.spans.len().to_string());
        self.copied_to = span.end + 1; // past the closing bracket
        self.sc = Scanner::at(self.body, span.end + 1);
        self.spans.push(span);
        Ok(())
    }
}

/// Frames the array whose `[` is at `open`: row starts at depth 1, chunk boundaries every
/// `chunk_bytes`, and the position of the closing `]`.
///
/// Only strings and square brackets matter here: objects are balanced inside a row and
/// never change the array depth, so the scan jumps (SIMD memchr) from one `"`, `[` or `]`
/// to the next. A row that is not an array is left for the chunk decoder to reject.
fn frame_rows(body: &str, open: usize, chunk_bytes: usize) -> Result<RowsSpan, String> {
    let b = body.as_bytes();
    let mut i = open + 1;
    let mut depth = 1usize;
    let mut rows = 0usize;
    let mut chunks = Vec::new();
    let mut last_chunk = usize::MAX;
    while let Some(off) = memchr3(b'"', b'[', b']', &b[i..]) {
        i += off;
        match b[i] {
            b'"' => {
                // Skip the string: to the next quote not escaped.
                i += 1;
                loop {
                    let off = b
                        .get(i..)
                        .and_then(|rest| memchr2(b'"', b'\\', rest))
                        .ok_or_else(|| format!("unterminated string in rows after byte {i}"))?;
                    i += off;
                    if b[i] == b'\\' {
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                }
                continue;
            }
            b'[' => {
                if depth == 1 {
                    if last_chunk == usize::MAX || i - last_chunk >= chunk_bytes {
                        chunks.push((i, rows));
                        last_chunk = i;
                    }
                    rows += 1;
                }
                depth += 1;
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    if chunks.is_empty() {
                        chunks.push((open + 1, 0));
                    }
                    return Ok(RowsSpan {
                        start: open + 1,
                        end: i,
                        chunks,
                        rows,
                    });
                }
            }
        }
        i += 1;
    }
    Err("the rows array is not terminated".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_rows_and_keeps_the_rest() {
        let body = r#"[{"a": 1, "result_rows": [[1, "x]\"["], [2, "y"], [3, null]], "z": [1]},
                      {"result_rows": []}, {"result_rows": null}]"#;
        let f = frame(body, 1).unwrap();
        assert_eq!(
            f.skeleton,
            r#"[{"a": 1, "result_rows": 0, "z": [1]},
                      {"result_rows": 1}, {"result_rows": null}]"#
        );
        let s = &f.spans[0];
        assert_eq!((s.rows, s.chunks.len()), (3, 3));
        assert_eq!(s.chunk(body, 1), (r#"[2, "y"], "#, 1));
        assert_eq!(s.chunk(body, 2), (r#"[3, null]"#, 2));
        assert_eq!((f.spans[1].rows, f.spans[1].chunks.len()), (0, 1));
        let big = frame(body, 1 << 20).unwrap();
        assert_eq!(big.spans[0].chunks, vec![(s.chunks[0].0, 0)]);
    }

    #[test]
    fn malformed_responses_are_errors() {
        for bad in [
            r#"{"result_rows": [[1, "x]]}"#,
            r#"{"result_rows": [[1]"#,
            r#"{"a": }"#,
            r#"{"result_rows": [[1]]} x"#,
            "",
        ] {
            assert!(frame(bad, 8).is_err(), "{bad:?}");
        }
    }
}
