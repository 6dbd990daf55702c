//! The ClickHouse type-name grammar, parsed into a small tree and nothing more.
//!
//! `Name`, `Name(arg, ...)`, where an argument is a type, a named element (`a Int32`, for
//! named Tuple and Nested), a quoted string (`'UTC'`, with `\'` and `''` escapes), a number,
//! or an enum item (`'label' = -1`). Deciding what a name means is `clickhouse.rs`'s job;
//! this file only has to never panic and to say where a malformed name goes wrong.

use std::fmt;

#[derive(Debug, Clone)]
pub struct TypeExpr {
    pub name: String,
    pub args: Vec<TypeArg>,
    /// The text this was parsed from, as written (element names keep the quoting the
    /// service chose: ClickHouse backquotes some keywords and not others).
    pub source: String,
}

/// Two types are equal when they mean the same, however they were written.
impl PartialEq for TypeExpr {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.args == other.args
    }
}

impl TypeExpr {
    /// As written when parsed, else ClickHouse's spelling.
    pub fn text(&self) -> String {
        if self.source.is_empty() {
            self.to_string()
        } else {
            self.source.clone()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeArg {
    Type(TypeExpr),
    Named(String, TypeExpr),
    Str(String),
    Number(String),
    EnumItem(String, i64),
}

impl fmt::Display for TypeExpr {
    /// ClickHouse's own spelling, for naming nested element types in messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if self.args.is_empty() {
            return Ok(());
        }
        f.write_str("(")?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match a {
                TypeArg::Type(t) => write!(f, "{t}")?,
                TypeArg::Named(n, t) => write!(f, "{} {t}", identifier(n))?,
                TypeArg::Str(s) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))?,
                TypeArg::Number(n) => f.write_str(n)?,
                TypeArg::EnumItem(l, v) => write!(
                    f,
                    "'{}' = {v}",
                    l.replace('\\', "\\\\").replace('\'', "\\'")
                )?,
            }
        }
        f.write_str(")")
    }
}

/// An element name as ClickHouse writes it: bare when it is a plain identifier, else in
/// backquotes with `\` and `` ` `` escaped, so the type text parses back to the same name.
fn identifier(name: &str) -> std::borrow::Cow<'_, str> {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if plain {
        return name.into();
    }
    format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")).into()
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub position: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.position)
    }
}

/// Nesting deeper than this is refused: it bounds recursion on hostile input.
const MAX_DEPTH: usize = 64;

pub fn parse_type(text: &str) -> Result<TypeExpr, ParseError> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let t = p.type_expr(0)?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(p.error("unexpected text after the type"));
    }
    Ok(t)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ParseError {
        ParseError {
            message: message.to_owned(),
            position: self.pos,
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn ident(&mut self) -> Result<String, ParseError> {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&b'`') {
            return self.quoted(b'`');
        }
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("expected a type name"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    fn type_expr(&mut self, depth: usize) -> Result<TypeExpr, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("type nested too deeply"));
        }
        self.skip_ws();
        let start = self.pos;
        let name = self.ident()?;
        let mut args = Vec::new();
        let source = |p: &Self| String::from_utf8_lossy(&p.s[start..p.pos]).into_owned();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            if self.peek() == Some(b')') {
                self.pos += 1;
                let source = source(self);
                return Ok(TypeExpr { name, args, source });
            }
            loop {
                args.push(self.arg(depth + 1)?);
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected ',' or ')'")),
                }
            }
        }
        let source = source(self);
        Ok(TypeExpr { name, args, source })
    }

    fn arg(&mut self, depth: usize) -> Result<TypeArg, ParseError> {
        match self.peek() {
            Some(b'\'') => {
                let s = self.quoted(b'\'')?;
                if self.peek() == Some(b'=') {
                    self.pos += 1;
                    let n = self.number()?;
                    let v = n
                        .parse::<i64>()
                        .map_err(|_| self.error("enum value is not an integer"))?;
                    return Ok(TypeArg::EnumItem(s, v));
                }
                Ok(TypeArg::Str(s))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'+' => {
                Ok(TypeArg::Number(self.number()?))
            }
            Some(_) => {
                let first = self.type_expr(depth)?;
                // `name Type` (named tuple element): an identifier followed by another type.
                if first.args.is_empty() {
                    if let Some(c) = self.peek() {
                        if c.is_ascii_alphabetic() || c == b'_' || c == b'`' {
                            let ty = self.type_expr(depth)?;
                            return Ok(TypeArg::Named(first.name, ty));
                        }
                    }
                }
                Ok(TypeArg::Type(first))
            }
            None => Err(self.error("unexpected end of type")),
        }
    }

    fn number(&mut self) -> Result<String, ParseError> {
        self.skip_ws();
        let start = self.pos;
        if matches!(self.s.get(self.pos), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'.')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("expected a number"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    /// A quoted string; backslash escapes and a doubled quote both stand for the quote.
    fn quoted(&mut self, q: u8) -> Result<String, ParseError> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        loop {
            match self.s.get(self.pos) {
                None => return Err(self.error("unterminated quoted string")),
                Some(b'\\') => {
                    let Some(&c) = self.s.get(self.pos + 1) else {
                        return Err(self.error("unterminated escape"));
                    };
                    out.push(match c {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'0' => 0,
                        other => other,
                    });
                    self.pos += 2;
                }
                Some(&c) if c == q => {
                    if self.s.get(self.pos + 1) == Some(&q) {
                        out.push(q);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        break;
                    }
                }
                Some(&c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_names_print_back_as_they_parse() {
        for text in [
            "Tuple(`a b` Array(Date32), c String)",
            "Tuple(`1x` UInt8, `x``y` UInt8, `é` UInt8, `back\\\\slash` UInt8)",
            "Nested(`order id` UInt64)",
        ] {
            let once = parse_type(text).unwrap();
            let printed = once.to_string();
            assert_eq!(parse_type(&printed).unwrap(), once, "{text} -> {printed}");
        }
        let t = parse_type("Tuple(`a b` Array(Date32))").unwrap();
        assert_eq!(t.to_string(), "Tuple(`a b` Array(Date32))");
    }

    fn t(name: &str, args: Vec<TypeArg>) -> TypeExpr {
        TypeExpr {
            name: name.into(),
            args,
            source: String::new(),
        }
    }

    #[test]
    fn scalars_and_wrappers() {
        assert_eq!(parse_type("String").unwrap(), t("String", vec![]));
        assert_eq!(
            parse_type("Nullable(Int32)").unwrap(),
            t("Nullable", vec![TypeArg::Type(t("Int32", vec![]))])
        );
        assert_eq!(
            parse_type("DateTime64(3, 'Asia/Tokyo')").unwrap(),
            t(
                "DateTime64",
                vec![
                    TypeArg::Number("3".into()),
                    TypeArg::Str("Asia/Tokyo".into())
                ]
            )
        );
    }

    #[test]
    fn enum_labels_with_commas_quotes_and_equals() {
        let e = parse_type(r"Enum8('a, b' = 1, 'it''s' = -2, 'x\'=y' = 3)").unwrap();
        assert_eq!(
            e.args,
            vec![
                TypeArg::EnumItem("a, b".into(), 1),
                TypeArg::EnumItem("it's".into(), -2),
                TypeArg::EnumItem("x'=y".into(), 3),
            ]
        );
    }

    #[test]
    fn named_tuple() {
        let e = parse_type("Tuple(a Int32, `b c` Nullable(String))").unwrap();
        assert_eq!(
            e.args[1],
            TypeArg::Named(
                "b c".into(),
                t("Nullable", vec![TypeArg::Type(t("String", vec![]))])
            )
        );
    }

    #[test]
    fn display_round_trips() {
        for t in [
            "Map(String, Array(Nullable(Int32)))",
            "Tuple(a Int32, b DateTime64(3, 'UTC'))",
            r"Enum8('it\'s' = 1, 'b' = -2)",
        ] {
            let e = parse_type(t).unwrap();
            assert_eq!(e.to_string(), t);
            assert_eq!(parse_type(&e.to_string()).unwrap(), e);
        }
    }

    #[test]
    fn malformed_names_are_errors_not_panics() {
        for bad in [
            "",
            "(",
            "Int32(",
            "Enum8('a' = )",
            "Tuple(,)",
            "A)",
            "'",
            "Enum8('a' = x)",
        ] {
            assert!(parse_type(bad).is_err(), "{bad:?} should not parse");
        }
        let deep = "Array(".repeat(200) + "Int8" + &")".repeat(200);
        assert!(parse_type(&deep).is_err());
    }
}
