//! Text -> exact numbers, dates and instants. Each parser accepts the renderings services
//! actually send (JSON numbers, quoted numbers, ClickHouse and Python date-time text, ISO
//! 8601, epoch numbers) and rejects everything else with a short reason.

use crate::types::zone::Zone;
use arrow_buffer::i256;

pub type Reason = String;

pub fn parse_i64(text: &str) -> Result<i64, Reason> {
    let (neg, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    // Up to 18 digits cannot overflow i64 (the common case, without std's checks).
    match short_digits(digits, 18) {
        Some(v) => Ok(if neg { -(v as i64) } else { v as i64 }),
        None => text.parse::<i64>().map_err(|_| not_integer(text)),
    }
}

pub fn parse_u64(text: &str) -> Result<u64, Reason> {
    short_digits(text.as_bytes(), 19).map_or_else(
        || {
            text.strip_prefix('+')
                .unwrap_or(text)
                .parse::<u64>()
                .map_err(|_| not_integer(text))
        },
        Ok,
    )
}

/// The value of 1 to `max` ASCII digits (at most 19, so no overflow); None otherwise.
#[inline(always)]
fn short_digits(b: &[u8], max: usize) -> Option<u64> {
    if b.is_empty() || b.len() > max {
        return None;
    }
    b.iter().try_fold(0u64, |v, &c| {
        let d = c.wrapping_sub(b'0');
        (d <= 9).then(|| v * 10 + d as u64)
    })
}

fn not_integer(text: &str) -> Reason {
    let t = text.trim_start_matches(['-', '+']);
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        "integer out of range for the column's type".into()
    } else {
        "not an integer".into()
    }
}

/// Floats: JSON numbers, quoted numbers, and the names ClickHouse and Python give to the
/// non-finite values.
pub fn parse_f64(text: &str) -> Result<f64, Reason> {
    match text {
        "nan" | "NaN" | "-nan" => Ok(f64::NAN),
        "inf" | "+inf" | "Infinity" | "infinity" => Ok(f64::INFINITY),
        "-inf" | "-Infinity" | "-infinity" => Ok(f64::NEG_INFINITY),
        _ => lexical_core::parse::<f64>(text.as_bytes()).map_err(|_| "not a number".into()),
    }
}

/// A decimal's digits with its exponent, as written: `-12.5e3` is (neg, "125", 2).
struct DecimalText {
    negative: bool,
    digits: Vec<u8>,
    /// The value is digits * 10^exponent.
    exponent: i64,
}

fn split_decimal(text: &str) -> Result<DecimalText, Reason> {
    let bad = || -> Reason { "not a decimal number".into() };
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().map_err(|_| bad())?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad());
    }
    let mut digits = Vec::with_capacity(int_part.len() + frac_part.len());
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if !b.is_ascii_digit() {
            return Err(bad());
        }
        digits.push(b - b'0');
    }
    // Leading zeros carry no precision.
    let first = digits.iter().position(|&d| d != 0).unwrap_or(digits.len());
    digits.drain(..first);
    Ok(DecimalText {
        negative,
        digits,
        exponent: exp.checked_sub(frac_part.len() as i64).ok_or_else(bad)?,
    })
}

/// The unscaled digits of `text` at `scale`, checked against `precision`. Never via f64.
fn scaled_digits(text: &str, precision: u8, scale: i8) -> Result<(bool, Vec<u8>), Reason> {
    let mut d = split_decimal(text)?;
    let shift = d.exponent + scale as i64;
    if shift >= 0 {
        if shift > 80 && !d.digits.is_empty() {
            return Err(format!("does not fit Decimal({precision}, {scale})"));
        }
        d.digits.extend(std::iter::repeat_n(
            0,
            if d.digits.is_empty() {
                0
            } else {
                shift as usize
            },
        ));
    } else {
        let drop = (-shift) as usize;
        let keep = d.digits.len().saturating_sub(drop);
        if d.digits[keep..].iter().any(|&x| x != 0) {
            return Err(format!("has more than {scale} decimal places"));
        }
        d.digits.truncate(keep);
    }
    if d.digits.len() > precision as usize {
        return Err(format!("does not fit Decimal({precision}, {scale})"));
    }
    Ok((d.negative, d.digits))
}

/// Plain `-?digits(.digits)?` text that needs no exponent handling: parsed without allocating.
fn fast_decimal128(text: &str, precision: u8, scale: i8) -> Option<Result<i128, Reason>> {
    let b = text.as_bytes();
    let neg = b.first() == Some(&b'-');
    let body = &b[usize::from(neg)..];
    // One pass over up to 19 digits in u64 (one cheap multiply per digit, no i128).
    let mut v = 0u64;
    let mut int_len = 0;
    while let Some(d) = body
        .get(int_len)
        .map(|c| c.wrapping_sub(b'0'))
        .filter(|&d| d <= 9)
    {
        if int_len == 19 {
            return wide_decimal128(neg, body, precision, scale);
        }
        v = v * 10 + d as u64;
        int_len += 1;
    }
    let mut frac_len = 0;
    if body.get(int_len) == Some(&b'.') {
        let frac = &body[int_len + 1..];
        for &c in frac {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None; // an exponent or junk: the general path reads or rejects it
            }
            if int_len + frac_len == 19 {
                return wide_decimal128(neg, body, precision, scale);
            }
            v = v * 10 + d as u64;
            frac_len += 1;
        }
        if frac_len == 0 {
            return None;
        }
    } else if int_len != body.len() {
        return None;
    }
    if int_len == 0 || frac_len > scale as usize {
        return None; // leave the unusual shapes to the general path
    }
    let missing = scale as usize - frac_len;
    // Significant digits: every digit written unless the integer part starts with a zero.
    let digits = if body[0] != b'0' {
        int_len + frac_len
    } else if v == 0 {
        0
    } else {
        v.ilog10() as usize + 1
    };
    if digits > 0 && digits + missing > precision as usize {
        return Some(Err(format!("does not fit Decimal({precision}, {scale})")));
    }
    let v = v as i128 * POW10[missing];
    Some(Ok(if neg { -v } else { v }))
}

/// 10^0 ..= 10^38, the powers a Decimal128 scale can need.
const POW10: [i128; 39] = {
    let mut p = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// Plain decimal text of more than 19 digits, in i128; None for shapes the general path
/// handles (more than 38 significant digits, more fraction digits than the scale).
fn wide_decimal128(
    neg: bool,
    body: &[u8],
    precision: u8,
    scale: i8,
) -> Option<Result<i128, Reason>> {
    let dot = body.iter().position(|&c| c == b'.');
    let (int_part, frac) = match dot {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[..0]),
    };
    if frac.len() > scale as usize || (dot.is_some() && frac.is_empty()) {
        return None;
    }
    let mut v: i128 = 0;
    let mut digits = 0usize;
    for &c in int_part.iter().chain(frac) {
        if !c.is_ascii_digit() {
            return None;
        }
        if v != 0 || c != b'0' {
            digits += 1;
        }
        if digits > 38 {
            return None;
        }
        v = v * 10 + (c - b'0') as i128;
    }
    let missing = scale as usize - frac.len();
    if digits > 0 && digits + missing > precision as usize {
        return Some(Err(format!("does not fit Decimal({precision}, {scale})")));
    }
    v *= POW10[missing];
    Some(Ok(if neg { -v } else { v }))
}

pub fn parse_decimal128(text: &str, precision: u8, scale: i8) -> Result<i128, Reason> {
    fast_decimal128(text, precision, scale)
        .unwrap_or_else(|| general_decimal128(text, precision, scale))
}

/// Any decimal text (exponents, a leading `+`, more than 38 digits of leading zeros).
pub(crate) fn general_decimal128(text: &str, precision: u8, scale: i8) -> Result<i128, Reason> {
    let (neg, digits) = scaled_digits(text, precision, scale)?;
    // At most 38 digits: cannot overflow i128.
    let v = digits.iter().fold(0i128, |acc, &d| acc * 10 + d as i128);
    Ok(if neg { -v } else { v })
}

pub fn parse_decimal256(text: &str, precision: u8, scale: i8) -> Result<i256, Reason> {
    let (neg, digits) = scaled_digits(text, precision, scale)?;
    let ten = i256::from_i128(10);
    let mut v = i256::ZERO;
    for d in digits {
        v = v
            .checked_mul(ten)
            .and_then(|x| x.checked_add(i256::from_i128(d as i128)))
            .ok_or("integer out of range")?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// An integer of any width as canonical text (for 256-bit integers, kept as strings).
pub fn canonical_integer(text: &str, signed: bool) -> Result<String, Reason> {
    let (neg, digits) = scaled_digits(text, 78, 0).map_err(|_| not_integer(text))?;
    if neg && !signed && !digits.is_empty() {
        return Err("integer out of range for the column's type".into());
    }
    if digits.is_empty() {
        return Ok("0".into());
    }
    let mut s = String::with_capacity(digits.len() + 1);
    if neg {
        s.push('-');
    }
    s.extend(digits.iter().map(|&d| (b'0' + d) as char));
    Ok(s)
}

/// A UUID as 8-4-4-4-12 lower-case hex: borrowed when it already is; 32 bare hex digits
/// and upper case are accepted and normalised.
pub fn canonical_uuid(s: &str) -> Result<std::borrow::Cow<'_, str>, Reason> {
    let b = s.as_bytes();
    let hyphenated = b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| [8, 13, 18, 23].contains(&i) || c.is_ascii_hexdigit());
    if hyphenated && !b.iter().any(u8::is_ascii_uppercase) {
        return Ok(std::borrow::Cow::Borrowed(s));
    }
    let hex: String = if hyphenated {
        s.chars().filter(|c| *c != '-').collect()
    } else if b.len() == 32 && b.iter().all(u8::is_ascii_hexdigit) {
        s.to_owned()
    } else {
        return Err("not a UUID".into());
    };
    let h = hex.to_ascii_lowercase();
    Ok(std::borrow::Cow::Owned(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits_at(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
    })
}

/// `YYYY-MM-DD` -> days since the epoch, with the date checked for existence.
fn parse_ymd(b: &[u8]) -> Option<i64> {
    let (y, m, d) = (
        digits_at(b, 0, 4)?,
        digits_at(b, 5, 2)?,
        digits_at(b, 8, 2)?,
    );
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if d == 0 || d > days_in_month(y, m)? {
        return None;
    }
    Some(days_from_civil(y as i64, m, d))
}

pub fn parse_date(text: &str) -> Result<i32, Reason> {
    let b = text.as_bytes();
    let days = if b.len() >= 10 && b.get(4) == Some(&b'-') {
        // A date, or a date-time at midnight (some backends render dates that way).
        let days = parse_ymd(b).ok_or("not a valid date")?;
        let rest = &text[10..];
        if !(rest.is_empty()
            || rest
                .trim_start_matches([' ', 'T'])
                .trim_start_matches(['0', ':'])
                .is_empty())
        {
            return Err("a date with a time of day".into());
        }
        days
    } else {
        parse_i64(text).map_err(|_| Reason::from("not a valid date"))?
    };
    i32::try_from(days).map_err(|_| "date out of range".into())
}

/// Units per second for a timestamp unit given as a power of ten (0, 3, 6, 9).
pub fn units_per_second(digits: u32) -> i64 {
    10i64.pow(digits)
}

/// Seconds and sub-second units from `.fff...`, rejecting digits finer than `digits`
/// unless they are zero.
fn fraction(b: &[u8], digits: u32) -> Result<(i64, usize), Reason> {
    let mut i = 0;
    let mut value = 0i64;
    let mut n = 0u32;
    while i < b.len() && b[i].is_ascii_digit() {
        if n < digits {
            value = value * 10 + (b[i] - b'0') as i64;
            n += 1;
        } else if b[i] != b'0' {
            return Err("more fractional-second digits than the column's precision".into());
        }
        i += 1;
    }
    if i == 0 {
        return Err("not a valid date-time".into());
    }
    Ok((value * 10i64.pow(digits - n), i))
}

/// A date-time as text or an epoch number -> units since the epoch (UTC).
/// Text without an offset is wall time in `zone` (None means UTC).
pub fn parse_timestamp(text: &str, digits: u32, zone: Option<&Zone>) -> Result<i64, Reason> {
    let b = text.as_bytes();
    if let Some(secs) = fast_utc_seconds(b, zone.is_none()) {
        if let Some(v) = secs.checked_mul(units_per_second(digits)) {
            return Ok(v);
        }
    }
    if b.len() < 10 || b[4] != b'-' {
        return parse_epoch(text, digits);
    }
    let bad = || Reason::from("not a valid date-time");
    let days = parse_ymd(b).ok_or_else(bad)?;
    let mut secs_of_day = 0i64;
    let mut sub = 0i64;
    let mut i = 10;
    if i < b.len() && (b[i] == b' ' || b[i] == b'T' || b[i] == b't') {
        let h = digits_at(b, i + 1, 2).ok_or_else(bad)?;
        let m = digits_at(b, i + 4, 2).ok_or_else(bad)?;
        if b[i + 3] != b':' || h > 23 || m > 59 {
            return Err(bad());
        }
        i += 6;
        let mut s = 0;
        if b.get(i) == Some(&b':') {
            s = digits_at(b, i + 1, 2)
                .filter(|&s| s <= 60)
                .ok_or_else(bad)?;
            i += 3;
        }
        if b.get(i) == Some(&b'.') {
            let (f, used) = fraction(&b[i + 1..], digits)?;
            sub = f;
            i += 1 + used;
        }
        secs_of_day = (h * 3600 + m * 60 + s) as i64;
    }
    let local = days * 86_400 + secs_of_day;
    let offset = parse_offset(&b[i..]).ok_or_else(bad)?;
    let utc = match (offset, zone) {
        (Some(off), _) => local - off,
        (None, None) => local,
        (None, Some(tz)) => local - tz.offset_of_wall_time(local)?,
    };
    utc.checked_mul(units_per_second(digits))
        .and_then(|v| v.checked_add(sub))
        .ok_or_else(|| "date-time out of range".into())
}

/// The common shape, `YYYY-MM-DD HH:MM:SS` then `+00:00`, `Z` or (in a UTC column)
/// nothing, as seconds since the epoch. None for anything else, which the general parser
/// reads or rejects.
///
/// Two 8-byte words, `YYYY-MM-` and `HH:MM:SS`, are checked and turned into digits a word
/// at a time (SWAR) rather than fourteen bytes one by one.
fn fast_utc_seconds(b: &[u8], utc_column: bool) -> Option<i64> {
    let utc = match b.get(19..)? {
        b"+00:00" | b"Z" => true,
        [] => utc_column,
        _ => false,
    };
    if !utc || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    // Bytes 0-7 `YYYY-MM-`, 11-18 `HH:MM:SS` (little-endian: byte 0 is the lowest).
    let date = digit_values(word(0), 0x00FF_FF00_FFFF_FFFF, 0x2D00_002D_0000_0000)?;
    let time = digit_values(word(11), 0xFFFF_00FF_FF00_FFFF, 0x0000_3A00_003A_0000)?;
    let day = two_digits(b[8], b[9])?;
    let byte = |w: u64, i: u32| ((w >> (8 * i)) & 0xFF) as u32;
    let pair = |w: u64, i: u32| byte(w, i) * 10 + byte(w, i + 1);
    let year = pair(date, 0) * 100 + pair(date, 2);
    let month = pair(date, 5);
    let (h, m, sec) = (pair(time, 0), pair(time, 3), pair(time, 6));
    if h > 23 || m > 59 || sec > 59 || day == 0 || day > days_in_month(year, month)? {
        return None;
    }
    let days = days_from_civil(year as i64, month, day);
    Some(days * 86_400 + (h * 3600 + m * 60 + sec) as i64)
}

/// `w` with its digit bytes (where `digits` has 0xFF) turned into 0-9 and its other bytes
/// zero, if those are all ASCII digits and the other bytes equal `separators`.
#[inline(always)]
fn digit_values(w: u64, digits: u64, separators: u64) -> Option<u64> {
    if w & !digits != separators || super::scanner::non_digits(w) & digits != 0 {
        return None;
    }
    Some((w ^ (0x0101_0101_0101_0101 * b'0' as u64)) & digits)
}

fn two_digits(a: u8, b: u8) -> Option<u32> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (a <= 9 && b <= 9).then(|| a as u32 * 10 + b as u32)
}

fn days_in_month(y: u32, m: u32) -> Option<u32> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// `Z`, `+HH:MM`, `+HH:MM:SS` (historical zones: Africa/Monrovia was -00:44:30), `+HHMM`,
/// `+HH`, ` UTC`, or nothing. Outer None: malformed.
fn parse_offset(b: &[u8]) -> Option<Option<i64>> {
    let b = if b.first() == Some(&b' ') { &b[1..] } else { b };
    match b {
        [] => Some(None),
        b"Z" | b"z" | b"UTC" => Some(Some(0)),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let h = digits_at(rest, 0, 2)? as i64;
            let (m, s) = match rest.len() {
                2 => (0, 0),
                4 => (digits_at(rest, 2, 2)?, 0),
                5 if rest[2] == b':' => (digits_at(rest, 3, 2)?, 0),
                8 if rest[2] == b':' && rest[5] == b':' => {
                    (digits_at(rest, 3, 2)?, digits_at(rest, 6, 2)?)
                }
                _ => return None,
            };
            if m > 59 || s > 59 {
                return None;
            }
            let off = h * 3600 + m as i64 * 60 + s as i64;
            Some(Some(if *sign == b'-' { -off } else { off }))
        }
        _ => None,
    }
}

/// Epoch seconds, possibly fractional (`1714425077.5`), as units.
fn parse_epoch(text: &str, digits: u32) -> Result<i64, Reason> {
    let bad = || Reason::from("not a valid date-time");
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() || !int_part.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let secs: i64 = int_part.parse().map_err(|_| bad())?;
    let sub = if frac.is_empty() {
        0
    } else {
        let (f, used) = fraction(frac.as_bytes(), digits)?;
        if used != frac.len() {
            return Err(bad());
        }
        f
    };
    let v = secs
        .checked_mul(units_per_second(digits))
        .and_then(|v| v.checked_add(sub))
        .ok_or("date-time out of range")?;
    Ok(if neg { -v } else { v })
}

/// ClickHouse Time: `[-]H...:MM:SS[.fff]` or a number of seconds -> units.
pub fn parse_time(text: &str, digits: u32) -> Result<i64, Reason> {
    let bad = || Reason::from("not a valid time");
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !body.contains(':') {
        return parse_epoch(text, digits);
    }
    let (hms, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut parts = hms.split(':');
    let (h, m, s) = (parts.next(), parts.next(), parts.next());
    if parts.next().is_some() {
        return Err(bad());
    }
    let num = |p: Option<&str>| -> Result<i64, Reason> {
        p.filter(|x| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|x| x.parse().ok())
            .ok_or_else(bad)
    };
    let secs = num(h)? * 3600 + num(m)? * 60 + if s.is_some() { num(s)? } else { 0 };
    let sub = if frac.is_empty() {
        0
    } else {
        let (f, used) = fraction(frac.as_bytes(), digits)?;
        if used != frac.len() {
            return Err(bad());
        }
        f
    };
    let v = secs * units_per_second(digits) + sub;
    Ok(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal128("12.5", 18, 2), Ok(1250));
        assert_eq!(parse_decimal128("-0.01", 18, 2), Ok(-1));
        assert_eq!(parse_decimal128("1e2", 18, 2), Ok(10000));
        assert_eq!(parse_decimal128("1.250", 18, 2), Ok(125));
        assert_eq!(
            parse_decimal128("1234567890123456789012345678.1234567891", 38, 10),
            Ok(12345678901234567890123456781234567891)
        );
        assert!(parse_decimal128("1.255", 18, 2).is_err());
        assert_eq!(parse_decimal128("1.2", 4, 2), Ok(120));
        assert!(parse_decimal128("123.4", 4, 2).is_err());
        assert_eq!(parse_decimal128("-0.00", 4, 2), Ok(0));
        assert!(parse_decimal128("-", 4, 2).is_err());
        assert!(parse_decimal128("1234567890123456789", 18, 2).is_err());
        assert!(parse_decimal128("abc", 18, 2).is_err());
        assert!(parse_decimal128("1e999999999999", 18, 2).is_err());
        assert_eq!(
            parse_decimal256("-99999999999999999999999999999999999999999", 76, 0).unwrap(),
            i256::from_string("-99999999999999999999999999999999999999999").unwrap()
        );
    }

    #[test]
    fn the_timestamp_fast_path_takes_nothing_the_general_parser_would_not() {
        let good = "2024-02-29 23:59:58+00:00";
        let want = parse_timestamp(good, 0, None).unwrap();
        assert_eq!(fast_utc_seconds(good.as_bytes(), false), Some(want));
        // Every byte of the date-time part replaced by a neighbour of each byte class.
        for at in 0..19 {
            for c in [
                b'/', b':', b';', b'-', b' ', b'T', b'0', b'9', b'a', 0x7f, 0x80, 0xb0, 0xb9,
            ] {
                let mut bytes = good.as_bytes().to_vec();
                bytes[at] = c;
                let Ok(text) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                if let Some(secs) = fast_utc_seconds(text.as_bytes(), false) {
                    let general = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%:z")
                        .or_else(|_| {
                            chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%:z")
                        });
                    assert_eq!(general.map(|d| d.timestamp()), Ok(secs), "{text}");
                }
            }
        }
        for bad in [
            "2023-02-29 00:00:00Z",
            "2024-13-01 00:00:00Z",
            "2024-01-01 24:00:00Z",
        ] {
            assert_eq!(fast_utc_seconds(bad.as_bytes(), true), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_in_every_rendering() {
        let want = 1_714_425_077; // 2024-04-29 21:11:17 UTC
        for text in [
            "2024-04-29 21:11:17",
            "2024-04-29 21:11:17+00:00",
            "2024-04-29T21:11:17Z",
            "2024-04-30T06:11:17+09:00",
            "2024-04-30 06:11:17+0900",
            "1714425077",
        ] {
            assert_eq!(parse_timestamp(text, 0, None), Ok(want), "{text}");
        }
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        assert_eq!(
            parse_timestamp("2024-04-30 06:11:17", 0, Some(&tokyo)),
            Ok(want)
        );
        assert_eq!(
            parse_timestamp("2024-04-29 21:11:17.123", 3, None),
            Ok(want * 1000 + 123)
        );
        assert_eq!(
            parse_timestamp("2024-04-29 21:11:17.5", 6, None),
            Ok(want * 1_000_000 + 500_000)
        );
        assert!(parse_timestamp("2024-04-29 21:11:17.5", 0, None).is_err());
        assert!(parse_timestamp("2024-02-30 00:00:00", 0, None).is_err());
        assert!(parse_timestamp("yesterday", 0, None).is_err());
        // New York, 2024-11-03 01:30 happens twice: the earlier (EDT, -04:00) instant wins.
        let ny = Zone::named("America/New_York").unwrap();
        assert_eq!(
            parse_timestamp("2024-11-03 01:30:00", 0, Some(&ny)),
            parse_timestamp("2024-11-03 05:30:00Z", 0, None)
        );
        // Offsets to the second, as historical zones had them.
        assert_eq!(
            parse_timestamp("1960-06-06 01:27:15-00:44:30", 0, None),
            parse_timestamp("1960-06-06 02:11:45Z", 0, None)
        );
        assert!(parse_timestamp("1960-06-06 01:27:15-00:44:60", 0, None).is_err());
        // Summer time past the last listed transition (2100 on): the zone's rule holds.
        let ams = Zone::named("Europe/Amsterdam").unwrap();
        assert_eq!(
            parse_timestamp("2103-06-06 01:27:15", 0, Some(&ams)),
            parse_timestamp("2103-06-05 23:27:15Z", 0, None)
        );
    }

    #[test]
    fn dates_times_and_integers() {
        assert_eq!(parse_date("1970-01-02"), Ok(1));
        assert_eq!(parse_date("1900-01-01"), Ok(-25567));
        assert_eq!(parse_date("19000"), Ok(19000));
        assert!(parse_date("2024-13-01").is_err());
        assert_eq!(parse_time("-01:02:03.5", 3), Ok(-3_723_500));
        assert_eq!(parse_time("100:00:00", 0), Ok(360_000));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_u64("-1").is_err());
        assert_eq!(canonical_integer("-000123", true).as_deref(), Ok("-123"));
        assert!(canonical_integer("-1", false).is_err());
        let u = "123e4567-e89b-12d3-a456-426614174000";
        assert!(matches!(
            canonical_uuid(u),
            Ok(std::borrow::Cow::Borrowed(_))
        ));
        assert_eq!(canonical_uuid(&u.to_uppercase()).unwrap(), u);
        assert_eq!(canonical_uuid(&u.replace('-', "")).unwrap(), u);
        assert!(canonical_uuid("123e4567-e89b-12d3-a456-42661417400g").is_err());
        assert!(canonical_uuid("not a uuid").is_err());
    }
}
