//! The reader against the sequential decoder: wherever pieces are cut and however the body
//! arrives, the same rows or the same failure.

use arrow_array::RecordBatch;
use bytes::Bytes;
use proptest::prelude::*;

use super::collect::results;
use super::reader::{LateColumns, Origin, Reader, Sizes};
use crate::decode::fuzz_tests::{concatenated, config, json_value, rows_array, specs, TYPES};
use crate::decode::{decode_rows, DEFAULT_BATCH_ROWS};
use crate::error::{Error, RequestContext, Result};
use crate::result::QueryResult;
use crate::types::ColumnSpec;

/// Reads `body` arriving in network pieces of `net` bytes with `sizes`.
fn read(body: &str, net: usize, sizes: Sizes, batch_rows: usize) -> Result<Vec<QueryResult>> {
    let origin = Origin {
        ctx: RequestContext::default(),
        tz: "UTC".into(),
        fallback_id: None,
        progress: None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut reader = Reader::with_sizes(origin, LateColumns::Hold, batch_rows, sizes);
        for piece in body.as_bytes().chunks(net.max(1)) {
            reader.push(Bytes::copy_from_slice(piece)).await?;
        }
        Ok(results(reader).await?.unwrap_or_default())
    })
}

fn tiny(piece_bytes: usize, max_in_flight: usize, threads: bool) -> Sizes {
    Sizes {
        piece_bytes,
        max_in_flight,
        inline_bytes: if threads { 0 } else { usize::MAX },
    }
}

/// A result object declaring `columns`, before its rows or (`late`) after them.
fn result_json(columns: &[ColumnSpec], rows_json: &str, late: bool) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("{:?}", c.name)).collect();
    let types: Vec<String> = columns
        .iter()
        .map(|c| format!("{:?}", c.declared))
        .collect();
    let declared = format!(
        r#""column_names": [{}], "column_types": [{}]"#,
        names.join(", "),
        types.join(", ")
    );
    if late {
        format!(r#"{{"result_rows": {rows_json}, {declared}, "after": "],["}}"#)
    } else {
        format!(r#"{{{declared}, "result_rows": {rows_json}, "after": [["],["], [1]]}}"#)
    }
}

fn all_rows(r: &QueryResult) -> RecordBatch {
    let batches = &r.batches;
    arrow_select::concat::concat_batches(&batches[0].schema(), batches).unwrap()
}

#[test]
fn any_cut_gives_the_sequential_answer() {
    let columns = specs(&[3, 12, 29]); // UInt64, String, Array(Array(String))
                                       // Strings and nested arrays full of `],[` to mislead the guesses.
    let rows: Vec<String> = (0..3000)
        .map(|i| format!(r#"[{i}, "x],[{i}, \"]," , [["],["],[]]]"#))
        .collect();
    let rows_json = format!("[{}]", rows.join(", "));
    let want = decode_rows(&rows_json, &columns, 64).unwrap();
    let body = format!("[{}]", result_json(&columns, &rows_json, false));
    for (piece_bytes, net) in [(1, 4096), (7, 333), (100, 1), (5000, 1 << 20), (1 << 20, 7)] {
        for threads in [false, true] {
            let got = read(&body, net, tiny(piece_bytes, 3, threads), 64).unwrap();
            assert_eq!(
                all_rows(&got[0]),
                concatenated(&want, &want),
                "pieces of {piece_bytes}"
            );
        }
    }
}

#[test]
fn errors_count_rows_from_the_array_start() {
    let columns = specs(&[1]); // UInt8
    let mut rows = vec!["[1]"; 40_000];
    rows[33_333] = "[300]";
    let body = result_json(&columns, &format!("[{}]", rows.join(",\n")), false);
    for piece_bytes in [10, 1000, 1 << 20] {
        match read(&body, 1 << 16, tiny(piece_bytes, 4, true), 1000) {
            Err(Error::Decode(e)) => assert_eq!(e.row, Some(33_333), "{e:?}"),
            other => panic!("{:?}", other.map(|r| r.len())),
        }
    }
}

#[test]
fn malformed_rows_are_errors_however_cut() {
    let columns = specs(&[1]);
    for bad in [
        "[[1],]",
        "[[1] [2]]",
        "[[1],,[2]]",
        "[[1], [2]",
        "[[1], 7]",
        "[[1], [2]] ]",
        "[[1], [\"2]",
    ] {
        let body = format!(
            r#"{{"column_types": ["UInt8"], "column_names": ["c0"], "result_rows": {bad}}}"#
        );
        for piece_bytes in [1, 2, 3, 100] {
            for net in [1, 2, 5, 1000] {
                let got = read(&body, net, tiny(piece_bytes, 2, false), 10);
                assert!(got.is_err(), "{bad} in pieces of {piece_bytes}/{net}");
            }
        }
        let _ = &columns;
    }
}

#[test]
fn every_statement_keeps_its_rows() {
    let a = specs(&[3]);
    let b = specs(&[12, 3]);
    let rows_a = format!(
        "[{}]",
        (0..500)
            .map(|i| format!("[{i}]"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let rows_b = format!(
        "[{}]",
        (0..300)
            .map(|i| format!(r#"["],[{i}", {i}]"#))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for late in [false, true] {
        let body = format!(
            "[{}, {{\"column_names\": [], \"column_types\": [], \"result_rows\": []}}, {}]",
            result_json(&a, &rows_a, late),
            result_json(&b, &rows_b, false)
        );
        for piece_bytes in [1, 13, 400, 1 << 20] {
            for net in [1, 64, 5000] {
                let got = read(&body, net, tiny(piece_bytes, 3, piece_bytes > 13), 100).unwrap();
                assert_eq!(
                    got.iter().map(QueryResult::num_rows).collect::<Vec<_>>(),
                    vec![500, 0, 300]
                );
                let want_b = decode_rows(&rows_b, &b, 100).unwrap();
                assert_eq!(all_rows(&got[2]), concatenated(&want_b, &want_b));
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pieces_and_arrivals_of_any_size_give_the_sequential_answer(
        cols in prop::collection::vec(0usize..TYPES.len(), 1..4),
        // Values, and strings full of what the guesses look for (escapes included).
        rows in prop::collection::vec(prop::collection::vec(prop_oneof![json_value(), "\"([a\\],\\[ ]|\\\\\"){0,8}\""], 0..5), 0..12),
        piece_bytes in 1usize..64,
        net in 1usize..40,
        max_in_flight in 2usize..5,
        threads in any::<bool>(),
        late in any::<bool>(),
        glue in prop::sample::select(vec![",", ", ", " ,\n", "],[", ""]),
    ) {
        let columns = specs(&cols);
        let rows_json = rows_array(&rows, glue);
        let sequential = decode_rows(&rows_json, &columns, 3);
        let body = format!("[{}]", result_json(&columns, &rows_json, late));
        let got = read(&body, net, tiny(piece_bytes, max_in_flight, threads), 3);
        prop_assert_eq!(sequential.is_ok(), got.is_ok(), "{} / {:?}", body, got.as_ref().err());
        if let (Ok(want), Ok(got)) = (sequential, got) {
            let rows: usize = want.iter().map(RecordBatch::num_rows).sum();
            prop_assert_eq!(got[0].num_rows(), rows);
            if rows > 0 {
                prop_assert_eq!(all_rows(&got[0]), concatenated(&want, &want));
            }
        }
    }

    #[test]
    fn arbitrary_bodies_never_panic(
        body in "\\[?\\{\"column_types\": \\[\"UInt8\"\\], \"column_names\": \\[\"a\"\\], \"result_rows\": \\[[\\[\\]\"\\\\a1,{}: ]{0,40}",
        piece_bytes in 1usize..8,
        net in 1usize..8,
    ) {
        let _ = read(&body, net, tiny(piece_bytes, 2, false), 2);
    }
}

#[test]
fn the_default_sizes_read_a_body_in_memory() {
    let columns = specs(&[3, 12]);
    let rows_json = format!(
        "[{}]",
        (0..200_000)
            .map(|i| format!(r#"[{i}, "row {i}"]"#))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let body = format!("[{}]", result_json(&columns, &rows_json, false));
    let got = super::decode_run_body(body.into_bytes(), "UTC").unwrap();
    assert_eq!(got[0].num_rows(), 200_000);
    assert!(got[0].batches.len() > 1);
    let _ = DEFAULT_BATCH_ROWS;
}
