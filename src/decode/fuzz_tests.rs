//! Property tests: the type parser and the decoder return errors, never panic, whatever
//! they are fed. A bounded run is part of `cargo test` (and so of `make test`); set
//! PROPTEST_CASES to run longer.

use proptest::prelude::*;

use arrow_array::RecordBatch;

use super::{decode_rows, DEFAULT_BATCH_ROWS};
use crate::types::{column_spec, ColumnSpec};

/// Type names that exercise every builder, nested ones included.
pub(crate) const TYPES: &[&str] = &[
    "Int8",
    "UInt8",
    "Int32",
    "UInt64",
    "Int128",
    "UInt256",
    "Float32",
    "Float64",
    "Decimal(9, 2)",
    "Decimal(38, 10)",
    "Decimal(76, 5)",
    "Bool",
    "String",
    "FixedString(3)",
    "UUID",
    "IPv4",
    "IPv6",
    "Date",
    "Date32",
    "DateTime",
    "DateTime('Asia/Tokyo')",
    "DateTime64(3)",
    "DateTime64(9, 'America/New_York')",
    "Time",
    "Time64(6)",
    "Enum8('a' = 1, 'b' = 2)",
    "Nullable(Int32)",
    "LowCardinality(Nullable(String))",
    "Array(Nullable(Int16))",
    "Array(Array(String))",
    "Map(String, Array(UInt8))",
    "Map(UInt8, Nullable(Float64))",
    "Tuple(Int32, String)",
    "Tuple(a Date, b Array(Bool))",
    "Nested(x Int8, y String)",
    "Point",
    "MultiPolygon",
    "IntervalHour",
    "JSON",
    "Nothing",
    "Nullable(Nothing)",
    "Frobnicate",
];

pub(crate) fn specs(indices: &[usize]) -> Vec<ColumnSpec> {
    indices
        .iter()
        .enumerate()
        .map(|(i, t)| column_spec(&format!("c{i}"), TYPES[*t % TYPES.len()], "UTC"))
        .collect()
}

/// Arbitrary JSON values, biased towards the scalars and shapes results contain.
pub(crate) fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("\"{n}\"")),
        any::<f64>().prop_map(|f| if f.is_finite() { f.to_string() } else { "\"nan\"".into() }),
        "[0-9]{1,40}(\\.[0-9]{1,40})?(e-?[0-9]{1,3})?",
        "\"[ -~]{0,12}\"",
        "\"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?)?([+-][0-9]{2}:?[0-9]{2}|Z)?\"",
        "\"-?[0-9]{1,3}:[0-9]{2}:[0-9]{2}\"",
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..3).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

/// 2000 cases per property unless PROPTEST_CASES says otherwise.
/// A JSON rows array of `rows` (each a list of JSON values), rows separated by `glue`.
pub(crate) fn rows_array(rows: &[Vec<String>], glue: &str) -> String {
    let rows: Vec<String> = rows.iter().map(|r| format!("[{}]", r.join(","))).collect();
    format!("[{}]", rows.join(glue))
}

/// `batches` as one batch, in the schema of `like`'s first batch.
pub(crate) fn concatenated(like: &[RecordBatch], batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&like[0].schema(), batches).unwrap()
}

pub(crate) fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 2000;
    }
    c.failure_persistence = None;
    c
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_type_string_parses_or_falls_back(t in "\\PC{0,40}") {
        let spec = column_spec("c", &t, "UTC");
        let _ = spec.field();
    }

    #[test]
    fn type_like_strings_never_panic(t in "[A-Za-z0-9_(), '=\\\\-]{0,60}") {
        let spec = column_spec("c", &t, "UTC");
        let _ = decode_rows("[[null]]", std::slice::from_ref(&spec), DEFAULT_BATCH_ROWS);
    }

    #[test]
    fn arbitrary_bytes_as_rows_never_panic(body in "\\PC{0,80}", cols in prop::collection::vec(0usize..64, 0..4)) {
        let _ = decode_rows(&body, &specs(&cols), DEFAULT_BATCH_ROWS);
    }

    #[test]
    fn structured_rows_never_panic(
        cols in prop::collection::vec(0usize..64, 1..4),
        rows in prop::collection::vec(prop::collection::vec(json_value(), 0..5), 0..6),
    ) {
        let body = format!("[{}]", rows.iter().map(|r| format!("[{}]", r.join(","))).collect::<Vec<_>>().join(","));
        let columns = specs(&cols);
        if let Ok(batches) = decode_rows(&body, &columns, 2) {
            let n: usize = batches.iter().map(|b| b.num_rows()).sum();
            prop_assert_eq!(n, rows.len());
        }
    }

    #[test]
    fn integers_and_decimals_decode_alike_from_numbers_and_strings(
        a in any::<i64>(), b in any::<u64>(), units in any::<i64>(), scale in 0u32..10,
    ) {
        let columns = vec![
            column_spec("a", "Int64", "UTC"),
            column_spec("b", "UInt64", "UTC"),
            column_spec("d", "Decimal(38, 9)", "UTC"),
        ];
        let digits = units.unsigned_abs().to_string();
        let (int_part, frac) = if digits.len() > scale as usize {
            digits.split_at(digits.len() - scale as usize)
        } else {
            ("0", digits.as_str())
        };
        let sign = if units < 0 { "-" } else { "" };
        let dec = if frac.is_empty() { format!("{sign}{int_part}") } else { format!("{sign}{int_part}.{frac:0>width$}", width = scale as usize) };
        let native = format!("[[{a}, {b}, {dec}]]");
        let quoted = format!("[[\"{a}\", \"{b}\", \"{dec}\"]]");
        let x = decode_rows(&native, &columns, 10).unwrap();
        let y = decode_rows(&quoted, &columns, 10).unwrap();
        prop_assert_eq!(x, y);
    }

    #[test]
    fn decimal_fast_path_agrees_with_the_general_one(
        int_digits in "[0-9]{1,40}", frac_digits in "[0-9]{0,20}", neg in any::<bool>(),
        precision in 1u8..=38, scale in 0i8..=20,
    ) {
        let sign = if neg { "-" } else { "" };
        let text = if frac_digits.is_empty() { format!("{sign}{int_digits}") } else { format!("{sign}{int_digits}.{frac_digits}") };
        let scale = scale.min(precision as i8);
        let fast = super::values::parse_decimal128(&text, precision, scale);
        let general = super::values::general_decimal128(&text, precision, scale);
        prop_assert_eq!(fast.is_ok(), general.is_ok(), "{}", text);
        if let (Ok(a), Ok(b)) = (fast, general) {
            prop_assert_eq!(a, b, "{}", text);
        }
    }

    #[test]
    fn float_parser_agrees_with_std(
        text in prop_oneof![
            "[+-]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{0,4})?",
            "[-+.eE0-9a-zA-Z_ ]{0,12}",
            any::<f64>().prop_map(|x| x.to_string()),
            any::<f64>().prop_map(|x| format!("{x:e}")),
        ],
    ) {
        let ours = super::values::parse_f64(&text).ok();
        match text.parse::<f64>() {
            Ok(want) if want.is_nan() => prop_assert!(ours.is_some_and(f64::is_nan), "{}", text),
            Ok(want) => prop_assert_eq!(ours.map(f64::to_bits), Some(want.to_bits()), "{}", text),
            Err(_) => prop_assert_eq!(ours, None, "{}", text),
        }
    }

    #[test]
    fn timestamp_fast_path_agrees_with_chrono(
        y in 1000i32..3000, m in 1u32..=12, d in 1u32..=31, h in 0u32..24, mi in 0u32..60, s in 0u32..60,
        sep in prop::sample::select(vec![" ", "T"]),
        suffix in prop::sample::select(vec!["+00:00", "Z", "", "+01:30", " UTC"]),
    ) {
        let text = format!("{y:04}-{m:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{suffix}");
        let got = super::values::parse_timestamp(&text, 0, None);
        match chrono::NaiveDate::from_ymd_opt(y, m, d) {
            None => prop_assert!(got.is_err(), "{}", text),
            Some(date) => {
                let offset = if suffix == "+01:30" { 5400 } else { 0 };
                let want = date.and_hms_opt(h, mi, s).unwrap().and_utc().timestamp() - offset;
                prop_assert_eq!(got, Ok(want), "{}", text);
            }
        }
    }
}
