//! The JSON around a response's rows arrays, read incrementally: copied into a skeleton
//! (each rows array replaced by its number) for serde, with a word to the caller each time
//! a rows array begins, so its rows can go to the decoders without being scanned here.
//!
//! Only strings, nesting and the rows key are tracked; every byte passed over is parsed
//! strictly later (the skeleton by serde, the rows by the decoders).

use super::scanner::is_json_whitespace;

/// The envelope may nest this deep; rows are bounded by the decoder instead.
const MAX_DEPTH: usize = 64;

/// What a piece of envelope held.
#[derive(Debug, PartialEq)]
pub enum Fed {
    /// All of it was envelope.
    All,
    /// A rows array begins: the piece's bytes from `after` on are its contents.
    RowsBegin {
        span: usize,
        /// The envelope before the array, closed into a JSON document (see `prefix`).
        prefix: String,
        after: usize,
    },
}

/// A body's envelope with each rows array replaced by its number, 0, 1, ... in body order.
pub struct Skeleton {
    pub text: String,
    pub spans: usize,
}

pub struct Envelope {
    rows_key: Vec<u8>,
    in_string: bool,
    /// The byte after a backslash inside a string is still to come.
    escaped: bool,
    /// Open containers, `{` or `[`, to close a prefix for serde.
    stack: Vec<u8>,
    /// The last string read, while it can still be the rows key.
    last_string: Vec<u8>,
    key_state: KeyState,
    skeleton: Vec<u8>,
    spans: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyState {
    None,
    /// The rows key's string just closed.
    Key,
    /// ... and its `:`: an array next is a rows array.
    Colon,
}

impl Envelope {
    /// An envelope whose rows arrays are the values of `rows_key` (Roe: `result_rows`).
    pub fn new(rows_key: &str) -> Self {
        Envelope {
            rows_key: rows_key.as_bytes().to_vec(),
            in_string: false,
            escaped: false,
            stack: Vec::new(),
            last_string: Vec::new(),
            key_state: KeyState::None,
            skeleton: Vec::with_capacity(4096),
            spans: 0,
        }
    }

    /// How many rows arrays have begun so far.
    pub fn spans_begun(&self) -> usize {
        self.spans
    }

    /// Copies `piece` into the skeleton up to the start of a rows array, if one begins in it.
    pub fn feed(&mut self, piece: &[u8]) -> Result<Fed, String> {
        for (i, &c) in piece.iter().enumerate() {
            if self.in_string {
                self.string_byte(c);
                self.skeleton.push(c);
                continue;
            }
            if is_json_whitespace(c) {
                self.skeleton.push(c);
                continue;
            }
            let key_state = std::mem::replace(&mut self.key_state, KeyState::None);
            match c {
                b'"' => {
                    self.in_string = true;
                    self.last_string.clear();
                }
                b':' if key_state == KeyState::Key => self.key_state = KeyState::Colon,
                b'[' if key_state == KeyState::Colon => {
                    let span = self.spans;
                    self.spans += 1;
                    self.skeleton.extend_from_slice(span.to_string().as_bytes());
                    return Ok(Fed::RowsBegin {
                        span,
                        prefix: self.prefix(),
                        after: i + 1,
                    });
                }
                b'{' | b'[' => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err("response nested too deeply".into());
                    }
                    self.stack.push(c);
                }
                b'}' | b']' => {
                    self.stack.pop();
                }
                _ => {}
            }
            self.skeleton.push(c);
        }
        Ok(Fed::All)
    }

    fn string_byte(&mut self, c: u8) {
        if self.escaped {
            self.escaped = false;
            // An escaped key is never taken for the rows key.
            self.last_string.clear();
            self.last_string.push(0);
        } else if c == b'\\' {
            self.escaped = true;
        } else if c == b'"' {
            self.in_string = false;
            if self.last_string == self.rows_key {
                self.key_state = KeyState::Key;
            }
        } else if self.last_string.len() <= self.rows_key.len() {
            self.last_string.push(c);
        }
    }

    /// The skeleton so far closed with the brackets still open: a JSON document serde can
    /// read for what precedes a rows array (its result's column names and types).
    fn prefix(&self) -> String {
        let mut doc = String::from_utf8_lossy(&self.skeleton).into_owned();
        for &open in self.stack.iter().rev() {
            doc.push(if open == b'{' { '}' } else { ']' });
        }
        doc
    }

    /// Ends the body: the skeleton, or why the body is incomplete.
    pub fn finish(self) -> Result<Skeleton, String> {
        if self.in_string {
            return Err("the body ended inside a string".into());
        }
        let text = String::from_utf8(self.skeleton)
            .map_err(|_| "the response is not UTF-8".to_string())?;
        Ok(Skeleton {
            text,
            spans: self.spans,
        })
    }
}

/// Finds where a JSON array ends, fed in pieces from just past its `[`: strings and nesting
/// only, for arrays that cannot be decoded yet and to tell a row cut short from a bad one.
#[derive(Default)]
pub struct ArrayEnd {
    /// Brackets open inside the array.
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl ArrayEnd {
    /// The index in `piece` of the array's closing `]`, if it is there.
    pub fn feed(&mut self, piece: &[u8]) -> Option<usize> {
        for (i, &c) in piece.iter().enumerate() {
            if self.in_string {
                match c {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                b'"' => self.in_string = true,
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' if self.depth == 0 => return Some(i),
                b']' | b'}' => self.depth -= 1,
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skeleton_of(body: &str) -> (String, Vec<(usize, String)>) {
        let mut e = Envelope::new("result_rows");
        let mut rest = body.as_bytes();
        let mut begun = Vec::new();
        while let Fed::RowsBegin {
            span,
            prefix,
            after,
        } = e.feed(rest).unwrap()
        {
            begun.push((span, prefix));
            let end = ArrayEnd::default().feed(&rest[after..]).unwrap();
            rest = &rest[after + end + 1..];
        }
        (e.finish().unwrap().text, begun)
    }

    #[test]
    fn rows_arrays_become_numbers() {
        let body = r#"[{"a": "result_rows", "result_rows": [[1, "x]\"["], [2]], "z": [1]},
                      {"result_rows": []}, {"result_rows": null}, {"re\"sult_rows": [1]}]"#;
        let (skeleton, begun) = skeleton_of(body);
        assert_eq!(
            skeleton,
            r#"[{"a": "result_rows", "result_rows": 0, "z": [1]},
                      {"result_rows": 1}, {"result_rows": null}, {"re\"sult_rows": [1]}]"#
        );
        assert_eq!(
            begun[0],
            (0, r#"[{"a": "result_rows", "result_rows": 0}]"#.into())
        );
        assert_eq!(begun.len(), 2);
    }

    #[test]
    fn a_byte_at_a_time_is_the_same() {
        let body = r#"{"x": "a\"b", "result_rows": [[1]], "y": 2}"#;
        let mut e = Envelope::new("result_rows");
        let mut fed = Vec::new();
        for (i, b) in body.bytes().enumerate() {
            if let Fed::RowsBegin { after, .. } = e.feed(&[b]).unwrap() {
                fed.push((i, after));
                break;
            }
        }
        assert_eq!(fed, vec![(body.find("[[").unwrap(), 1)]);
    }

    #[test]
    fn the_rows_key_is_a_parameter() {
        let mut e = Envelope::new("rows");
        let fed = e.feed(br#"{"result_rows": [1], "rows": [[1]]}"#).unwrap();
        assert!(matches!(
            fed,
            Fed::RowsBegin {
                span: 0,
                after: 30,
                ..
            }
        ));
    }

    #[test]
    fn array_end_skips_strings_and_nesting() {
        let rows = br#"[1, "]\"]"], {"k": "]"}, [[]]] tail"#;
        assert_eq!(ArrayEnd::default().feed(rows), Some(rows.len() - 6));
        for cut in 1..rows.len() - 6 {
            let mut end = ArrayEnd::default();
            assert_eq!(end.feed(&rows[..cut]), None);
            assert_eq!(
                end.feed(&rows[cut..]).map(|i| i + cut),
                Some(rows.len() - 6)
            );
        }
    }
}
