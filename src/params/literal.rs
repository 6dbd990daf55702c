//! Values as ClickHouse literals, exactly and safely: strings are quoted with every special
//! byte escaped, numbers keep every digit, instants are written in UTC with their zone.
//! A value rendered for a declared type is checked against it first (range, scale,
//! precision, zone, labels), so what the database receives is what the user meant.

use crate::decode::values::{canonical_uuid, parse_date, parse_decimal128, parse_decimal256};
use crate::types::{ColumnKind, ColumnSpec};

/// A parameter's value, as the binding layer hands it over (Python objects, say).
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Null,
    Bool(bool),
    /// An integer of any size, as decimal digits with an optional `-`.
    Int(String),
    Float(f64),
    /// A decimal's exact text (`-1.50`, `1E+3`).
    Decimal(String),
    Str(String),
    Bytes(Vec<u8>),
    /// `YYYY-MM-DD`.
    Date(String),
    /// `YYYY-MM-DD hh:mm:ss[.fffffffff]`: in UTC when `aware`, else wall time of no zone.
    DateTime {
        text: String,
        aware: bool,
    },
    Uuid(String),
    Ip(String),
    List(Vec<ParamValue>),
    Tuple(Vec<ParamValue>),
    Map(Vec<(ParamValue, ParamValue)>),
}

use ParamValue as V;

/// A string literal: quoted, with `\`, `'` and every control byte escaped.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('\'');
    let text = String::from_utf8_lossy(bytes);
    let valid = matches!(text, std::borrow::Cow::Borrowed(_));
    if valid {
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    out.push_str(&format!("\\x{:02X}", c as u32))
                }
                c => out.push(c),
            }
        }
    } else {
        for &b in bytes {
            match b {
                b'\\' => out.push_str("\\\\"),
                b'\'' => out.push_str("\\'"),
                0x20..=0x7e => out.push(b as char),
                _ => out.push_str(&format!("\\x{b:02X}")),
            }
        }
    }
    out.push('\'');
    out
}

fn float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        // Rust's shortest text that reads back as the same float.
        format!("{f:?}")
    }
}

const I64_MIN: &str = "-9223372036854775808";
const U64_MAX: &str = "18446744073709551615";

/// Whether integer text `n` lies in `[min, max]` (both texts, any size).
fn int_in(n: &str, min: &str, max: &str) -> bool {
    cmp_int(n, min) != std::cmp::Ordering::Less && cmp_int(n, max) != std::cmp::Ordering::Greater
}

fn cmp_int(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let (na, da) = a.strip_prefix('-').map_or((false, a), |d| (true, d));
    let (nb, db) = b.strip_prefix('-').map_or((false, b), |d| (true, d));
    let (da, db) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
    let (na, nb) = (na && !da.is_empty(), nb && !db.is_empty());
    let magnitude = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
    match (na, nb) {
        (false, true) => Greater,
        (true, false) => Less,
        (false, false) => magnitude,
        (true, true) => magnitude.reverse(),
    }
}

/// A literal of the value's own kind, for DB-API parameters (no declared type).
pub fn natural(v: &ParamValue) -> Result<String, String> {
    Ok(match v {
        V::Null => "NULL".into(),
        V::Bool(b) => b.to_string(),
        V::Int(n) if int_in(n, I64_MIN, U64_MAX) => n.clone(),
        V::Int(n) => {
            let f = if n.starts_with('-') {
                "toInt256"
            } else {
                "toUInt256"
            };
            format!("{f}('{n}')")
        }
        V::Float(f) => float(*f),
        V::Decimal(d) => {
            let (digits, scale) = decimal_shape(d)?;
            let f = if digits <= 38 {
                "toDecimal128"
            } else {
                "toDecimal256"
            };
            format!("{f}({}, {scale})", quote(d.as_bytes()))
        }
        V::Str(s) => quote(s.as_bytes()),
        V::Bytes(b) => quote(b),
        V::Date(d) => format!("toDate32({})", quote(d.as_bytes())),
        V::DateTime { aware: false, text } => {
            return Err(format!(
                "a naive datetime ({text}): pass one with a time zone (tzinfo), so the \
                 instant is not left to the server's zone"
            ))
        }
        V::DateTime { text, .. } => instant(text),
        V::Uuid(u) => format!("toUUID({})", quote(u.as_bytes())),
        V::Ip(ip) if ip.contains(':') => format!("toIPv6({})", quote(ip.as_bytes())),
        V::Ip(ip) => format!("toIPv4({})", quote(ip.as_bytes())),
        V::List(items) => format!("[{}]", joined(items, natural)?),
        V::Tuple(items) if items.is_empty() => {
            return Err("an empty tuple has no SQL spelling".into())
        }
        V::Tuple(items) => format!("({})", joined(items, natural)?),
        V::Map(entries) => map(entries, natural, natural)?,
    })
}

/// An aware instant, as its UTC text with nanosecond digits.
fn instant(utc: &str) -> String {
    format!("toDateTime64({}, 9, 'UTC')", quote(utc.as_bytes()))
}

fn joined(
    items: &[ParamValue],
    f: impl Fn(&ParamValue) -> Result<String, String>,
) -> Result<String, String> {
    Ok(items
        .iter()
        .map(f)
        .collect::<Result<Vec<_>, _>>()?
        .join(", "))
}

fn map(
    entries: &[(ParamValue, ParamValue)],
    key: impl Fn(&ParamValue) -> Result<String, String>,
    value: impl Fn(&ParamValue) -> Result<String, String>,
) -> Result<String, String> {
    let parts = entries
        .iter()
        .map(|(k, v)| Ok(format!("{}, {}", key(k)?, value(v)?)))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(format!("map({})", parts.join(", ")))
}

/// (significant digits, scale) of decimal text, or why it is not a finite decimal.
fn decimal_shape(d: &str) -> Result<(usize, i64), String> {
    let bad = || format!("{d:?} is not a finite decimal");
    let lower = d.to_ascii_lowercase();
    let (mantissa, exp) = match lower.split_once('e') {
        Some((m, e)) => (m, e.parse::<i64>().map_err(|_| bad())?),
        None => (lower.as_str(), 0),
    };
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let scale = (frac.len() as i64 - exp).max(0);
    let digits = int.trim_start_matches('0').len() + frac.len();
    Ok((digits.max(1), scale))
}

/// The value as a literal of the declared column type `spec` (without the outer CAST),
/// or why it does not fit.
pub fn typed(v: &ParamValue, spec: &ColumnSpec) -> Result<String, String> {
    use ColumnKind as K;
    if *v == V::Null {
        return if spec.nullable || spec.kind == K::Null {
            Ok("NULL".into())
        } else {
            Err(format!(
                "None where the type ({}) is not Nullable",
                spec.declared
            ))
        };
    }
    let declared = base_name(&spec.declared);
    let mismatch = || format!("{} does not fit {}", describe(v), spec.declared);
    Ok(match (&spec.kind, v) {
        (
            K::Int8
            | K::Int16
            | K::Int32
            | K::Int64
            | K::UInt8
            | K::UInt16
            | K::UInt32
            | K::UInt64
            | K::WideInt { .. }
            | K::HugeInt { .. },
            V::Int(n),
        ) => {
            let (min, max) = int_range(declared).ok_or_else(mismatch)?;
            if !int_in(n, min, max) {
                return Err(format!(
                    "{n} is out of range for {} ({min} to {max})",
                    spec.declared
                ));
            }
            // Beyond 64 bits a bare literal would be read as a float: the text is exact.
            if int_in(n, I64_MIN, U64_MAX) {
                n.clone()
            } else {
                quote(n.as_bytes())
            }
        }
        (K::Float32 | K::Float64, V::Float(f)) => float(*f),
        (K::Float32 | K::Float64, V::Int(n)) => {
            let f: f64 = n.parse().map_err(|_| mismatch())?;
            if format!("{f:.0}") != n.trim_start_matches('+') {
                return Err(format!("{n} has no exact {} value", spec.declared));
            }
            float(f)
        }
        (K::Decimal { precision, scale }, V::Decimal(_) | V::Int(_) | V::Float(_) | V::Str(_)) => {
            let text = match v {
                V::Decimal(d) | V::Int(d) | V::Str(d) => d.clone(),
                V::Float(f) if f.is_finite() => format!("{f}"),
                _ => return Err(mismatch()),
            };
            let fits = if *precision <= 38 {
                parse_decimal128(&text, *precision, *scale).map(drop)
            } else {
                parse_decimal256(&text, *precision, *scale).map(drop)
            };
            fits.map_err(|why| format!("{text} does not fit {}: {why}", spec.declared))?;
            quote(text.as_bytes())
        }
        (K::Bool, V::Bool(b)) => b.to_string(),
        (K::Text, V::Str(_) | V::Bytes(_)) => {
            let bytes = match v {
                V::Str(s) => s.as_bytes(),
                V::Bytes(b) => b,
                _ => unreachable!("matched above"),
            };
            if let Some(n) = fixed_length(&spec.declared) {
                if bytes.len() > n {
                    return Err(format!(
                        "{} bytes do not fit {}",
                        bytes.len(),
                        spec.declared
                    ));
                }
            }
            quote(bytes)
        }
        (K::Uuid, V::Uuid(u) | V::Str(u)) => {
            canonical_uuid(u).map_err(|_| format!("{u:?} is not a UUID"))?;
            quote(u.as_bytes())
        }
        (K::Ipv4, V::Ip(ip) | V::Str(ip)) if ip.parse::<std::net::Ipv4Addr>().is_ok() => {
            quote(ip.as_bytes())
        }
        (K::Ipv6, V::Ip(ip) | V::Str(ip)) if ip.parse::<std::net::IpAddr>().is_ok() => {
            quote(ip.as_bytes())
        }
        (K::Date, V::Date(d) | V::Str(d)) => {
            let days = parse_date(d).map_err(|_| mismatch())?;
            let (lo, hi) = if declared == "Date32" {
                (-25_567, 120_529)
            } else {
                (0, 65_535)
            };
            if !(lo..=hi).contains(&days) {
                return Err(format!("{d} is outside {}'s range", spec.declared));
            }
            quote(d.as_bytes())
        }
        (K::DateTime { .. } | K::DateTime64 { .. }, V::DateTime { aware: false, text }) => {
            return Err(format!(
                "a naive datetime ({text}) where {} needs an instant: pass one with a time \
                 zone (tzinfo)",
                spec.declared
            ))
        }
        (K::DateTime { .. } | K::DateTime64 { .. }, V::DateTime { text, .. }) => {
            let digits = match spec.kind {
                K::DateTime64 { precision, .. } => precision as usize,
                _ => 0,
            };
            let fraction = text.split_once('.').map_or("", |(_, f)| f);
            if fraction.trim_end_matches('0').len() > digits {
                return Err(format!(
                    "{text} has more fractional digits than {} keeps",
                    spec.declared
                ));
            }
            let year: i32 = text
                .get(..4)
                .and_then(|y| y.parse().ok())
                .ok_or_else(mismatch)?;
            let (lo, hi) = if digits == 0 && !matches!(spec.kind, K::DateTime64 { .. }) {
                (1970, 2106)
            } else {
                (1900, 2299)
            };
            if !(lo..=hi).contains(&year) {
                return Err(format!("{text} is outside {}'s range", spec.declared));
            }
            instant(text)
        }
        (K::Enum { items, .. }, V::Str(label)) if items.iter().any(|(l, _)| l == label) => {
            quote(label.as_bytes())
        }
        (K::Enum { items, .. }, V::Str(label)) => {
            return Err(format!(
                "{label:?} is not a label of {} (labels: {})",
                spec.declared,
                items
                    .iter()
                    .map(|(l, _)| format!("{l:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
        (K::List(item), V::List(items) | V::Tuple(items)) => {
            format!("[{}]", joined(items, |x| typed(x, item))?)
        }
        (K::Struct(fields), V::List(items) | V::Tuple(items)) => {
            if items.len() != fields.len() {
                return Err(format!(
                    "{} elements where {} declares {}",
                    items.len(),
                    spec.declared,
                    fields.len()
                ));
            }
            let parts = items.iter().zip(fields).map(|(x, f)| typed(x, f));
            format!(
                "tuple({})",
                parts.collect::<Result<Vec<_>, _>>()?.join(", ")
            )
        }
        (K::Struct(fields), V::Map(entries)) => {
            let by_name = |name: &str| {
                entries
                    .iter()
                    .find(|(k, _)| *k == V::Str(name.to_owned()))
                    .map(|(_, v)| v)
            };
            let parts = fields.iter().map(|f| {
                let x = by_name(&f.name).ok_or_else(|| format!("no element '{}'", f.name))?;
                typed(x, f)
            });
            let parts = parts.collect::<Result<Vec<_>, _>>()?;
            if entries.len() != fields.len() {
                return Err(format!("elements that {} does not declare", spec.declared));
            }
            format!("tuple({})", parts.join(", "))
        }
        (K::Map(key, value), V::Map(entries)) => {
            map(entries, |k| typed(k, key), |x| typed(x, value))?
        }
        _ => return Err(mismatch()),
    })
}

/// The type's name without Nullable/LowCardinality and arguments: `Date32`, `UInt8`.
fn base_name(declared: &str) -> &str {
    let mut t = declared.trim();
    loop {
        let inner = ["Nullable(", "LowCardinality("]
            .iter()
            .find_map(|w| t.strip_prefix(w).and_then(|r| r.strip_suffix(')')));
        match inner {
            Some(i) => t = i.trim(),
            None => return t.split('(').next().unwrap_or(t).trim(),
        }
    }
}

fn fixed_length(declared: &str) -> Option<usize> {
    let t = declared.trim();
    let inner = t
        .trim_start_matches("Nullable(")
        .trim_start_matches("LowCardinality(");
    inner
        .strip_prefix("FixedString(")?
        .split(')')
        .next()?
        .trim()
        .parse()
        .ok()
}

fn int_range(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "Int8" => ("-128", "127"),
        "Int16" => ("-32768", "32767"),
        "Int32" => ("-2147483648", "2147483647"),
        "Int64" => (I64_MIN, "9223372036854775807"),
        "Int128" => (
            "-170141183460469231731687303715884105728",
            "170141183460469231731687303715884105727",
        ),
        "Int256" => (
            "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
            "57896044618658097711785492504343953926634992332820282019728792003956564819967",
        ),
        "UInt8" => ("0", "255"),
        "UInt16" => ("0", "65535"),
        "UInt32" => ("0", "4294967295"),
        "UInt64" => ("0", U64_MAX),
        "UInt128" => ("0", "340282366920938463463374607431768211455"),
        "UInt256" => (
            "0",
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        ),
        _ => return None,
    })
}

/// The value in a few words, for errors.
fn describe(v: &ParamValue) -> String {
    match v {
        V::Null => "None".into(),
        V::Bool(b) => format!("the boolean {b}"),
        V::Int(n) => format!("the integer {n}"),
        V::Float(f) => format!("the float {f}"),
        V::Decimal(d) => format!("the decimal {d}"),
        V::Str(s) => format!("the string {:?}", crate::decode::scanner::truncate(s, 40)),
        V::Bytes(b) => format!("{} bytes", b.len()),
        V::Date(d) => format!("the date {d}"),
        V::DateTime { text, .. } => format!("the datetime {text}"),
        V::Uuid(u) => format!("the UUID {u}"),
        V::Ip(ip) => format!("the address {ip}"),
        V::List(items) => format!("a list of {}", items.len()),
        V::Tuple(items) => format!("a tuple of {}", items.len()),
        V::Map(entries) => format!("a dict of {}", entries.len()),
    }
}
