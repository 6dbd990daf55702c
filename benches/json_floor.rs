//! The JSON floor: how long serde_json needs merely to *validate* a Roe response body
//! (single-threaded, building nothing), next to sqlquarry decoding the same bytes into
//! Arrow with its production reader (`decode_run_body`, the reader `query()` uses, every
//! core it likes). Prints one JSON line; `bench/run.py` reads it.
//!
//!     cargo bench --bench json_floor -- PATH [--runs N]
//!     json_floor PATH --once read|decode|validate
//!
//! Each figure is the median of N runs (default 5) over bytes already in memory; the two
//! alternate, so a slow spell on a noisy machine lands on both.
//!
//! `--once` does one pass and no timing, for `valgrind --tool=callgrind` (bench/instructions.py):
//! `read` only reads the file, `decode` reads and decodes it, `validate` reads and validates
//! it, so the decode's instructions are `decode` minus `read` (callgrind counts every thread).

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

/// What `--once` does.
#[derive(Clone, Copy)]
enum Once {
    Read,
    Decode,
    Validate,
}

struct Args {
    path: String,
    runs: usize,
    once: Option<Once>,
}

const USAGE: &str =
    "usage: cargo bench --bench json_floor -- PATH [--runs N] [--once read|decode|validate]";

fn parse_args() -> Args {
    // cargo bench appends `--bench`; any other `--flag` is ours or ignored.
    let mut args = std::env::args().skip(1);
    let (mut path, mut runs, mut once) = (None, 5usize, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .expect("--runs needs a positive number")
            }
            "--once" => {
                once = Some(match args.next().as_deref() {
                    Some("read") => Once::Read,
                    Some("decode") => Once::Decode,
                    Some("validate") => Once::Validate,
                    _ => panic!("--once needs read, decode or validate; {USAGE}"),
                })
            }
            a if a.starts_with("--") => {}
            a => path = Some(a.to_owned()),
        }
    }
    Args {
        path: path.expect(USAGE),
        runs,
        once,
    }
}

fn decode(body: &bytes::Bytes, path: &str) -> Vec<sqlquarry::result::QueryResult> {
    sqlquarry::providers::roe::decode_run_body(body.clone(), "UTC")
        .unwrap_or_else(|e| panic!("decoding {path} failed: {e}"))
}

fn main() {
    let args = parse_args();
    let path = &args.path;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let size = bytes.len();

    if let Some(once) = args.once {
        // Nothing but the one step, so two runs of this under callgrind differ by it alone.
        let rows = match once {
            Once::Read => {
                std::hint::black_box(&bytes);
                0
            }
            Once::Validate => {
                let ok = serde_json::from_slice::<IgnoredAny>(&bytes).is_ok();
                assert!(std::hint::black_box(ok), "{path} is not valid JSON");
                0
            }
            Once::Decode => {
                let results = decode(&bytes::Bytes::from(bytes), path);
                results.last().map_or(0, |r| r.num_rows())
            }
        };
        println!("{{\"bytes\": {size}, \"rows\": {rows}}}");
        return;
    }

    // Shared, not copied, by each decoding run.
    let body = bytes::Bytes::from(bytes.clone());
    let ((serde_validate_seconds, ok), (decode_seconds, results)) = time_alternately(
        args.runs,
        || serde_json::from_slice::<IgnoredAny>(&bytes).is_ok(),
        || decode(&body, path),
    );
    assert!(ok, "{path} is not valid JSON");
    let rows: usize = results.last().map_or(0, |r| r.num_rows());

    println!(
        "{{\"bytes\": {size}, \"rows\": {rows}, \"runs\": {}, \
         \"serde_validate_seconds\": {serde_validate_seconds}, \
         \"decode_seconds\": {decode_seconds}}}",
        args.runs
    );
}
