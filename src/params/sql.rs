//! Finding placeholders in SQL text: ClickHouse's `{name:Type}` and DB-API's `%(name)s`,
//! `%s` and `%%`. Quoted strings, quoted identifiers and comments are skipped whole:
//! a brace or a percent sign inside them is text, not a placeholder.

/// A piece of SQL: text to keep, or a placeholder to fill.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// `{name:Type}`.
    Typed {
        name: &'a str,
        type_text: &'a str,
    },
    /// `%(name)s`.
    Named(&'a str),
    /// `%s`.
    Positional,
}

/// Which placeholders to look for.
#[derive(Clone, Copy, PartialEq)]
pub enum Style {
    /// ClickHouse's `{name:Type}`.
    Typed,
    /// DB-API's pyformat: `%(name)s`, `%s`, and `%%` for a percent sign.
    Pyformat,
}

/// `sql` cut into text and placeholders; Err says what is malformed and where.
pub fn pieces(sql: &str, style: Style) -> Result<Vec<Piece<'_>>, String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut text_from) = (0, 0);
    fn flush<'a>(out: &mut Vec<Piece<'a>>, sql: &'a str, from: usize, to: usize) {
        if to > from {
            out.push(Piece::Text(&sql[from..to]));
        }
    }
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => i = skip_quoted(b, i, q)?,
            b'-' if b.get(i + 1) == Some(&b'-') => i = line_end(b, i),
            b'#' => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map(|n| i + 2 + n + 2)
                    .ok_or_else(|| format!("a comment opened at character {i} is not closed"))?;
            }
            b'{' if style == Style::Typed => {
                let Some((name, type_text, end)) = typed_placeholder(sql, i) else {
                    i += 1;
                    continue;
                };
                flush(&mut out, sql, text_from, i);
                out.push(Piece::Typed { name, type_text });
                i = end;
                text_from = i;
            }
            b'%' if style == Style::Pyformat => {
                flush(&mut out, sql, text_from, i);
                let (piece, end) = percent(sql, i)?;
                out.extend(piece);
                i = end;
                text_from = i;
            }
            _ => i += 1,
        }
    }
    flush(&mut out, sql, text_from, b.len());
    Ok(out)
}

/// The index after the quote closing the one at `i` (`\` escapes; a doubled quote too).
fn skip_quoted(b: &[u8], i: usize, q: u8) -> Result<usize, String> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q && b.get(j + 1) == Some(&q) => j += 2,
            c if c == q => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err(format!(
        "a quote ({}) opened at character {i} is not closed",
        q as char
    ))
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)
}

/// `{name:Type}` at `i`: the name, the type's text and the index after `}`. None when the
/// brace starts something else (a JSON literal, say), which stays text.
fn typed_placeholder(sql: &str, i: usize) -> Option<(&str, &str, usize)> {
    let b = sql.as_bytes();
    let mut j = i + 1;
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    let name_start = j;
    if !b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return None;
    }
    while b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        j += 1;
    }
    let name = &sql[name_start..j];
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    if b.get(j) != Some(&b':') {
        return None;
    }
    let type_start = j + 1;
    let mut depth = 0usize;
    while j < b.len() {
        j += 1;
        match b.get(j)? {
            b'\'' => j = skip_quoted(b, j, b'\'').ok()? - 1,
            b'(' => depth += 1,
            b')' => depth = depth.checked_sub(1)?,
            b'}' if depth == 0 => {
                let type_text = sql[type_start..j].trim();
                return (!type_text.is_empty()).then_some((name, type_text, j + 1));
            }
            b'{' | b';' => return None,
            _ => {}
        }
    }
    None
}

/// The placeholder at `%` (index `i`) and the index after it.
fn percent(sql: &str, i: usize) -> Result<(Option<Piece<'_>>, usize), String> {
    let b = sql.as_bytes();
    match b.get(i + 1) {
        Some(b'%') => Ok((Some(Piece::Text("%")), i + 2)),
        Some(b's') => Ok((Some(Piece::Positional), i + 2)),
        Some(b'(') => {
            let close = sql[i..]
                .find(")s")
                .map(|n| i + n)
                .ok_or_else(|| format!("'%(' at character {i} has no ')s'"))?;
            let name = &sql[i + 2..close];
            if name.is_empty() || name.contains(['%', '\n']) {
                return Err(format!("malformed placeholder at character {i}"));
            }
            Ok((Some(Piece::Named(name)), close + 2))
        }
        _ => Err(format!(
            "a '%' at character {i} that is not a placeholder: write '%%' for a percent sign \
             outside quotes"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Piece::*;

    #[test]
    fn typed_placeholders_outside_quotes_and_comments() {
        let sql = "SELECT {a:UInt8}, '{b:String}', `{c:X}`, \"{d:Y}\" -- {e:Z}\n\
                   /* {f:W} */ {g : DateTime('Asia/Tokyo')} # {h:V}\n, {\"json\": 1}";
        let got = pieces(sql, Style::Typed).unwrap();
        let typed: Vec<_> = got
            .iter()
            .filter_map(|p| match p {
                Typed { name, type_text } => Some((*name, *type_text)),
                _ => None,
            })
            .collect();
        assert_eq!(typed, [("a", "UInt8"), ("g", "DateTime('Asia/Tokyo')")]);
        let text: String = got
            .iter()
            .map(|p| match p {
                Text(t) => *t,
                _ => "?",
            })
            .collect();
        assert_eq!(
            text,
            sql.replace("{a:UInt8}", "?")
                .replace("{g : DateTime('Asia/Tokyo')}", "?")
        );
    }

    #[test]
    fn pyformat_placeholders_and_percent_signs() {
        let got = pieces("a %(x)s b %s c %% '%d' -- %z", Style::Pyformat).unwrap();
        assert_eq!(
            got,
            [
                Text("a "),
                Named("x"),
                Text(" b "),
                Positional,
                Text(" c "),
                Text("%"),
                Text(" '%d' -- %z"),
            ]
        );
        assert!(pieces("100 % 3", Style::Pyformat).is_err());
        assert!(pieces("'unclosed", Style::Pyformat).is_err());
        assert!(pieces("/* open", Style::Typed).is_err());
    }
}
