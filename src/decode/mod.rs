//! JSON rows + declared column types -> Arrow record batches. No HTTP, no Python.

mod builders;
pub mod envelope;
pub mod infer;
mod nested;
mod primitive_values;
mod text_form;

#[cfg(test)]
pub(crate) mod fuzz_tests;
pub mod piece;
pub mod rebatch;
pub mod scanner;
pub mod values;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use crate::error::DecodeError;
use crate::types::ColumnSpec;
use builders::{builder_for, ColumnBuilder, PushError};
use piece::{decode_piece, PieceEnd, PieceStart, GUESSED_ROW_BYTES};
use scanner::{truncate, Scanner};

/// Rows per record batch: small enough that one string column never nears Arrow's 2 GiB
/// offset limit, large enough that per-batch overhead is noise.
pub const DEFAULT_BATCH_ROWS: usize = 65_536;

pub fn schema_of(columns: &[ColumnSpec]) -> SchemaRef {
    Arc::new(Schema::new(
        columns.iter().map(|c| c.field()).collect::<Vec<_>>(),
    ))
}

/// Where a result's rows are: a JSON array of row arrays, or decoded already.
#[derive(Clone, Copy)]
pub enum Rows<'a> {
    Json(&'a str),
    /// Rows decoded already (in the schema of the same columns).
    Decoded(&'a [RecordBatch]),
}

/// Decodes `rows` into batches of `schema_of(columns)`.
pub fn decode(
    rows: Rows,
    columns: &[ColumnSpec],
    batch_rows: usize,
) -> Result<Vec<RecordBatch>, Box<DecodeError>> {
    match rows {
        Rows::Json(text) => decode_rows(text, columns, batch_rows),
        Rows::Decoded([]) => Ok(vec![RecordBatch::new_empty(schema_of(columns))]),
        Rows::Decoded(batches) => Ok(batches.to_vec()),
    }
}

/// Runs `f` on a worker thread, turning a panic (a bug) into an error so that it cannot
/// take the process down or reach Python as a panic.
pub(crate) fn guarded<T>(
    f: impl FnOnce() -> Result<T, Box<DecodeError>>,
) -> Result<T, Box<DecodeError>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Box::new(DecodeError {
            message: "internal error: the decoder failed unexpectedly (please report it \
                      with the query id)"
                .into(),
            ..Default::default()
        }))
    })
}

/// Decoded rows on their way into batches of `batch_rows`: what every row loop shares.
struct RowSink<'c> {
    columns: &'c [ColumnSpec],
    schema: &'c SchemaRef,
    builders: Vec<Box<dyn ColumnBuilder>>,
    batches: Vec<RecordBatch>,
    batch_rows: usize,
    in_batch: usize,
}

impl<'c> RowSink<'c> {
    fn new(
        columns: &'c [ColumnSpec],
        schema: &'c SchemaRef,
        batch_rows: usize,
        capacity: usize,
    ) -> Self {
        RowSink {
            columns,
            schema,
            builders: columns.iter().map(|c| builder_for(c, capacity)).collect(),
            batches: Vec::new(),
            batch_rows,
            in_batch: 0,
        }
    }

    /// Reads the row at the scanner (its `[` next), numbered `row` in errors.
    fn read_row(&mut self, sc: &mut Scanner, row: usize) -> Result<(), Box<DecodeError>> {
        if !sc.eat(b'[') {
            return Err(not_a_row(sc, row));
        }
        decode_row(sc, row, self.columns, &mut self.builders)?;
        self.in_batch += 1;
        if self.in_batch == self.batch_rows {
            self.batches
                .push(finish_batch(self.schema, &mut self.builders)?);
            self.in_batch = 0;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<RecordBatch>, Box<DecodeError>> {
        if self.in_batch > 0 {
            self.batches
                .push(finish_batch(self.schema, &mut self.builders)?);
        }
        Ok(self.batches)
    }
}

fn malformed_rows(message: &str, row: usize) -> Box<DecodeError> {
    Box::new(DecodeError {
        message: format!("malformed result rows: {message}"),
        row: Some(row),
        ..Default::default()
    })
}

/// The error for a row that is not an array (or not JSON at all).
fn not_a_row(sc: &mut Scanner, row: usize) -> Box<DecodeError> {
    match sc.value() {
        Ok(v) => Box::new(DecodeError {
            message: "a row is not a JSON array".into(),
            row: Some(row),
            excerpt: Some(v.excerpt()),
            ..Default::default()
        }),
        Err(m) => Box::new(DecodeError {
            message: format!("malformed result rows: {m}"),
            row: Some(row),
            ..Default::default()
        }),
    }
}

/// Decodes `rows_json` (a JSON array of row arrays) into batches of `schema_of(columns)`,
/// on this thread.
pub fn decode_rows(
    rows_json: &str,
    columns: &[ColumnSpec],
    batch_rows: usize,
) -> Result<Vec<RecordBatch>, Box<DecodeError>> {
    let schema = schema_of(columns);
    let not_rows = |why: &str| {
        Box::new(DecodeError {
            message: format!("malformed result rows: {why}"),
            ..Default::default()
        })
    };
    let text = rows_json.trim_ascii();
    let inner = text
        .strip_prefix('[')
        .ok_or_else(|| not_rows("not a JSON array of rows"))?;
    let piece = decode_piece(
        inner,
        PieceStart::ArrayStart,
        columns,
        &schema,
        batch_rows,
        GUESSED_ROW_BYTES,
    )?;
    match piece.end {
        PieceEnd::Closed(at) if at + 1 == inner.len() => {}
        PieceEnd::Closed(_) => return Err(not_rows("text after the rows array")),
        _ => return Err(not_rows("the rows array is not terminated")),
    }
    let mut batches = piece.batches;
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    Ok(batches)
}

fn decode_row(
    sc: &mut Scanner,
    row: usize,
    columns: &[ColumnSpec],
    builders: &mut [Box<dyn ColumnBuilder>],
) -> Result<(), Box<DecodeError>> {
    let n = columns.len();
    let wrong_length = |got: String| {
        Box::new(DecodeError {
            message: format!("row has {got} values but the result declares {n} columns"),
            row: Some(row),
            ..Default::default()
        })
    };
    if n > 0 && sc.peek() == Some(b']') {
        return Err(wrong_length("0".into()));
    }
    for (i, (spec, b)) in columns.iter().zip(builders.iter_mut()).enumerate() {
        if i > 0 && !sc.eat_separator(b',') {
            return Err(wrong_length(i.to_string()));
        }
        b.push_from(sc).map_err(|e| {
            let (message, excerpt) = match *e {
                PushError::Json(m) => (format!("malformed JSON: {m}"), None),
                PushError::Value(reason, excerpt) => (reason, Some(excerpt)),
            };
            Box::new(DecodeError {
                message,
                row: Some(row),
                column: Some(spec.name.clone()),
                column_type: Some(spec.declared.clone()),
                excerpt,
                query_id: None,
            })
        })?;
    }
    if sc.eat(b']') {
        return Ok(());
    }
    // Count the surplus so the message says how long the row really was.
    let mut extra = 0;
    while sc.eat(b',') {
        if sc.value().is_err() {
            break;
        }
        extra += 1;
    }
    Err(wrong_length(if extra > 0 {
        (n + extra).to_string()
    } else {
        format!("more than {n}")
    }))
}

fn finish_batch(
    schema: &SchemaRef,
    builders: &mut [Box<dyn ColumnBuilder>],
) -> Result<RecordBatch, Box<DecodeError>> {
    let arrays = builders.iter_mut().map(|b| b.finish()).collect();
    RecordBatch::try_new(schema.clone(), arrays).map_err(|e| {
        Box::new(DecodeError {
            message: format!(
                "internal error assembling a batch: {}",
                truncate(&e.to_string(), 200)
            ),
            ..Default::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::column_spec;
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::Array;

    fn cols(types: &[(&str, &str)]) -> Vec<ColumnSpec> {
        types
            .iter()
            .map(|(n, t)| column_spec(n, t, "UTC"))
            .collect()
    }

    #[test]
    fn text_columns_keep_every_value_when_they_size_their_buffers() {
        // Past the sizing sample (32 values) and across batches of 40: short values first,
        // then longer ones than the sample promised, with NULLs and escapes among them.
        let expected: Vec<Option<String>> = (0..150)
            .map(|i| match i % 7 {
                0 => None,
                1 => Some(format!("q\"{i}\\ é")),
                _ if i < 32 => Some(i.to_string()),
                _ => Some(format!("{i:0>width$}", width = i % 90)),
            })
            .collect();
        let json: Vec<String> = expected
            .iter()
            .map(|v| match v {
                None => "[null]".into(),
                Some(s) => format!("[{}]", serde_json::to_string(s).unwrap()),
            })
            .collect();
        let body = format!("[{}]", json.join(","));
        for batch_rows in [40, 1000] {
            let columns = cols(&[("s", "Nullable(String)")]);
            let batches = decode_rows(&body, &columns, batch_rows).unwrap();
            let got: Vec<Option<String>> = batches
                .iter()
                .flat_map(|b| {
                    let a = b.column(0).as_string::<i32>().clone();
                    (0..a.len())
                        .map(move |i| a.is_valid(i).then(|| a.value(i).to_string()))
                        .collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(got, expected, "batches of {batch_rows}");
        }
    }

    #[test]
    fn a_panicking_worker_becomes_an_error() {
        let e = guarded(|| -> Result<(), Box<DecodeError>> { panic!("a bug") }).unwrap_err();
        assert!(e.message.starts_with("internal error"), "{e}");
        assert_eq!(guarded(|| Ok(7)).unwrap(), 7);
    }

    #[test]
    fn seed_example_decodes() {
        let c = cols(&[("name", "String"), ("created_at", "DateTime")]);
        let b = decode_rows(
            r#"[["example1.pdf", "2024-04-29 21:11:17+00:00"], ["x", "2024-04-29 21:11:18+00:00"]]"#,
            &c,
            DEFAULT_BATCH_ROWS,
        )
        .unwrap();
        assert_eq!(b[0].num_rows(), 2);
        let ts = b[0].column(1).as_primitive::<TimestampSecondType>();
        assert_eq!(ts.value(0), 1_714_425_077);
    }

    #[test]
    fn natives_and_strings_decode_alike() {
        let c = cols(&[
            ("a", "UInt64"),
            ("b", "Nullable(Decimal(38, 10))"),
            ("c", "Bool"),
        ]);
        let native = r#"[[18446744073709551615, 1234567890123456789012345678.1234567891, true], [0, null, false]]"#;
        let strings = r#"[["18446744073709551615", "1234567890123456789012345678.1234567891", "True"], ["0", null, "False"]]"#;
        let a = decode_rows(native, &c, 10).unwrap();
        let b = decode_rows(strings, &c, 10).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a[0].column(0).as_primitive::<UInt64Type>().value(0),
            u64::MAX
        );
    }

    #[test]
    fn batches_split_at_the_limit_and_empty_keeps_schema() {
        let c = cols(&[("a", "Int32")]);
        let b = decode_rows("[[1],[2],[3]]", &c, 2).unwrap();
        assert_eq!(
            b.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
            vec![2, 1]
        );
        let e = decode_rows("[]", &c, 2).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].num_rows(), 0);
        assert_eq!(
            e[0].schema().field(0).data_type(),
            &arrow_schema::DataType::Int32
        );
    }

    #[test]
    fn errors_name_row_column_type_and_value() {
        let c = cols(&[("id", "UInt8"), ("qty", "Int32")]);
        let e = decode_rows(r#"[[1, 2], [300, 3]]"#, &c, 10).unwrap_err();
        assert_eq!(
            (e.row, e.column.as_deref(), e.column_type.as_deref()),
            (Some(1), Some("id"), Some("UInt8"))
        );
        assert_eq!(e.excerpt.as_deref(), Some("300"));
        let e = decode_rows(r#"[[1, "abc"]]"#, &c, 10).unwrap_err();
        assert!(e.to_string().contains("not an integer"), "{e}");
        let e = decode_rows(r#"[[1, null]]"#, &c, 10).unwrap_err();
        assert!(e.message.contains("not Nullable"));
        let e = decode_rows(r#"[[1]]"#, &c, 10).unwrap_err();
        assert!(e.message.contains("row has 1 values"), "{e}");
        let e = decode_rows(r#"[[1, 2, 3, 4]]"#, &c, 10).unwrap_err();
        assert!(e.message.contains("row has 4 values"), "{e}");
        let e = decode_rows(r#"[[1, 2], {"id": 1}]"#, &c, 10).unwrap_err();
        assert_eq!(e.row, Some(1));
        for bad in ["", "[", "[[1, 2]", "[[1, 2]] x", "[[1, 2],]", "{}"] {
            assert!(decode_rows(bad, &c, 10).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn nested_values_in_json_and_in_strings() {
        use arrow_array::{Array, DictionaryArray, ListArray, MapArray, StructArray};
        let c = cols(&[
            ("a", "Array(Nullable(Int32))"),
            ("m", "Map(String, Array(UInt8))"),
            ("t", "Tuple(a Int32, b String)"),
            ("e", "Enum8('x' = 1, 'y' = 2)"),
        ]);
        let native = r#"[[[1, null], {"k": [1, 2]}, {"b": "s", "a": 5}, "y"],
                         [[], {}, [6, "t"], 1]]"#;
        // A backend that stringifies every value sends nested ones as JSON text.
        let strings = r#"[["[1, null]", "{\"k\": [1, 2]}", "[5, \"s\"]", "y"],
                          ["[]", "[]", "[6, \"t\"]", "1"]]"#;
        let a = decode_rows(native, &c, 10).unwrap();
        let b = decode_rows(strings, &c, 10).unwrap();
        assert_eq!(a, b);
        let list = a[0].column(0).as_any().downcast_ref::<ListArray>().unwrap();
        assert_eq!(list.value(0).null_count(), 1);
        assert_eq!(list.value(1).len(), 0);
        let map = a[0].column(1).as_any().downcast_ref::<MapArray>().unwrap();
        assert_eq!((map.value_length(0), map.value_length(1)), (1, 0));
        let st = a[0]
            .column(2)
            .as_any()
            .downcast_ref::<StructArray>()
            .unwrap();
        assert_eq!(st.column(0).as_primitive::<Int32Type>().values(), &[5, 6]);
        let e = a[0]
            .column(3)
            .as_any()
            .downcast_ref::<DictionaryArray<Int16Type>>()
            .unwrap();
        assert_eq!(e.keys().values(), &[1, 0]);
        assert_eq!(e.values().len(), 2);
    }

    #[test]
    fn a_null_tuple_is_a_null_struct_at_any_depth() {
        use arrow_array::{Array, ListArray, StructArray};
        let c = cols(&[
            (
                "t",
                "Nullable(Tuple(a Int32, b Array(String), c Tuple(d Map(String, UInt8))))",
            ),
            (
                "l",
                "Array(Nullable(Tuple(Int8, Nullable(Tuple(String, Float64)))))",
            ),
        ]);
        let rows = r#"[[null, [[1, null], null]], [[1, ["x"], [{"k": 2}]], []]]"#;
        let batches = decode_rows(rows, &c, 10).unwrap();
        let t = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<StructArray>()
            .unwrap();
        assert_eq!((t.len(), t.null_count()), (2, 1));
        assert!(t.is_null(0) && t.is_valid(1));
        let l = batches[0]
            .column(1)
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap();
        let inner = l.value(0);
        let inner = inner.as_any().downcast_ref::<StructArray>().unwrap();
        assert!(inner.is_valid(0) && inner.is_null(1));
        let deeper = inner
            .column(1)
            .as_any()
            .downcast_ref::<StructArray>()
            .unwrap();
        assert!(deeper.is_null(0));
        // A NULL where the type is not Nullable is still an error.
        let strict = cols(&[("t", "Tuple(Int8)")]);
        assert!(decode_rows("[[null]]", &strict, 10).is_err());
        assert!(
            decode_rows("[[null, null]]", &c, 10).is_err(),
            "Array is not Nullable"
        );
    }

    #[test]
    fn null_in_a_float_column_that_is_not_nullable_reads_as_nan() {
        let c = cols(&[
            ("f", "Float64"),
            ("g", "Float32"),
            ("n", "Nullable(Float64)"),
        ]);
        let b = decode_rows(r#"[[null, null, null], ["nan", "-inf", 1.5]]"#, &c, 10).unwrap();
        let f = b[0].column(0).as_primitive::<Float64Type>();
        let g = b[0].column(1).as_primitive::<Float32Type>();
        assert!(f.value(0).is_nan() && f.null_count() == 0 && f.value(1).is_nan());
        assert!(g.value(0).is_nan() && g.value(1) == f32::NEG_INFINITY);
        assert_eq!(b[0].column(2).null_count(), 1);
        let strings = decode_rows(r#"[["null", "NaN", null]]"#, &c, 10);
        assert!(strings.is_err(), "the text 'null' is not a number");
    }

    #[test]
    fn nested_errors_say_which_element() {
        let c = cols(&[("a", "Array(Array(UInt8))")]);
        let e = decode_rows(r#"[[[[1], [2, 300]]]]"#, &c, 10).unwrap_err();
        assert!(
            e.message
                .contains("element 1: element 1: integer out of range"),
            "{e}"
        );
        let c = cols(&[("t", "Tuple(Int32, String)")]);
        let e = decode_rows(r#"[[[1]]]"#, &c, 10).unwrap_err();
        assert!(e.message.contains("1 elements where 2 are declared"), "{e}");
        let e = decode_rows(r#"[[{"zz": 1}]]"#, &c, 10).unwrap_err();
        assert!(e.message.contains("'zz' that is not declared"), "{e}");
        let c = cols(&[("m", "Map(UInt8, String)")]);
        let e = decode_rows(r#"[[{"x": "a"}]]"#, &c, 10).unwrap_err();
        assert!(e.message.contains("key \"x\": not an integer"), "{e}");
        let c = cols(&[("e", "Enum8('a' = 1)")]);
        assert!(decode_rows(r#"[["b"]]"#, &c, 10).is_err());
        assert!(decode_rows(r#"[[7]]"#, &c, 10).is_err());
    }

    #[test]
    fn canonical_text_types() {
        let c = cols(&[("u", "UUID"), ("v4", "IPv4"), ("v6", "IPv6")]);
        let b = decode_rows(
            r#"[["123E4567E89B12D3A456426614174000", 3232235521, "2001:DB8:0:0:0:0:0:1"]]"#,
            &c,
            10,
        )
        .unwrap();
        let text = |i: usize| b[0].column(i).as_string::<i32>().value(0).to_owned();
        assert_eq!(text(0), "123e4567-e89b-12d3-a456-426614174000");
        assert_eq!(text(1), "192.168.0.1");
        assert_eq!(text(2), "2001:db8::1");
        assert!(decode_rows(r#"[["nope", "1.2.3.4", "::"]]"#, &c, 10).is_err());
        assert!(decode_rows(
            r#"[["123e4567-e89b-12d3-a456-426614174000", "1.2.3", "::"]]"#,
            &c,
            10
        )
        .is_err());
    }
}
