//! ClickHouse's own text form of a value, as JSON. In JSON output a Map's keys must be
//! strings, so ClickHouse writes a key that is an Array or a Tuple in its text form:
//! `['a','b']`, `(1,'it\'s')`. Turned into JSON (`["a","b"]`, `[1,"it's"]`), such a key
//! decodes like any nested value.

/// `text` as JSON, or None when it is not a value in ClickHouse's text form.
pub fn to_json(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => i = string(b, i, &mut out)?,
            b'(' => {
                out.push('[');
                i += 1;
            }
            b')' => {
                out.push(']');
                i += 1;
            }
            c @ (b'[' | b']' | b'{' | b'}' | b',' | b':' | b' ') => {
                out.push(c as char);
                i += 1;
            }
            _ => {
                let end = b[i..]
                    .iter()
                    .position(|c| matches!(c, b',' | b')' | b']' | b'}' | b':' | b' '))
                    .map_or(b.len(), |n| i + n);
                let word = &text[i..end];
                match word {
                    "NULL" => out.push_str("null"),
                    "true" | "false" => out.push_str(word),
                    // Numbers as they are; nan and inf as the strings floats accept.
                    w if w.parse::<f64>().is_ok_and(f64::is_finite) => out.push_str(w),
                    w if w.parse::<f64>().is_ok() => out.push_str(&format!("\"{w}\"")),
                    _ => return None,
                }
                i = end;
            }
        }
    }
    Some(out)
}

/// The quoted string at `b[i]` (`'...'` with ClickHouse's escapes) as a JSON string;
/// returns the index after its closing quote.
fn string(b: &[u8], mut i: usize, out: &mut String) -> Option<usize> {
    let mut bytes = Vec::new();
    i += 1;
    loop {
        match *b.get(i)? {
            b'\'' if b.get(i + 1) == Some(&b'\'') => {
                bytes.push(b'\'');
                i += 2;
            }
            b'\'' => break,
            b'\\' => {
                let c = *b.get(i + 1)?;
                i += 2;
                match c {
                    b'n' => bytes.push(b'\n'),
                    b't' => bytes.push(b'\t'),
                    b'r' => bytes.push(b'\r'),
                    b'0' => bytes.push(0),
                    b'b' => bytes.push(8),
                    b'f' => bytes.push(12),
                    b'x' => {
                        let hex = std::str::from_utf8(b.get(i..i + 2)?).ok()?;
                        bytes.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    other => bytes.push(other),
                }
            }
            c => {
                bytes.push(c);
                i += 1;
            }
        }
    }
    let s = String::from_utf8_lossy(&bytes);
    out.push_str(&serde_json::Value::String(s.into_owned()).to_string());
    Some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_arrays_and_escapes() {
        assert_eq!(to_json("(1,'a')").unwrap(), r#"[1,"a"]"#);
        assert_eq!(to_json("['x','it\\'s']").unwrap(), r#"["x","it's"]"#);
        assert_eq!(
            to_json("('-134:55:37.446','日本')").unwrap(),
            r#"["-134:55:37.446","日本"]"#
        );
        assert_eq!(
            to_json("(NULL,nan,-inf,[1, 2])").unwrap(),
            r#"[null,"nan","-inf",[1, 2]]"#
        );
        assert_eq!(
            to_json("('a''b','\\x41\\n\"')").unwrap(),
            r#"["a'b","A\n\""]"#
        );
        assert_eq!(to_json("(bogus)"), None);
        assert_eq!(to_json("('open"), None);
    }
}
