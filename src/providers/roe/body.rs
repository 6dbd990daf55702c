//! A run or result response held in memory, decoded: each rows array straight from the
//! body on every core (`decode::split`), the rest of the response by serde.

use std::collections::HashMap;

use arrow_array::RecordBatch;

use super::wire::{parse_run, read_skeleton};
use crate::decode::framing::{Framed, Framer, RowsSpan};
use crate::decode::split::decode_array;
use crate::decode::{Rows, DEFAULT_BATCH_ROWS};
use crate::error::{Error, RequestContext, Result};
use crate::result::QueryResult;
use crate::types::ColumnSpec;

/// Chunks aim for this many bytes when a rows array has to be framed (its column types
/// come after it): enough chunks to keep every core busy, few enough that per-chunk setup
/// is noise.
const CHUNK_BYTES: usize = 4 << 20;

/// Decodes a run-and-wait response body held in memory (also the benchmarks' entry point).
pub fn decode_run_body(body: &[u8], server_timezone: &str) -> Result<Vec<QueryResult>> {
    Ok(decode_body(body, server_timezone, None, &RequestContext::default())?.unwrap_or_default())
}

/// The rows of a response: decoded already, or framed for decoding later.
pub struct BodyRows<'a> {
    text: &'a str,
    spans: Vec<RowsSpan>,
    decoded: HashMap<usize, Vec<RecordBatch>>,
}

impl BodyRows<'static> {
    /// Rows all decoded already (as they arrived).
    pub fn decoded(spans: Vec<RowsSpan>, decoded: HashMap<usize, Vec<RecordBatch>>) -> Self {
        BodyRows {
            text: "",
            spans,
            decoded,
        }
    }
}

impl BodyRows<'_> {
    /// The rows of array number `span`.
    pub fn rows(&self, span: usize) -> Option<Rows<'_>> {
        match self.decoded.get(&span) {
            Some(batches) => Some(Rows::Decoded(batches)),
            None => self.spans.get(span).map(|s| Rows::Framed {
                body: self.text,
                span: s,
            }),
        }
    }
}

/// The columns (and query id) of rows array `span`, from `prefix`, the response up to
/// the array (see `Framer::take_started`); None when its types are declared after it.
pub fn columns_before_rows(
    prefix: &str,
    span: usize,
    tz: &str,
    fallback_id: Option<&str>,
    ctx: &RequestContext,
) -> Result<Option<(Vec<ColumnSpec>, Option<String>)>> {
    let run = parse_run(prefix).map_err(|why| Error::malformed(ctx, &why))?;
    run.check(ctx)?;
    let Some(result) = run.results.iter().find(|r| r.rows_span() == Some(span)) else {
        return Err(Error::malformed(ctx, "rows outside a result object"));
    };
    if !result.declares_columns() {
        return Ok(None);
    }
    let query_id = result.query_id(fallback_id);
    let columns = result.columns(tz, &query_id, ctx)?;
    Ok(Some((columns, query_id)))
}

/// Finds each rows array; decodes it at once when its column types came before it.
/// Returns the skeleton too (the response with each rows array replaced by its number).
fn read_rows<'a>(
    text: &'a str,
    tz: &str,
    fallback_id: Option<&str>,
    ctx: &RequestContext,
) -> Result<(String, BodyRows<'a>)> {
    let malformed = |why: String| Error::malformed(ctx, &why);
    let mut framer = Framer::new(CHUNK_BYTES);
    let mut decoded = HashMap::new();
    while framer
        .feed_until_rows(text.as_bytes(), 0)
        .map_err(malformed)?
    {
        for (span, prefix) in framer.take_started() {
            let Some((columns, query_id)) =
                columns_before_rows(&prefix, span, tz, fallback_id, ctx)?
            else {
                continue; // framed now, decoded once the types are read
            };
            let array = decode_array(text, framer.position(), &columns, DEFAULT_BATCH_ROWS)
                .map_err(|mut e| {
                    e.query_id.clone_from(&query_id);
                    Error::Decode(e)
                })?;
            framer.rows_decoded(array.close, array.rows);
            decoded.insert(span, array.batches);
        }
    }
    let Framed { skeleton, spans } = framer.finish().map_err(malformed)?;
    Ok((
        skeleton,
        BodyRows {
            text,
            spans,
            decoded,
        },
    ))
}

/// Decodes a run or result response; None when it says the query is still running.
pub fn decode_body(
    body: &[u8],
    tz: &str,
    fallback_id: Option<&str>,
    ctx: &RequestContext,
) -> Result<Option<Vec<QueryResult>>> {
    let ctx = RequestContext {
        query_id: fallback_id.map(str::to_owned).or(ctx.query_id.clone()),
        ..ctx.clone()
    };
    let text = simdutf8::basic::from_utf8(body)
        .map_err(|_| Error::malformed(&ctx, "body is not UTF-8"))?;
    let (skeleton, rows) = read_rows(text, tz, fallback_id, &ctx)?;
    let Some(run) = read_skeleton(&skeleton, rows.spans.len(), &ctx)? else {
        return Ok(None);
    };
    run.results
        .into_iter()
        .map(|r| r.into_result(&rows, tz, fallback_id, &ctx))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}
