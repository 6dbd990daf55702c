//! The JSON floor: how long serde_json needs merely to *validate* a Roe response body
//! (single-threaded, building nothing), next to sqlquarry decoding the same bytes into
//! Arrow. Prints one JSON line; `bench/run.py` reads it.
//!
//!     cargo bench --bench json_floor -- PATH [--runs N]
//!
//! Each figure is the median of N runs (default 5) over bytes already in memory; the two
//! alternate, so a slow spell on a noisy machine lands on both.

use std::time::Instant;

use serde::de::IgnoredAny;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs `a` and `b` alternately, `runs` times each, so a slow spell on a noisy machine
/// lands on both; the medians, and the last output of each.
fn time_alternately<A, B>(
    runs: usize,
    mut a: impl FnMut() -> A,
    mut b: impl FnMut() -> B,
) -> ((f64, A), (f64, B)) {
    let (mut times_a, mut times_b) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let (mut last_a, mut last_b) = (None, None);
    for _ in 0..runs {
        drop(last_a.take()); // outside the clock, as the contenders' tables are
        let start = Instant::now();
        last_a = Some(std::hint::black_box(a()));
        times_a.push(start.elapsed().as_secs_f64());
        drop(last_b.take());
        let start = Instant::now();
        last_b = Some(std::hint::black_box(b()));
        times_b.push(start.elapsed().as_secs_f64());
    }
    let at_least_one = "at least one run";
    (
        (median(times_a), last_a.expect(at_least_one)),
        (median(times_b), last_b.expect(at_least_one)),
    )
}

fn main() {
    // cargo bench appends `--bench`; any other `--flag` is ours or ignored.
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut runs = 5usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .expect("--runs needs a positive number")
            }
            a if a.starts_with("--") => {}
            a => path = Some(a.to_owned()),
        }
    }
    let path = path.expect("usage: cargo bench --bench json_floor -- PATH [--runs N]");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    // Shared, not copied, by each decoding run.
    let body = bytes::Bytes::from(bytes.clone());

    let ((serde_validate_seconds, ok), (decode_seconds, results)) = time_alternately(
        runs,
        || serde_json::from_slice::<IgnoredAny>(&bytes).is_ok(),
        || {
            sqlquarry::providers::roe::decode_run_body(body.clone(), "UTC")
                .unwrap_or_else(|e| panic!("decoding {path} failed: {e}"))
        },
    );
    assert!(ok, "{path} is not valid JSON");
    let rows: usize = results.last().map_or(0, |r| r.num_rows());

    println!(
        "{{\"bytes\": {}, \"rows\": {rows}, \"runs\": {runs}, \
         \"serde_validate_seconds\": {serde_validate_seconds}, \
         \"decode_seconds\": {decode_seconds}}}",
        bytes.len()
    );
}
