//! Finding the rows in a response without parsing them: one quick pass that records where
//! row-aligned chunks begin, so the rows can be decoded in parallel (or as they arrive),
//! and leaves the rest of the response (small) for serde.
//!
//! The framer is incremental: it takes the body in pieces as they come off the wire and
//! says when a chunk of whole rows is complete. It only tracks strings, bracket depth and
//! the `result_rows` key; every byte it skips is parsed strictly later, the rows by the
//! chunk decoders and the rest (the skeleton) by serde, so nothing goes unvalidated.

use memchr::memchr;

use super::scanner::{
    is_json_whitespace, next_quote_or_backslash, next_quote_or_bracket, whitespace_end,
};

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

/// Frames a whole body held in memory. `chunk_bytes` is the size chunks aim for.
pub fn frame(body: &str, chunk_bytes: usize) -> Result<Framed, String> {
    let mut f = Framer::new(chunk_bytes);
    f.feed(body.as_bytes(), 0)?;
    f.finish()
}

/// A run of whole rows of span `span`, complete and ready to decode: bytes
/// `start..end` of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkReady {
    pub span: usize,
    pub start: usize,
    pub end: usize,
    pub first_row: usize,
    pub rows: usize,
    /// The span's last chunk (no comma may end it).
    pub last: bool,
}

/// The envelope may nest this deep; result rows are bounded by the decoder instead.
const MAX_DEPTH: usize = 64;
const ROWS_KEY: &[u8] = b"result_rows";

/// Where the framer is between two pieces of the body.
enum Mode {
    /// Outside any rows array: copying the envelope into the skeleton.
    Envelope,
    /// Inside a rows array, `depth` brackets deep (1: between rows).
    Rows { depth: usize },
}

/// The incremental framer. Offsets are absolute positions in the whole body.
pub struct Framer {
    chunk_bytes: usize,
    /// The next byte to look at.
    pos: usize,
    mode: Mode,
    in_string: bool,
    /// The byte after a backslash inside a string is still to come.
    escaped: bool,
    /// Open envelope containers, `{` or `[`, to complete a prefix for serde.
    stack: Vec<u8>,
    /// The last string read in the envelope, when it is short enough to be the rows key.
    last_string: Vec<u8>,
    /// Where we are in recognising `"result_rows" :` before an array.
    key_state: KeyState,
    skeleton: Vec<u8>,
    spans: Vec<RowsSpan>,
    ready: Vec<ChunkReady>,
    /// For each rows array begun since the last `take_started`: its number and the
    /// envelope up to it, closed (see `prefix_document`).
    started: Vec<(usize, String)>,
    /// Whether rows without brackets or escapes take the vectorised path (`plain_rows`);
    /// off only in tests, which check both paths frame alike.
    plain_rows: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyState {
    None,
    /// The string `"result_rows"` just closed.
    Key,
    /// ... and its `:`: an array next is a rows array.
    Colon,
}

impl Framer {
    pub fn new(chunk_bytes: usize) -> Self {
        Framer {
            chunk_bytes: chunk_bytes.max(1),
            pos: 0,
            mode: Mode::Envelope,
            in_string: false,
            escaped: false,
            stack: Vec::new(),
            last_string: Vec::new(),
            key_state: KeyState::None,
            skeleton: Vec::with_capacity(4096),
            spans: Vec::new(),
            ready: Vec::new(),
            started: Vec::new(),
            plain_rows: true,
        }
    }

    /// A framer that stops at every quote and bracket, to check `plain_rows` against.
    #[cfg(test)]
    pub fn byte_by_byte(chunk_bytes: usize) -> Self {
        Framer {
            plain_rows: false,
            ..Framer::new(chunk_bytes)
        }
    }

    /// How many rows arrays have begun so far.
    pub fn spans_started(&self) -> usize {
        self.spans.len()
    }

    /// The rows arrays begun since the last call, each with the envelope before it as a
    /// closed JSON document: what serde needs to read its column types before its rows.
    pub fn take_started(&mut self) -> Vec<(usize, String)> {
        std::mem::take(&mut self.started)
    }

    /// The first byte not yet looked at; bytes before it need not be fed again.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Where the chunk under way in a rows array began: bytes from there on must stay
    /// available to whoever decodes it.
    pub fn open_chunk_start(&self) -> Option<usize> {
        match self.mode {
            Mode::Rows { .. } => self.spans.last().and_then(|s| s.chunks.last()).map(|c| c.0),
            Mode::Envelope => None,
        }
    }

    /// Looks at `window`, the body's bytes from absolute offset `base`, which must cover
    /// `position()` onwards. Chunks completed meanwhile are collected for `take_ready`.
    pub fn feed(&mut self, window: &[u8], base: usize) -> Result<(), String> {
        while self.feed_until_rows(window, base)? {}
        Ok(())
    }

    /// Like `feed`, but returns true as soon as a rows array begins (the position is then
    /// just past its `[`), so the caller may decode it itself (see `rows_decoded`).
    pub fn feed_until_rows(&mut self, window: &[u8], base: usize) -> Result<bool, String> {
        while self.pos < base + window.len() {
            match self.mode {
                Mode::Envelope => {
                    self.envelope(window, base)?;
                    if matches!(self.mode, Mode::Rows { .. }) {
                        return Ok(true);
                    }
                }
                Mode::Rows { depth } => self.rows(window, base, depth)?,
            }
        }
        Ok(false)
    }

    /// The rows array just begun was decoded elsewhere: it holds `rows` rows and its
    /// closing `]` is at `close`. Framing resumes after it.
    pub fn rows_decoded(&mut self, close: usize, rows: usize) {
        if let Some(span) = self.spans.last_mut() {
            span.end = close;
            span.rows = rows;
        }
        self.mode = Mode::Envelope;
        self.pos = close + 1;
    }

    /// Chunks completed since the last call, in body order.
    pub fn take_ready(&mut self) -> Vec<ChunkReady> {
        std::mem::take(&mut self.ready)
    }

    /// The skeleton so far, closed with the brackets still open: a JSON document serde can
    /// read for what precedes the current position, when that is the start of a value.
    fn prefix_document(&self) -> String {
        let mut doc = String::from_utf8_lossy(&self.skeleton).into_owned();
        for &open in self.stack.iter().rev() {
            doc.push(if open == b'{' { '}' } else { ']' });
        }
        doc
    }

    /// Ends the body: the skeleton and every span, or why the body is incomplete.
    pub fn finish(self) -> Result<Framed, String> {
        if matches!(self.mode, Mode::Rows { .. }) {
            return Err("the rows array is not terminated (the body ended early)".into());
        }
        if self.in_string {
            return Err("the body ended inside a string".into());
        }
        let skeleton = String::from_utf8(self.skeleton)
            .map_err(|_| "the response is not UTF-8".to_string())?;
        Ok(Framed {
            skeleton,
            spans: self.spans,
        })
    }

    /// Copies envelope bytes into the skeleton until a rows array starts or the window ends.
    fn envelope(&mut self, window: &[u8], base: usize) -> Result<(), String> {
        let start = self.pos - base;
        for (i, &c) in window[start..].iter().enumerate() {
            let at = base + start + i;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    self.last_string.clear(); // an escaped key is never taken for the rows key
                    self.last_string.push(0);
                } else if c == b'\\' {
                    self.escaped = true;
                } else if c == b'"' {
                    self.in_string = false;
                    self.key_state = if self.last_string == ROWS_KEY {
                        KeyState::Key
                    } else {
                        KeyState::None
                    };
                } else if self.last_string.len() <= ROWS_KEY.len() {
                    self.last_string.push(c);
                }
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
                    self.start_rows(at);
                    self.pos = at + 1;
                    return Ok(());
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
        self.pos = base + window.len();
        Ok(())
    }

    fn start_rows(&mut self, open: usize) {
        self.skeleton
            .extend_from_slice(self.spans.len().to_string().as_bytes());
        self.started
            .push((self.spans.len(), self.prefix_document()));
        self.spans.push(RowsSpan {
            start: open + 1,
            end: open + 1,
            chunks: vec![(open + 1, 0)],
            rows: 0,
        });
        self.mode = Mode::Rows { depth: 1 };
    }

    /// Scans rows, jumping (eight bytes at a time) from one `"`, `[` or `]` to the next: objects are
    /// balanced inside a row and never change the array depth. A row that is not an array
    /// is left for the chunk decoder to reject.
    fn rows(&mut self, window: &[u8], base: usize, mut depth: usize) -> Result<(), String> {
        let b = window;
        let mut i = self.pos - base;
        let result = loop {
            if self.in_string {
                match self.skip_string(b, i) {
                    Some(next) => i = next,
                    None => break Ok(b.len()),
                }
            }
            if depth == 1 && self.plain_rows {
                i = self.plain_rows(b, base, i);
            }
            let Some(at) = next_quote_or_bracket(b, i) else {
                break Ok(b.len());
            };
            i = at;
            match b[i] {
                b'"' => self.in_string = true,
                b'[' => {
                    if depth == 1 {
                        self.row_starts(base + i);
                    }
                    depth += 1;
                }
                _ => {
                    depth -= 1;
                    if depth == 0 {
                        self.end_rows(base + i);
                        self.pos = base + i + 1;
                        return Ok(());
                    }
                }
            }
            i += 1;
        };
        self.mode = Mode::Rows { depth };
        result.map(|end| self.pos = base + end)
    }

    /// Frames whole rows from `i`, between rows (depth 1, outside strings), a few
    /// vectorised passes per row instead of a stop at every quote: a row holding no `[`
    /// and no `\\` has only quotes that open or close strings, so its first `]` after an
    /// even number of them closes it. Returns where the byte-by-byte scan takes over: a
    /// row that does not qualify, the array's last row, or the end of the window.
    fn plain_rows(&mut self, b: &[u8], base: usize, mut i: usize) -> usize {
        loop {
            // The comma after the row before, when the byte-by-byte scan framed that row.
            let comma = whitespace_end(b, i);
            let open = whitespace_end(b, comma + usize::from(b.get(comma) == Some(&b',')));
            if b.get(open) != Some(&b'[') {
                return i;
            }
            let Some(close) = b.get(open + 1..).and_then(|rest| memchr(b']', rest)) else {
                return i;
            };
            let close = open + 1 + close;
            let (odd_quotes, special) = odd_quotes_or_specials(&b[open + 1..close]);
            let next = whitespace_end(b, close + 1);
            if odd_quotes || special || b.get(next) != Some(&b',') {
                return i;
            }
            self.row_starts(base + open);
            i = next + 1;
        }
    }

    /// Skips string content from `i`; the index after the closing quote, or None when the
    /// window ends first (the state says where to resume).
    fn skip_string(&mut self, b: &[u8], mut i: usize) -> Option<usize> {
        if self.escaped {
            if i >= b.len() {
                return None;
            }
            self.escaped = false;
            i += 1;
        }
        loop {
            i = next_quote_or_backslash(b, i)?;
            if b[i] == b'"' {
                self.in_string = false;
                return Some(i + 1);
            }
            if i + 1 >= b.len() {
                self.escaped = true;
                return None;
            }
            i += 2;
        }
    }

    fn row_starts(&mut self, at: usize) {
        let span = self.spans.last_mut().expect("in a rows array");
        let (chunk_start, first_row) = *span.chunks.last().expect("a span has a chunk");
        if span.rows > first_row && at - chunk_start >= self.chunk_bytes {
            self.chunk_ends(at, false);
            let span = self.spans.last_mut().expect("in a rows array");
            span.chunks.push((at, span.rows));
        }
        self.spans.last_mut().expect("in a rows array").rows += 1;
    }

    fn end_rows(&mut self, close: usize) {
        self.spans.last_mut().expect("in a rows array").end = close;
        self.chunk_ends(close, true);
        self.mode = Mode::Envelope;
    }

    /// The chunk under way in the current rows array ends at `end`: ready to decode.
    fn chunk_ends(&mut self, end: usize, last: bool) {
        let span_index = self.spans.len() - 1;
        let span = &self.spans[span_index];
        let (start, first_row) = *span.chunks.last().expect("a span has a chunk");
        self.ready.push(ChunkReady {
            span: span_index,
            start,
            end,
            first_row,
            rows: span.rows - first_row,
            last,
        });
    }
}

/// Whether the bytes hold an odd number of `"`, and whether any is `[` or `\\`. Lane by
/// lane over blocks of 32, without early exits, so that it compiles to SIMD compares (a
/// lane's count may wrap: only its parity is used).
fn odd_quotes_or_specials(bytes: &[u8]) -> (bool, bool) {
    let mut quotes = [0u8; 32];
    let mut specials = [0u8; 32];
    let mut add = |block: &[u8; 32]| {
        for k in 0..32 {
            quotes[k] = quotes[k].wrapping_add(u8::from(block[k] == b'"'));
            specials[k] |= u8::from(block[k] == b'[') | u8::from(block[k] == b'\\');
        }
    };
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        add(block.try_into().expect("32 bytes"));
    }
    // The tail, padded with zero bytes (neither quotes nor specials).
    let mut tail = [0u8; 32];
    tail[..blocks.remainder().len()].copy_from_slice(blocks.remainder());
    add(&tail);
    // Folded eight lanes at a time: bit 0 of the result is the parity of all the counts.
    let words = |lanes: &[u8; 32]| -> [u64; 4] {
        std::array::from_fn(|k| u64::from_le_bytes(lanes[8 * k..8 * k + 8].try_into().expect("8")))
    };
    let mut parity = words(&quotes).iter().fold(0, |acc, w| acc ^ w);
    parity ^= parity >> 32;
    parity ^= parity >> 16;
    parity ^= parity >> 8;
    (parity & 1 == 1, words(&specials).iter().any(|&w| w != 0))
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
    fn truncated_responses_are_errors() {
        // Everything else malformed is left for serde (the skeleton) and the decoders.
        for bad in [
            r#"{"result_rows": [[1, "x]]}"#,
            r#"{"result_rows": [[1]"#,
            r#"{"a": "b"#,
        ] {
            assert!(frame(bad, 8).is_err(), "{bad:?}");
        }
        assert!(frame(r#"{"a": } x"#, 8).is_ok());
    }

    #[test]
    fn piece_by_piece_matches_whole() {
        let body = r#"{"x": "a\"b", "result_rows": [[1, "x]\"["], [2, "\\"], [3, {"k": "]"}]], "result_rows": 5}"#;
        let whole = frame(body, 1).unwrap();
        for cut in 1..body.len() {
            // Feed in two pieces, keeping only what the framer still needs.
            let mut f = Framer::new(1);
            f.feed(&body.as_bytes()[..cut], 0).unwrap();
            let keep = f.position();
            f.feed(&body.as_bytes()[keep..], keep).unwrap();
            let mut ready = f.take_ready();
            let framed = f.finish().unwrap();
            assert_eq!(framed.skeleton, whole.skeleton, "cut at {cut}");
            assert_eq!(framed.spans, whole.spans, "cut at {cut}");
            ready.sort_by_key(|c| c.start);
            assert_eq!(ready.len(), 3);
            assert_eq!((ready[2].rows, ready[2].last), (1, true));
        }
    }

    #[test]
    fn the_prefix_document_closes_what_is_open() {
        let body = r#"[{"column_types": ["UInt8"], "result_rows": [[1],"#;
        let mut f = Framer::new(1 << 20);
        f.feed(body.as_bytes(), 0).unwrap();
        assert_eq!(
            f.take_started(),
            vec![(
                0,
                r#"[{"column_types": ["UInt8"], "result_rows": 0}]"#.to_string()
            )]
        );
        assert_eq!(f.open_chunk_start(), Some(body.find("[[").unwrap() + 1));
    }
}
