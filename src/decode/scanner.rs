//! A scanner for the one JSON shape results come in: an array of rows, each an array of
//! scalars (or nested values, kept as raw text).
//!
//! Why not serde_json values: numbers must reach the builders as their exact text (a
//! Decimal(38, 10) or a UInt64 does not survive f64), strings without escapes are borrowed
//! rather than copied, and errors must say where in the body they are.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// A JSON number, as written.
    Number(&'a str),
    Str(Cow<'a, str>),
    /// An array or object, as written (validated for balance, not parsed).
    Nested(&'a str),
}

impl Value<'_> {
    /// A short rendering for error messages.
    pub fn excerpt(&self) -> String {
        let full = match self {
            Value::Null => return "null".into(),
            Value::Bool(b) => return b.to_string(),
            Value::Number(n) => (*n).to_owned(),
            Value::Str(s) => format!("{s:?}"),
            Value::Nested(n) => (*n).to_owned(),
        };
        truncate(&full, 48)
    }
}

pub fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// How many whole rows of a chunk's text (`row, row, ...`) end before `offset`: the row
/// that byte `offset` is in, counted from the chunk's first. For error messages only.
pub fn rows_before(rows: &[u8], offset: usize) -> usize {
    let (mut depth, mut in_string, mut escaped, mut count) = (0usize, false, false, 0);
    for &b in &rows[..offset.min(rows.len())] {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => count += 1,
            _ => {}
        }
    }
    count
}

/// Space, tab, line feed or carriage return: the only whitespace JSON allows.
#[inline(always)]
pub(super) fn is_json_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// The index of the first byte at or after `i` that is not JSON whitespace.
#[inline(always)]
pub(super) fn whitespace_end(b: &[u8], i: usize) -> usize {
    let rest = b.get(i..).unwrap_or_default();
    i + rest.iter().take_while(|&&c| is_json_whitespace(c)).count()
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is `"`, `\\` or a control character. Exact for the
/// lowest flagged byte (borrows can only flag bytes above a true match), which is the one
/// `string_end` uses.
#[inline]
fn specials(w: u64) -> u64 {
    let quote = w ^ (ONES * b'"' as u64);
    let backslash = w ^ (ONES * b'\\' as u64);
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    (has_zero(quote) | has_zero(backslash) | below_space) & HIGHS
}

/// The high bit of each byte of `w` equal to `c` (exact for the lowest one, as `specials`).
#[inline(always)]
fn equal_to(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * c as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The index of the first byte at or after `i` for which `hit` flags a match, eight bytes
/// at a time: short gaps between matches make a SIMD search's setup cost more than it saves.
#[inline(always)]
pub fn find_swar(
    b: &[u8],
    mut i: usize,
    hit: impl Fn(u64) -> u64,
    one: impl Fn(u8) -> bool,
) -> Option<usize> {
    while let Some(word) = b.get(i..i + 8) {
        let m = hit(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| one(c)).map(|p| i + p)
}

/// The next `"`, `[` or `]` at or after `i`: what the framer looks for between strings.
#[inline]
pub fn next_quote_or_bracket(b: &[u8], i: usize) -> Option<usize> {
    find_swar(
        b,
        i,
        |w| equal_to(w, b'"') | equal_to(w, b'[') | equal_to(w, b']'),
        |c| matches!(c, b'"' | b'[' | b']'),
    )
}

/// The next `"` or `\\` at or after `i`: where a string ends or escapes.
#[inline]
pub fn next_quote_or_backslash(b: &[u8], i: usize) -> Option<usize> {
    find_swar(
        b,
        i,
        |w| equal_to(w, b'"') | equal_to(w, b'\\'),
        |c| matches!(c, b'"' | b'\\'),
    )
}

/// The index of the first `"`, `\\` or control character at or after `i`: where a string
/// starting before `i` ends or needs a closer look. Eight bytes at a time, since result
/// strings are mostly short and a SIMD search's setup would cost more than it saves.
#[inline]
pub fn string_end(b: &[u8], i: usize) -> Option<usize> {
    find_swar(b, i, specials, |c| c == b'"' || c == b'\\' || c < 0x20)
}

/// The high bit of each byte of `w` that is not an ASCII digit (exact for every byte).
#[inline(always)]
pub(super) fn non_digits(w: u64) -> u64 {
    // Per byte, without carries between bytes (7-bit values plus at most 0x50):
    // high bit of y + 0x46 means y >= b'9' + 1, of y + 0x50 means y >= b'0'.
    let y = w & !HIGHS;
    let above_nine = y.wrapping_add(ONES * 0x46);
    let from_zero = y.wrapping_add(ONES * 0x50);
    (above_nine | !from_zero | w) & HIGHS
}

/// The end of the run of ASCII digits starting at `i`, eight bytes at a time.
#[inline(always)]
fn digits_end(b: &[u8], mut i: usize) -> usize {
    while let Some(word) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let not_digit = non_digits(w);
        if not_digit != 0 {
            return i + (not_digit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Where the JSON number starting at `start` ends; None if it is not one.
#[inline(always)]
fn number_end(b: &[u8], start: usize) -> Option<usize> {
    let digits = |i: usize| digits_end(b, i);
    let mut i = start + usize::from(b.get(start) == Some(&b'-'));
    let int_end = digits(i);
    if int_end == i {
        return None;
    }
    i = int_end;
    if b.get(i) == Some(&b'.') {
        let frac_end = digits(i + 1);
        if frac_end == i + 1 {
            return None;
        }
        i = frac_end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_end = digits(i);
        if exp_end == i {
            return None;
        }
        i = exp_end;
    }
    Some(i)
}

pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

/// Nesting deeper than this in a single value is refused, bounding work on hostile input.
const MAX_NESTING: usize = 512;

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    /// A scanner over `text` starting at byte `pos`.
    pub fn at(text: &'a str, pos: usize) -> Self {
        Scanner { text, pos }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not whitespace (consuming the whitespace).
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        let c = *self.bytes().get(self.pos)?;
        // Every byte below '!' is whitespace or invalid JSON: one compare decides.
        if c > b' ' {
            return Some(c);
        }
        self.skip_whitespace()
    }

    fn skip_whitespace(&mut self) -> Option<u8> {
        let b = self.bytes();
        self.pos = whitespace_end(b, self.pos);
        b.get(self.pos).copied()
    }

    /// Consumes the separator `c` and one space after it, the way services write them
    /// (`, `), in a few compares; any other spacing takes the general path.
    #[inline(always)]
    pub fn eat_separator(&mut self, c: u8) -> bool {
        let b = self.bytes();
        if b.get(self.pos) != Some(&c) {
            return self.eat(c);
        }
        self.pos += 1;
        if b.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
        true
    }

    /// Consumes `c` if it is next; says whether it did.
    pub fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, c: u8, what: &str) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {what} at byte {}", self.pos))
        }
    }

    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// The text between `start` and the current position, for error excerpts.
    pub fn text_between(&self, start: usize) -> &'a str {
        &self.text[start.min(self.pos)..self.pos]
    }

    /// A number's text, or a string's content when it has no escapes, consumed; None
    /// (nothing consumed) for anything else, which the caller reads (or has reported)
    /// with `value()`. Small and inlined: it is the decoder's innermost step.
    #[inline(always)]
    pub fn plain_scalar(&mut self) -> Option<&'a str> {
        let b = self.bytes();
        match self.peek()? {
            b'-' | b'0'..=b'9' => {
                let end = number_end(b, self.pos)?;
                let text = &self.text[self.pos..end];
                self.pos = end;
                Some(text)
            }
            b'"' => {
                let start = self.pos + 1;
                let end = string_end(b, start)?;
                if b[end] != b'"' {
                    return None; // an escape or a control character: value() deals with it
                }
                self.pos = end + 1;
                Some(&self.text[start..end])
            }
            _ => None,
        }
    }

    /// Consumes `null` if it is next.
    #[inline]
    pub fn eat_null(&mut self) -> bool {
        self.eat_word(b"null")
    }

    /// Consumes `true` or `false` if next.
    #[inline]
    pub fn eat_bool(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' if self.eat_word(b"true") => Some(true),
            b'f' if self.eat_word(b"false") => Some(false),
            _ => None,
        }
    }

    #[inline]
    fn eat_word(&mut self, word: &[u8]) -> bool {
        if self.peek() == Some(word[0]) && self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    pub fn value(&mut self) -> Result<Value<'a>, String> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::Str),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.number()?)),
            Some(b'[' | b'{') => self.nested().map(Value::Nested),
            Some(_) => Err(format!("invalid JSON value at byte {}", self.pos)),
            None => Err("unexpected end of JSON".into()),
        }
    }

    fn literal(&mut self, word: &str, v: Value<'a>) -> Result<Value<'a>, String> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(format!("invalid JSON literal at byte {}", self.pos))
        }
    }

    fn number(&mut self) -> Result<&'a str, String> {
        let start = self.pos;
        let end = number_end(self.bytes(), start)
            .ok_or_else(|| format!("invalid number at byte {start}"))?;
        self.pos = end;
        Ok(&self.text[start..end])
    }

    /// A JSON string; borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        let b = self.bytes();
        let start = self.pos + 1;
        let Some(i) = string_end(b, start) else {
            return Err(format!(
                "unterminated string starting at byte {}",
                start - 1
            ));
        };
        if b[i] < 0x20 {
            return Err(format!("control character in string at byte {i}"));
        }
        if b[i] == b'\\' {
            return self.string_with_escapes(start, i);
        }
        self.pos = i + 1;
        Ok(Cow::Borrowed(&self.text[start..i]))
    }

    fn string_with_escapes(
        &mut self,
        start: usize,
        first_escape: usize,
    ) -> Result<Cow<'a, str>, String> {
        let b = self.bytes();
        let mut out = String::with_capacity(first_escape - start + 16);
        out.push_str(&self.text[start..first_escape]);
        let mut i = first_escape;
        let mut run = i;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    out.push_str(&self.text[run..i]);
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(&self.text[run..i]);
                    let esc = *b.get(i + 1).ok_or("unterminated escape")?;
                    i += 2;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let (c, used) = self.unicode_escape(i)?;
                            out.push(c);
                            i += used;
                        }
                        _ => return Err(format!("invalid escape at byte {}", i - 2)),
                    }
                    run = i;
                }
                0..=0x1f => return Err(format!("control character in string at byte {i}")),
                _ => i += 1,
            }
        }
        Err(format!(
            "unterminated string starting at byte {}",
            start - 1
        ))
    }

    /// Reads the hex digits after `\u` at `i` (and a low surrogate's `\uXXXX` if needed).
    fn unicode_escape(&self, i: usize) -> Result<(char, usize), String> {
        let hex = |at: usize| -> Result<u32, String> {
            self.text
                .get(at..at + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("invalid \\u escape at byte {at}"))
        };
        let hi = hex(i)?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.text.get(i + 4..i + 6) == Some("\\u") {
                let lo = hex(i + 6)?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return Ok((char::from_u32(c).unwrap_or('\u{FFFD}'), 10));
                }
            }
            return Ok(('\u{FFFD}', 4));
        }
        Ok((char::from_u32(hi).unwrap_or('\u{FFFD}'), 4))
    }

    /// Skips an array or object, validating its grammar, and returns its text.
    fn nested(&mut self) -> Result<&'a str, String> {
        let start = self.pos;
        self.container(0)?;
        Ok(&self.text[start..self.pos])
    }

    fn container(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_NESTING {
            return Err(format!("value nested too deeply at byte {}", self.pos));
        }
        let object = self.peek() == Some(b'{');
        let close = if object { b'}' } else { b']' };
        self.pos += 1;
        if self.eat(close) {
            return Ok(());
        }
        loop {
            if object {
                if self.peek() != Some(b'"') {
                    return Err(format!("expected a key at byte {}", self.pos));
                }
                self.string()?;
                self.expect(b':', "':' after a key")?;
            }
            match self.peek() {
                Some(b'[' | b'{') => self.container(depth + 1)?,
                _ => {
                    self.value()?;
                }
            }
            if self.eat(close) {
                return Ok(());
            }
            self.expect(b',', "',' between elements")?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_before_counts_separators_outside_strings_and_nesting() {
        let rows = br#"[1, "a,\"]"], [[2, 3], {"k": ","}], ["x"]"#;
        let at = |needle: &[u8]| {
            rows.windows(needle.len())
                .position(|w| w == needle)
                .unwrap()
        };
        assert_eq!(rows_before(rows, at(b"a,")), 0);
        assert_eq!(rows_before(rows, at(b"3]")), 1);
        assert_eq!(rows_before(rows, at(b"\"x\"")), 2);
        assert_eq!(rows_before(rows, 10_000), 2);
    }

    fn values(s: &str) -> Vec<Value<'_>> {
        let mut sc = Scanner::new(s);
        let mut out = vec![];
        sc.expect(b'[', "[").unwrap();
        loop {
            out.push(sc.value().unwrap());
            if !sc.eat(b',') {
                break;
            }
        }
        sc.expect(b']', "]").unwrap();
        out
    }

    #[test]
    fn scalars_keep_exact_text() {
        let v = values(
            r#"[12345678901234567890.123456789, "a\"b\u00e9\ud83d\ude00", null, true, [1, {"a": [2]}], -1e-5]"#,
        );
        assert_eq!(v[0], Value::Number("12345678901234567890.123456789"));
        assert_eq!(v[1], Value::Str("a\"bé😀".into()));
        assert_eq!(v[2], Value::Null);
        assert_eq!(v[3], Value::Bool(true));
        assert_eq!(v[4], Value::Nested(r#"[1, {"a": [2]}]"#));
        assert_eq!(v[5], Value::Number("-1e-5"));
    }

    #[test]
    fn string_end_finds_the_first_special_byte() {
        for (s, want) in [
            ("abc\"", Some(3)),
            ("abcdefghijklmnop\"", Some(16)),
            ("abcdefg\\\"", Some(7)),
            ("abcdefgh\u{1}\"", Some(8)),
            ("\u{e9}\u{e9}\u{e9}\u{e9}x\"", Some(9)),
            ("abcdefghij", None),
            ("\"\"\"\"\"\"\"\"\"", Some(0)),
            ("a\u{7f}\u{ff}b\u{1f}", Some(5)),
        ] {
            assert_eq!(string_end(s.as_bytes(), 0), want, "{s:?}");
        }
        // Each position of each special byte, in a longer run of plain bytes.
        for special in [b'"', b'\\', 0u8, 0x1f] {
            for at in 0..20 {
                let mut v = vec![b'x'; 20];
                v[at] = special;
                assert_eq!(string_end(&v, 0), Some(at));
            }
        }
    }

    #[test]
    fn framer_searches_find_the_first_match() {
        for (special, quote_or_bracket) in
            [(b'"', true), (b'[', true), (b']', true), (b'\\', false)]
        {
            for at in 0..20 {
                let mut v = vec![b'x'; 20];
                v[at] = special;
                assert_eq!(next_quote_or_bracket(&v, 0), quote_or_bracket.then_some(at));
                let q_or_b = matches!(special, b'"' | b'\\').then_some(at);
                assert_eq!(next_quote_or_backslash(&v, 0), q_or_b);
            }
        }
        assert_eq!(next_quote_or_bracket(b"\xff\xfe[", 0), Some(2));
        assert_eq!(next_quote_or_bracket(b"abc", 5), None);
    }

    #[test]
    fn digit_runs_end_at_the_first_other_byte() {
        for other in [b'/', b':', b'.', b'e', b' ', 0u8, 0x80, 0xb0, 0xb9, 0xff] {
            for at in 0..20 {
                let mut v = vec![b'7'; 20];
                v[at] = other;
                assert_eq!(digits_end(&v, 0), at, "{other:#x} at {at}");
            }
        }
        assert_eq!(digits_end(b"0123456789", 0), 10);
        assert_eq!(digits_end(b"12", 5), 5);
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            "\"abc",
            "-",
            "1.",
            "tru",
            "[1, 2",
            "\"\\x\"",
            "\"\\u12\"",
            "{",
            "+1",
            "[1 2]",
            "[1,]",
            "{1: 2}",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "[1}",
            "{\"a\": 1]",
        ] {
            let mut sc = Scanner::new(bad);
            assert!(sc.value().is_err(), "{bad:?}");
        }
    }
}
