//! ClickHouse type names -> what the decoder builds and the Arrow type it produces.
//!
//! The declared type decides everything; values are never used to guess. Types this module
//! does not build natively yet (nested ones: Array, Map, Tuple, JSON, ...) become JSON text
//! columns, and names it does not know at all become text with a warning, so a new server
//! type never fails a query.

use std::sync::Arc;

use arrow_schema::{DataType, Field, TimeUnit};

use super::grammar::{parse_type, TypeArg, TypeExpr};

/// How one column's values are read. Each variant maps to exactly one Arrow type.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    /// 128-bit integers: exact in decimal256(39, 0), the narrowest Arrow type that holds them.
    WideInt {
        signed: bool,
    },
    /// 256-bit integers do not fit any Arrow decimal (76 digits at most): exact text.
    HugeInt {
        signed: bool,
    },
    Float32,
    Float64,
    Decimal {
        precision: u8,
        scale: i8,
    },
    Bool,
    /// String, FixedString: text as the service renders it.
    Text,
    /// UUID, IPv4, IPv6: text, validated and put in canonical form.
    Uuid,
    Ipv4,
    Ipv6,
    Date,
    /// Seconds since the epoch; `tz` is the column's zone (declared, else the server's).
    DateTime {
        tz: String,
    },
    DateTime64 {
        precision: u8,
        tz: String,
    },
    /// Enum8/Enum16: dictionary-encoded labels in declared order (`wide`: Enum16, whose
    /// label count needs 32-bit keys). Numeric values are mapped back to their labels.
    Enum {
        items: Vec<(String, i64)>,
        wide: bool,
    },
    /// Time / Time64(p): a signed duration (ClickHouse allows beyond 24 h and negative).
    Time {
        precision: u8,
    },
    /// IntervalSecond .. IntervalWeek: a count of `multiplier` units of `unit`.
    Interval {
        unit: TimeUnit,
        multiplier: i64,
    },
    /// Array(T).
    List(Box<ColumnSpec>),
    /// Map(K, V).
    Map(Box<ColumnSpec>, Box<ColumnSpec>),
    /// Tuple(...), named or not; also Point.
    Struct(Vec<ColumnSpec>),
    /// Nothing: only NULLs.
    Null,
    /// Values kept as JSON text (JSON, Dynamic, Variant, unknown types).
    JsonText,
}

/// A declared column, ready for decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    /// The service's type name, verbatim.
    pub declared: String,
    pub kind: ColumnKind,
    pub nullable: bool,
    /// Set when the type was not understood: the column falls back to text.
    pub warning: Option<String>,
}

impl ColumnSpec {
    pub fn data_type(&self) -> DataType {
        self.kind.data_type()
    }

    pub fn field(&self) -> Field {
        Field::new(
            &self.name,
            self.data_type(),
            self.nullable || self.kind == ColumnKind::Null,
        )
        .with_metadata(
            [("sqlquarry.declared_type".to_owned(), self.declared.clone())]
                .into_iter()
                .collect(),
        )
    }
}

impl ColumnKind {
    pub fn data_type(&self) -> DataType {
        use ColumnKind::*;
        match self {
            Int8 => DataType::Int8,
            Int16 => DataType::Int16,
            Int32 => DataType::Int32,
            Int64 => DataType::Int64,
            UInt8 => DataType::UInt8,
            UInt16 => DataType::UInt16,
            UInt32 => DataType::UInt32,
            UInt64 => DataType::UInt64,
            WideInt { .. } => DataType::Decimal256(39, 0),
            HugeInt { .. } | Text | Uuid | Ipv4 | Ipv6 | JsonText => DataType::Utf8,
            Enum { wide, .. } => {
                let key = if *wide {
                    DataType::Int32
                } else {
                    DataType::Int16
                };
                DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
            }
            Interval { unit, .. } => DataType::Duration(*unit),
            List(item) => DataType::List(Arc::new(item.field())),
            Map(k, v) => DataType::Map(Arc::new(map_entries(k, v)), false),
            Struct(fields) => DataType::Struct(fields.iter().map(|f| f.field()).collect()),
            Float32 => DataType::Float32,
            Float64 => DataType::Float64,
            Decimal { precision, scale } if *precision <= 38 => {
                DataType::Decimal128(*precision, *scale)
            }
            Decimal { precision, scale } => DataType::Decimal256(*precision, *scale),
            Bool => DataType::Boolean,
            Date => DataType::Date32,
            DateTime { tz } => DataType::Timestamp(TimeUnit::Second, Some(Arc::from(tz.as_str()))),
            DateTime64 { precision, tz } => {
                DataType::Timestamp(time_unit(*precision), Some(Arc::from(tz.as_str())))
            }
            Time { precision } => DataType::Duration(time_unit(*precision)),
            Null => DataType::Null,
        }
    }
}

/// The `entries` field of an Arrow map: a non-null struct of a non-null key and a value.
pub fn map_entries(key: &ColumnSpec, value: &ColumnSpec) -> Field {
    let key = key.field().with_nullable(false);
    Field::new_struct("entries", vec![key, value.field()], false)
}

/// The coarsest Arrow unit that holds `precision` fractional digits exactly.
pub fn time_unit(precision: u8) -> TimeUnit {
    match precision {
        0 => TimeUnit::Second,
        1..=3 => TimeUnit::Millisecond,
        4..=6 => TimeUnit::Microsecond,
        _ => TimeUnit::Nanosecond,
    }
}

/// Builds column specs from a result's names and declared types.
/// `default_tz` is the zone for DateTime columns that declare none (the server's zone).
pub fn column_spec(name: &str, declared: &str, default_tz: &str) -> ColumnSpec {
    let (kind, nullable, warning) = match parse_type(declared) {
        Ok(expr) => {
            let (expr, nullable) = unwrap_modifiers(&expr);
            match kind_of(expr, default_tz) {
                Ok(kind) => (kind, nullable, None),
                Err(why) => (
                    ColumnKind::JsonText,
                    true,
                    Some(format!(
                        "column '{name}': {why} ('{declared}'); its values are returned as text"
                    )),
                ),
            }
        }
        Err(e) => (
            ColumnKind::JsonText,
            true,
            Some(format!(
                "column '{name}': cannot parse type '{declared}' ({e}); its values are returned as text"
            )),
        ),
    };
    ColumnSpec {
        name: name.to_owned(),
        declared: declared.to_owned(),
        kind,
        nullable,
        warning,
    }
}

/// Strips `Nullable`, `LowCardinality` and `SimpleAggregateFunction`, which change storage
/// or nullability but not the value.
fn unwrap_modifiers(mut e: &TypeExpr) -> (&TypeExpr, bool) {
    let mut nullable = false;
    loop {
        match (e.name.as_str(), e.args.as_slice()) {
            ("Nullable", [TypeArg::Type(inner)]) => {
                nullable = true;
                e = inner;
            }
            ("LowCardinality", [TypeArg::Type(inner)]) => e = inner,
            ("SimpleAggregateFunction", [_, TypeArg::Type(inner)]) => e = inner,
            _ => return (e, nullable),
        }
    }
}

/// A nested element (array item, map key or value, tuple element) as a spec of its own.
fn child(name: &str, e: &TypeExpr, default_tz: &str) -> Result<ColumnSpec, String> {
    let (inner, nullable) = unwrap_modifiers(e);
    Ok(ColumnSpec {
        name: name.to_owned(),
        declared: e.text(),
        kind: kind_of(inner, default_tz)?,
        nullable,
        warning: None,
    })
}

fn only_type(args: &[TypeArg], what: &str) -> Result<TypeExpr, String> {
    match args {
        [TypeArg::Type(t)] => Ok(t.clone()),
        _ => Err(format!("malformed {what}")),
    }
}

fn tuple_fields(args: &[TypeArg], default_tz: &str) -> Result<Vec<ColumnSpec>, String> {
    if args.is_empty() {
        return Err("a tuple with no elements".into());
    }
    args.iter()
        .enumerate()
        .map(|(i, a)| match a {
            // Unnamed elements are named by position from 1, as ClickHouse's tupleElement.
            TypeArg::Type(t) => child(&(i + 1).to_string(), t, default_tz),
            TypeArg::Named(n, t) => child(n, t, default_tz),
            _ => Err("malformed Tuple".into()),
        })
        .collect()
}

/// Geometry types are aliases of tuples and arrays of points.
fn geo_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        // Each in terms of the next smaller one, as ClickHouse names the elements.
        "Point" => "Tuple(x Float64, y Float64)",
        "Ring" | "LineString" => "Array(Point)",
        "MultiLineString" => "Array(LineString)",
        "Polygon" => "Array(Ring)",
        "MultiPolygon" => "Array(Polygon)",
        _ => return None,
    })
}

fn interval(name: &str) -> Option<ColumnKind> {
    let (unit, multiplier) = match name {
        "IntervalNanosecond" => (TimeUnit::Nanosecond, 1),
        "IntervalMicrosecond" => (TimeUnit::Microsecond, 1),
        "IntervalMillisecond" => (TimeUnit::Millisecond, 1),
        "IntervalSecond" => (TimeUnit::Second, 1),
        "IntervalMinute" => (TimeUnit::Second, 60),
        "IntervalHour" => (TimeUnit::Second, 3_600),
        "IntervalDay" => (TimeUnit::Second, 86_400),
        "IntervalWeek" => (TimeUnit::Second, 604_800),
        // Months have no fixed length: a count of the unit.
        "IntervalMonth" | "IntervalQuarter" | "IntervalYear" => return Some(ColumnKind::Int64),
        _ => return None,
    };
    Some(ColumnKind::Interval { unit, multiplier })
}

fn kind_of(e: &TypeExpr, default_tz: &str) -> Result<ColumnKind, String> {
    use ColumnKind::*;
    let no_args = e.args.is_empty();
    if let Some(alias) = geo_alias(&e.name).filter(|_| no_args) {
        let expr = parse_type(alias).expect("geometry aliases are valid types");
        return kind_of(&expr, default_tz);
    }
    if let Some(kind) = interval(&e.name).filter(|_| no_args) {
        return Ok(kind);
    }
    Ok(match e.name.as_str() {
        "Int8" if no_args => Int8,
        "Int16" if no_args => Int16,
        "Int32" if no_args => Int32,
        "Int64" if no_args => Int64,
        "UInt8" if no_args => UInt8,
        "UInt16" if no_args => UInt16,
        "UInt32" if no_args => UInt32,
        "UInt64" if no_args => UInt64,
        "Int128" if no_args => WideInt { signed: true },
        "UInt128" if no_args => WideInt { signed: false },
        "Int256" if no_args => HugeInt { signed: true },
        "UInt256" if no_args => HugeInt { signed: false },
        "Float32" | "BFloat16" if no_args => Float32,
        "Float64" if no_args => Float64,
        "Bool" | "Boolean" if no_args => Bool,
        "String" if no_args => Text,
        "UUID" if no_args => Uuid,
        "IPv4" if no_args => Ipv4,
        "IPv6" if no_args => Ipv6,
        "FixedString" => Text,
        "Date" | "Date32" if no_args => Date,
        "Decimal" => decimal(&e.args)?,
        "Decimal32" => decimal_with(9, &e.args)?,
        "Decimal64" => decimal_with(18, &e.args)?,
        "Decimal128" => decimal_with(38, &e.args)?,
        "Decimal256" => decimal_with(76, &e.args)?,
        "DateTime" => match e.args.as_slice() {
            [] => DateTime {
                tz: default_tz.to_owned(),
            },
            [TypeArg::Str(tz)] => DateTime { tz: zone(tz)? },
            _ => return Err("malformed DateTime".into()),
        },
        "DateTime64" => {
            let (p, tz) = match e.args.as_slice() {
                [TypeArg::Number(p)] => (p, default_tz.to_owned()),
                [TypeArg::Number(p), TypeArg::Str(tz)] => (p, zone(tz)?),
                _ => return Err("malformed DateTime64".into()),
            };
            DateTime64 {
                precision: small_number(p, 9)?,
                tz,
            }
        }
        "Time" if no_args => Time { precision: 0 },
        "Time64" => match e.args.as_slice() {
            [TypeArg::Number(p)] => Time {
                precision: small_number(p, 9)?,
            },
            _ => return Err("malformed Time64".into()),
        },
        "Enum8" | "Enum16" | "Enum" => {
            let mut items = Vec::with_capacity(e.args.len());
            for a in &e.args {
                match a {
                    TypeArg::EnumItem(label, v) => items.push((label.clone(), *v)),
                    // `Enum('a', 'b')` numbers labels from 1.
                    TypeArg::Str(label) => items.push((label.clone(), items.len() as i64 + 1)),
                    _ => return Err("malformed Enum".into()),
                }
            }
            if items.is_empty() {
                return Err("an Enum with no labels".into());
            }
            Enum {
                wide: e.name != "Enum8",
                items,
            }
        }
        "Array" => List(Box::new(child(
            "item",
            &only_type(&e.args, "Array")?,
            default_tz,
        )?)),
        "Map" => match e.args.as_slice() {
            [TypeArg::Type(k), TypeArg::Type(v)] => {
                let mut key = child("key", k, default_tz)?;
                key.nullable = false;
                Map(Box::new(key), Box::new(child("value", v, default_tz)?))
            }
            _ => return Err("malformed Map".into()),
        },
        "Tuple" => Struct(tuple_fields(&e.args, default_tz)?),
        "Nested" => {
            let item = ColumnSpec {
                name: "item".into(),
                declared: format!("Tuple{}", &e.text()["Nested".len()..]),
                kind: Struct(tuple_fields(&e.args, default_tz)?),
                nullable: false,
                warning: None,
            };
            List(Box::new(item))
        }
        "Nothing" if no_args => Null,
        // Semi-structured values and aggregate states: their JSON text.
        "JSON" | "Object" | "Dynamic" | "Variant" | "Geometry" | "AggregateFunction" => JsonText,
        _ => return Err("unsupported type".into()),
    })
}

fn zone(tz: &str) -> Result<String, String> {
    super::zone::Zone::named(tz).map(|_| tz.to_owned())
}

fn small_number(text: &str, max: u8) -> Result<u8, String> {
    match text.parse::<u8>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(format!("'{text}' is not a number from 0 to {max}")),
    }
}

fn decimal(args: &[TypeArg]) -> Result<ColumnKind, String> {
    match args {
        [TypeArg::Number(p)] => decimal_kind(small_number(p, 76)?, 0),
        [TypeArg::Number(p), TypeArg::Number(s)] => {
            decimal_kind(small_number(p, 76)?, small_number(s, 76)?)
        }
        _ => Err("malformed Decimal".into()),
    }
}

fn decimal_with(precision: u8, args: &[TypeArg]) -> Result<ColumnKind, String> {
    match args {
        [TypeArg::Number(s)] => decimal_kind(precision, small_number(s, precision)?),
        _ => Err("malformed Decimal".into()),
    }
}

fn decimal_kind(precision: u8, scale: u8) -> Result<ColumnKind, String> {
    if precision == 0 || scale > precision {
        return Err(format!("invalid Decimal({precision}, {scale})"));
    }
    Ok(ColumnKind::Decimal {
        precision,
        scale: scale as i8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(t: &str) -> (ColumnKind, bool) {
        let s = column_spec("c", t, "UTC");
        assert!(s.warning.is_none(), "{t}: {:?}", s.warning);
        (s.kind, s.nullable)
    }

    #[test]
    fn scalar_mapping() {
        assert_eq!(kind("UInt64"), (ColumnKind::UInt64, false));
        assert_eq!(kind("Nullable(Int32)"), (ColumnKind::Int32, true));
        assert_eq!(
            kind("LowCardinality(Nullable(String))"),
            (ColumnKind::Text, true)
        );
        assert_eq!(
            kind("Decimal(18, 2)").0.data_type(),
            DataType::Decimal128(18, 2)
        );
        assert_eq!(
            kind("Decimal256(10)").0.data_type(),
            DataType::Decimal256(76, 10)
        );
        assert_eq!(
            kind("DateTime64(6, 'Asia/Tokyo')").0.data_type(),
            DataType::Timestamp(TimeUnit::Microsecond, Some("Asia/Tokyo".into()))
        );
        assert_eq!(
            kind("DateTime").0.data_type(),
            DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))
        );
        assert_eq!(
            kind("Array(Nullable(Int32))").0.data_type(),
            DataType::List(Arc::new(
                Field::new("item", DataType::Int32, true).with_metadata(
                    [(
                        "sqlquarry.declared_type".to_owned(),
                        "Nullable(Int32)".to_owned()
                    )]
                    .into()
                )
            ))
        );
        assert!(matches!(
            kind("Map(String, Array(UInt8))").0,
            ColumnKind::Map(..)
        ));
        let ColumnKind::Struct(f) = kind("Tuple(a Int32, String)").0 else {
            panic!()
        };
        assert_eq!((f[0].name.as_str(), f[1].name.as_str()), ("a", "2"));
        let ColumnKind::List(item) = kind("Nested(a Int32, b String)").0 else {
            panic!()
        };
        assert!(matches!(item.kind, ColumnKind::Struct(_)));
        assert_eq!(
            kind("MultiPolygon")
                .0
                .data_type()
                .to_string()
                .matches("List")
                .count(),
            3
        );
        assert_eq!(
            kind("IntervalHour").0,
            ColumnKind::Interval {
                unit: TimeUnit::Second,
                multiplier: 3600
            }
        );
        assert_eq!(kind("IntervalMonth").0, ColumnKind::Int64);
        assert_eq!(kind("JSON").0, ColumnKind::JsonText);
    }

    #[test]
    fn unknown_types_fall_back_to_text_with_a_warning() {
        for t in [
            "Frobnicate",
            "Decimal(3, 9)",
            "DateTime('Mars/Base')",
            "Int32(",
            "",
        ] {
            let s = column_spec("c", t, "UTC");
            assert_eq!(s.kind, ColumnKind::JsonText, "{t}");
            assert!(s.warning.as_deref().unwrap().contains("column 'c'"));
        }
    }
}
