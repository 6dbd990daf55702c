//! One Arrow builder per column, fed scanned JSON values. A builder either appends the value
//! or says, in a few words, why it does not fit; the row loop adds the coordinates.

use std::sync::Arc;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::types::zone::Zone;
use arrow_array::builder::{ArrayBuilder, NullBuilder, PrimitiveBuilder, StringBuilder};
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, DictionaryArray, StringArray,
};
use arrow_buffer::ArrowNativeType;
use arrow_buffer::BooleanBuffer;
use arrow_schema::TimeUnit;

use super::nested::{ListColumn, MapColumn, StructColumn};
use super::primitive_values::PrimitiveValues;
use super::scanner::{truncate, Scanner, Value};
use super::values::*;
use crate::types::{ColumnKind, ColumnSpec};

/// Why a value could not be appended: the JSON itself, or the value (with an excerpt).
/// What `push_from` returns: the error boxed, so the common Ok travels in a register.
pub(super) type Pushed = Result<(), Box<PushError>>;

pub(super) enum PushError {
    Json(String),
    Value(Reason, String),
}

pub(super) trait ColumnBuilder: Send {
    fn push(&mut self, v: &Value) -> Result<(), Reason>;
    fn finish(&mut self) -> ArrayRef;

    /// Appends a NULL whether or not the type allows one: the slot of a value whose tuple
    /// is NULL (Arrow ignores it; the parent's validity masks it). A NULL as a value goes
    /// through `push`, which applies `null_into`'s rule.
    fn append_null(&mut self);

    /// Reads one value from `sc` and appends it. Builders of the common scalar types
    /// override this to take numbers and plain strings straight from the text.
    fn push_from(&mut self, sc: &mut Scanner) -> Pushed {
        push_value(self, sc)
    }
}

/// Reads any JSON value from `sc` and pushes it: the general path behind every fast one.
fn push_value<B: ColumnBuilder + ?Sized>(b: &mut B, sc: &mut Scanner) -> Pushed {
    let v = sc.value().map_err(|m| Box::new(PushError::Json(m)))?;
    b.push(&v)
        .map_err(|r| Box::new(PushError::Value(r, v.excerpt())))
}

fn excerpt_between(sc: &Scanner, start: usize) -> String {
    truncate(sc.text_between(start), 48)
}

pub(super) fn builder_for(spec: &ColumnSpec, capacity: usize) -> Box<dyn ColumnBuilder> {
    use ColumnKind::*;
    let nullable = spec.nullable;
    match &spec.kind {
        Int8 => prim::<Int8Type, _>(nullable, capacity, |t| narrow(parse_i64(t)?)),
        Int16 => prim::<Int16Type, _>(nullable, capacity, |t| narrow(parse_i64(t)?)),
        Int32 => prim::<Int32Type, _>(nullable, capacity, |t| narrow(parse_i64(t)?)),
        Int64 => prim::<Int64Type, _>(nullable, capacity, parse_i64),
        UInt8 => prim::<UInt8Type, _>(nullable, capacity, |t| narrow(parse_u64(t)?)),
        UInt16 => prim::<UInt16Type, _>(nullable, capacity, |t| narrow(parse_u64(t)?)),
        UInt32 => prim::<UInt32Type, _>(nullable, capacity, |t| narrow(parse_u64(t)?)),
        UInt64 => prim::<UInt64Type, _>(nullable, capacity, parse_u64),
        Float32 => prim_float::<Float32Type, _>(nullable, capacity, f32::NAN, |t| {
            // Parse as f32 directly: rounding via f64 first can be off by one ulp.
            parse_f64(t).and_then(|v| {
                if v.is_finite() {
                    t.parse::<f32>().map_err(|_| "not a number".into())
                } else {
                    Ok(v as f32)
                }
            })
        }),
        Float64 => prim_float::<Float64Type, _>(nullable, capacity, f64::NAN, parse_f64),
        WideInt { signed } => {
            let signed = *signed;
            let b = PrimitiveValues::<Decimal256Type>::with_capacity(capacity)
                .with_precision_and_scale(39, 0)
                .expect("39, 0 is a valid decimal256");
            Box::new(Primitive::new(b, nullable, move |t: &str| {
                let v = parse_decimal256(t, 39, 0).map_err(|_| not_int(t))?;
                if !signed && v.is_negative() {
                    return Err("integer out of range for the column's type".into());
                }
                Ok(v)
            }))
        }
        HugeInt { signed: true } => text(nullable, capacity, TextRule::Converted(signed_integer)),
        HugeInt { signed: false } => {
            text(nullable, capacity, TextRule::Converted(unsigned_integer))
        }
        Decimal { precision, scale } => {
            let (p, s) = (*precision, *scale);
            if p <= 38 {
                let b = PrimitiveValues::<Decimal128Type>::with_capacity(capacity)
                    .with_precision_and_scale(p, s)
                    .expect("precision and scale were validated by the type parser");
                Box::new(Primitive::new(b, nullable, move |t: &str| {
                    parse_decimal128(t, p, s)
                }))
            } else {
                let b = PrimitiveValues::<Decimal256Type>::with_capacity(capacity)
                    .with_precision_and_scale(p, s)
                    .expect("precision and scale were validated by the type parser");
                Box::new(Primitive::new(b, nullable, move |t: &str| {
                    parse_decimal256(t, p, s)
                }))
            }
        }
        Bool => Box::new(BoolColumn::new(nullable, capacity)),
        Text => text(nullable, capacity, TextRule::Scalar),
        Uuid => text(nullable, capacity, TextRule::Converted(uuid_text)),
        Ipv4 => text(nullable, capacity, TextRule::Converted(ipv4_text)),
        Ipv6 => text(nullable, capacity, TextRule::Converted(ipv6_text)),
        JsonText => text(true, capacity, TextRule::AnyJson),
        Enum { items, wide: false } => {
            Box::new(EnumColumn::<Int16Type>::new(items, nullable, capacity))
        }
        Enum { items, wide: true } => {
            Box::new(EnumColumn::<Int32Type>::new(items, nullable, capacity))
        }
        Interval { unit, multiplier } => {
            let m = *multiplier;
            let count = move |t: &str| {
                parse_i64(t)?
                    .checked_mul(m)
                    .ok_or_else(|| Reason::from("interval out of range"))
            };
            match unit {
                TimeUnit::Second => prim::<DurationSecondType, _>(nullable, capacity, count),
                TimeUnit::Millisecond => {
                    prim::<DurationMillisecondType, _>(nullable, capacity, count)
                }
                TimeUnit::Microsecond => {
                    prim::<DurationMicrosecondType, _>(nullable, capacity, count)
                }
                TimeUnit::Nanosecond => {
                    prim::<DurationNanosecondType, _>(nullable, capacity, count)
                }
            }
        }
        List(item) => Box::new(ListColumn::new(item, nullable, capacity)),
        Map(k, v) => Box::new(MapColumn::new(k, v, nullable, capacity)),
        Struct(fields) => Box::new(StructColumn::new(fields, nullable, capacity)),
        Date => prim::<Date32Type, _>(nullable, capacity, parse_date),
        DateTime { tz } => timestamp::<TimestampSecondType>(nullable, capacity, 0, tz),
        DateTime64 { precision, tz } => match precision {
            0 => timestamp::<TimestampSecondType>(nullable, capacity, 0, tz),
            1..=3 => timestamp::<TimestampMillisecondType>(nullable, capacity, 3, tz),
            4..=6 => timestamp::<TimestampMicrosecondType>(nullable, capacity, 6, tz),
            _ => timestamp::<TimestampNanosecondType>(nullable, capacity, 9, tz),
        },
        Time { precision } => match precision {
            0 => prim::<DurationSecondType, _>(nullable, capacity, |t| parse_time(t, 0)),
            1..=3 => prim::<DurationMillisecondType, _>(nullable, capacity, |t| parse_time(t, 3)),
            4..=6 => prim::<DurationMicrosecondType, _>(nullable, capacity, |t| parse_time(t, 6)),
            _ => prim::<DurationNanosecondType, _>(nullable, capacity, |t| parse_time(t, 9)),
        },
        Null => Box::new(Nulls(NullBuilder::new())),
    }
}

fn not_int(t: &str) -> Reason {
    if t.contains(['.', 'e', 'E']) {
        "not an integer".into()
    } else {
        "integer out of range for the column's type".into()
    }
}

fn narrow<T: TryFrom<W>, W>(v: W) -> Result<T, Reason> {
    T::try_from(v).map_err(|_| "integer out of range for the column's type".into())
}

fn null_rejected() -> Reason {
    "NULL in a column whose type is not Nullable".into()
}

/// The rule for a NULL value, which every builder follows: appended with `append_null`
/// where the type is Nullable, an error elsewhere. (Float columns also take NULL as NaN:
/// see `prim_float`.)
pub(super) fn null_into(nullable: bool, append_null: impl FnOnce()) -> Result<(), Reason> {
    if !nullable {
        return Err(null_rejected());
    }
    append_null();
    Ok(())
}

/// The text of a scalar that may be sent as a JSON number or as a string.
fn number_text<'v>(v: &'v Value) -> Result<Cow<'v, str>, Reason> {
    match v {
        Value::Number(n) => Ok(Cow::Borrowed(n)),
        Value::Str(s) => Ok(Cow::Borrowed(s.as_ref())),
        Value::Bool(_) => Err("a boolean where a number was expected".into()),
        Value::Nested(_) => Err("an array or object where a scalar was expected".into()),
        Value::Null => Err(null_rejected()),
    }
}

fn signed_integer<'v>(v: &'v Value) -> Result<Cow<'v, str>, Reason> {
    canonical_integer(&number_text(v)?, true).map(Cow::Owned)
}

fn unsigned_integer<'v>(v: &'v Value) -> Result<Cow<'v, str>, Reason> {
    canonical_integer(&number_text(v)?, false).map(Cow::Owned)
}

fn uuid_text<'v>(v: &'v Value) -> Result<Cow<'v, str>, Reason> {
    match v {
        Value::Str(s) => canonical_uuid(s).map(|c| match c {
            Cow::Borrowed(_) => Cow::Borrowed(s.as_ref()),
            Cow::Owned(o) => Cow::Owned(o),
        }),
        _ => Err("not a UUID".into()),
    }
}

fn ipv4_text<'v>(v: &'v Value) -> Result<Cow<'v, str>, Reason> {
    match v {
        // Some backends send IPv4 as its 32-bit number.
        Value::Number(n) => parse_u64(n)
            .ok()
            .and_then(|x| u32::try_from(x).ok())
            .map(|x| Cow::Owned(std::net::Ipv4Addr::from(x).to_string()))
            .ok_or_else(|| "not an IPv4 address".into()),
        Value::Str(s) => canonical_ip::<std::net::Ipv4Addr>(s, "IPv4"),
        _ => Err("not an IPv4 address".into()),
    }
}

fn ipv6_text<'v>(v: &'v Value) -> Result<Cow<'v, str>, Reason> {
    match v {
        Value::Str(s) => canonical_ip::<std::net::Ipv6Addr>(s, "IPv6"),
        _ => Err("not an IPv6 address".into()),
    }
}

/// The address in its standard text form, borrowed when it already is.
fn canonical_ip<'v, A>(s: &'v str, what: &str) -> Result<Cow<'v, str>, Reason>
where
    A: std::str::FromStr + std::fmt::Display,
{
    let addr: A = s.parse().map_err(|_| format!("not an {what} address"))?;
    let canonical = addr.to_string();
    Ok(if canonical == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(canonical)
    })
}

/// Any primitive column whose values parse from text.
struct Primitive<T: ArrowPrimitiveType, P> {
    builder: PrimitiveValues<T>,
    nullable: bool,
    /// What a NULL becomes where the type is not Nullable, if anything (NaN for floats).
    null_value: Option<T::Native>,
    parse: P,
}

impl<T: ArrowPrimitiveType, P> Primitive<T, P> {
    fn new(builder: PrimitiveValues<T>, nullable: bool, parse: P) -> Self {
        Primitive {
            builder,
            nullable,
            null_value: None,
            parse,
        }
    }
}

fn prim<T, P>(nullable: bool, capacity: usize, parse: P) -> Box<dyn ColumnBuilder>
where
    T: ArrowPrimitiveType,
    P: Fn(&str) -> Result<T::Native, Reason> + Send + 'static,
{
    Box::new(Primitive::new(
        PrimitiveValues::<T>::with_capacity(capacity),
        nullable,
        parse,
    ))
}

/// A float column. ClickHouse writes NaN and ±Inf as `null` unless
/// `output_format_json_quote_denormals=1`, so a column that is not Nullable can carry
/// `null`: it reads as NaN (the JSON cannot tell NaN from ±Inf). Nullable columns keep NULL.
fn prim_float<T, P>(
    nullable: bool,
    capacity: usize,
    nan: T::Native,
    parse: P,
) -> Box<dyn ColumnBuilder>
where
    T: ArrowPrimitiveType,
    P: Fn(&str) -> Result<T::Native, Reason> + Send + 'static,
{
    let mut b = Primitive::new(
        PrimitiveValues::<T>::with_capacity(capacity),
        nullable,
        parse,
    );
    if !nullable {
        b.null_value = Some(nan);
    }
    Box::new(b)
}

fn timestamp<T>(nullable: bool, capacity: usize, digits: u32, tz: &str) -> Box<dyn ColumnBuilder>
where
    T: ArrowPrimitiveType<Native = i64>,
{
    // UTC needs no zone arithmetic; any other zone was validated by the type parser.
    let zone = if tz == "UTC" {
        None
    } else {
        Zone::named(tz).ok()
    };
    let b = PrimitiveValues::<T>::with_capacity(capacity).with_data_type(
        arrow_schema::DataType::Timestamp(
            crate::types::time_unit(digits as u8),
            Some(Arc::from(tz)),
        ),
    );
    Box::new(Primitive::new(b, nullable, move |t: &str| {
        parse_timestamp(t, digits, zone.as_ref())
    }))
}

impl<T, P> ColumnBuilder for Primitive<T, P>
where
    T: ArrowPrimitiveType,
    P: Fn(&str) -> Result<T::Native, Reason> + Send,
{
    fn push_from(&mut self, sc: &mut Scanner) -> Pushed {
        // A NULL in a column that allows none falls through to push_value, which refuses it.
        if (self.nullable || self.null_value.is_some()) && sc.eat_null() {
            match self.null_value {
                Some(v) => self.builder.append_value(v),
                None => self.builder.append_null(),
            }
            return Ok(());
        }
        let start = sc.position();
        match sc.plain_scalar() {
            Some(text) => match (self.parse)(text) {
                Ok(x) => {
                    self.builder.append_value(x);
                    Ok(())
                }
                Err(r) => Err(Box::new(PushError::Value(r, excerpt_between(sc, start)))),
            },
            None => push_value(self, sc),
        }
    }

    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        if let Value::Null = v {
            if let Some(x) = self.null_value {
                self.builder.append_value(x);
                return Ok(());
            }
            return null_into(self.nullable, || self.builder.append_null());
        }
        let x = (self.parse)(&number_text(v)?)?;
        self.builder.append_value(x);
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.builder.finish())
    }

    fn append_null(&mut self) {
        self.builder.append_null();
    }
}

/// Booleans gathered a byte each and packed into bits once, at `finish`: arrow's
/// `BooleanBuilder` packs as it goes, an out-of-line call of ~40 instructions a value
/// (callgrind), where a byte push inlines (see `PrimitiveValues`).
struct BoolColumn {
    builder: PrimitiveValues<UInt8Type>,
    nullable: bool,
}

impl BoolColumn {
    fn new(nullable: bool, capacity: usize) -> Self {
        BoolColumn {
            builder: PrimitiveValues::with_capacity(capacity),
            nullable,
        }
    }
}

impl ColumnBuilder for BoolColumn {
    fn push_from(&mut self, sc: &mut Scanner) -> Pushed {
        match sc.eat_bool() {
            Some(b) => {
                self.builder.append_value(b.into());
                Ok(())
            }
            None => push_value(self, sc),
        }
    }

    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        let b: bool = match v {
            Value::Bool(b) => *b,
            Value::Null => return null_into(self.nullable, || self.builder.append_null()),
            other => match number_text(other)?.as_ref() {
                "true" | "True" | "TRUE" | "1" => true,
                "false" | "False" | "FALSE" | "0" => false,
                _ => return Err("not a boolean".into()),
            },
        };
        self.builder.append_value(b.into());
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        let bytes = self.builder.finish();
        let bits = BooleanBuffer::collect_bool(bytes.len(), |i| bytes.value(i) != 0);
        Arc::new(BooleanArray::new(bits, bytes.nulls().cloned()))
    }

    fn append_null(&mut self) {
        self.builder.append_null();
    }
}

/// A per-value conversion to text; borrowed when the value is already in canonical form.
type Convert = for<'v> fn(&'v Value<'v>) -> Result<Cow<'v, str>, Reason>;

enum TextRule {
    /// Strings, plus numbers and booleans as their text (some backends send ids as numbers).
    Scalar,
    /// Anything; arrays and objects as their JSON text.
    AnyJson,
    /// A per-value conversion (canonical UUIDs and addresses, huge integers).
    Converted(Convert),
}

fn text(nullable: bool, capacity: usize, rule: TextRule) -> Box<dyn ColumnBuilder> {
    Box::new(TextColumn::new(nullable, capacity, rule))
}

/// Values a text column takes before it sizes its byte buffer for the rest of the batch.
const SIZING_SAMPLE: usize = 32;

struct TextColumn {
    builder: StringBuilder,
    nullable: bool,
    rule: TextRule,
    /// Rows a batch is expected to hold.
    rows: usize,
    /// Bytes the builder's value buffer holds without growing.
    byte_capacity: usize,
}

impl TextColumn {
    fn new(nullable: bool, capacity: usize, rule: TextRule) -> Self {
        TextColumn {
            builder: StringBuilder::with_capacity(capacity, capacity * 16),
            nullable,
            rule,
            rows: capacity,
            byte_capacity: capacity * 16,
        }
    }

    /// Sizes the value buffer for a batch from the first values' mean length (and 1/8
    /// more), so a column of UUIDs does not grow 16 -> 32 -> 64 bytes a row, copying its
    /// bytes at each step: ~1% of `query()`'s samples (perf), ~9% of the instructions
    /// where the row count is a guess (`decode_rows`). The sample is copied once into the
    /// new buffer. A later, longer run of values grows the buffer as before.
    fn size_for_batch(&mut self) {
        let per_value = self.builder.values_slice().len().div_ceil(SIZING_SAMPLE);
        let want = (per_value + per_value.div_ceil(8)) * self.rows;
        if want <= self.byte_capacity {
            return;
        }
        let fresh = StringBuilder::with_capacity(self.rows, want);
        let sample = std::mem::replace(&mut self.builder, fresh).finish();
        self.builder.extend(sample.iter());
        self.byte_capacity = want;
    }
}

impl ColumnBuilder for TextColumn {
    fn push_from(&mut self, sc: &mut Scanner) -> Pushed {
        let plain = match self.rule {
            TextRule::Scalar => sc.plain_scalar(),
            _ => None,
        };
        match plain {
            Some(text) => self.builder.append_value(text),
            None => push_value(self, sc)?,
        }
        if self.builder.len() == SIZING_SAMPLE {
            self.size_for_batch();
        }
        Ok(())
    }

    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        if let Value::Null = v {
            return null_into(self.nullable, || self.builder.append_null());
        }
        match (&self.rule, v) {
            (TextRule::Converted(f), v) => self.builder.append_value(f(v)?.as_ref()),
            (_, Value::Str(s)) => self.builder.append_value(s),
            (_, Value::Number(n)) => self.builder.append_value(n),
            (_, Value::Bool(b)) => self.builder.append_value(if *b { "true" } else { "false" }),
            (TextRule::AnyJson, Value::Nested(raw)) => self.builder.append_value(raw),
            (_, Value::Nested(_)) => {
                return Err("an array or object where text was expected".into())
            }
            (_, Value::Null) => unreachable!("handled above"),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        self.byte_capacity = 0;
        Arc::new(self.builder.finish())
    }

    fn append_null(&mut self) {
        self.builder.append_null();
    }
}

/// Enum labels, dictionary-encoded against the declared labels in declared order, so
/// pandas gets a categorical and polars a Categorical whose categories are the Enum's.
struct EnumColumn<K: ArrowDictionaryKeyType> {
    keys: PrimitiveBuilder<K>,
    labels: ArrayRef,
    by_label: HashMap<String, usize>,
    by_value: HashMap<i64, usize>,
    nullable: bool,
}

impl<K: ArrowDictionaryKeyType> EnumColumn<K> {
    fn new(items: &[(String, i64)], nullable: bool, capacity: usize) -> Self {
        EnumColumn {
            keys: PrimitiveBuilder::with_capacity(capacity),
            labels: Arc::new(StringArray::from_iter_values(items.iter().map(|(l, _)| l))),
            by_label: items
                .iter()
                .enumerate()
                .map(|(i, (l, _))| (l.clone(), i))
                .collect(),
            by_value: items
                .iter()
                .enumerate()
                .map(|(i, (_, v))| (*v, i))
                .collect(),
            nullable,
        }
    }
}

impl<K: ArrowDictionaryKeyType> ColumnBuilder for EnumColumn<K> {
    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        let index = match v {
            Value::Null => return null_into(self.nullable, || self.keys.append_null()),
            Value::Str(s) if self.by_label.contains_key(s.as_ref()) => self.by_label[s.as_ref()],
            other => {
                let n = parse_i64(&number_text(other)?)
                    .map_err(|_| Reason::from("not a label of this Enum"))?;
                *self.by_value.get(&n).ok_or("not a value of this Enum")?
            }
        };
        let key = K::Native::from_usize(index).ok_or("too many Enum labels")?;
        self.keys.append_value(key);
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        Arc::new(
            DictionaryArray::<K>::try_new(self.keys.finish(), self.labels.clone())
                .expect("keys index the declared labels"),
        )
    }

    fn append_null(&mut self) {
        self.keys.append_null();
    }
}

struct Nulls(NullBuilder);

impl ColumnBuilder for Nulls {
    fn push(&mut self, v: &Value) -> Result<(), Reason> {
        match v {
            Value::Null => {
                self.0.append_null();
                Ok(())
            }
            _ => Err("a value in a column of type Nothing (only NULL is allowed)".into()),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        Arc::new(self.0.finish())
    }

    fn append_null(&mut self) {
        self.0.append_null();
    }
}
