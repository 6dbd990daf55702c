//! A whole response decoded as it arrives (`query`, `wait`) or from memory (the benchmarks'
//! floor, `_decode_roe_body`): the same reader either way, collecting every statement's
//! batches, then the results assembled from the skeleton.

use std::collections::HashMap;

use arrow_array::RecordBatch;
use bytes::Bytes;

use super::reader::{Columns, LateColumns, Origin, Reader};
use super::wire::read_skeleton;
use crate::decode::DEFAULT_BATCH_ROWS;
use crate::error::{Error, RequestContext, Result};
use crate::result::QueryResult;

/// Reads and decodes the response; None when it says the query is still running. The
/// outer error is the body failing to arrive (the transport may retry); the inner one is
/// what the body says or how it is wrong.
pub async fn collect(
    mut resp: reqwest::Response,
    origin: Origin,
) -> std::result::Result<Result<Option<Vec<QueryResult>>>, reqwest::Error> {
    let mut reader = Reader::new(origin, LateColumns::Hold, DEFAULT_BATCH_ROWS);
    while let Some(piece) = resp.chunk().await? {
        if let Err(e) = reader.push(piece).await {
            return Ok(Err(e));
        }
    }
    Ok(results(reader).await)
}

/// Decodes a run-and-wait response body held in memory.
pub async fn decode_body(body: Bytes, server_timezone: &str) -> Result<Vec<QueryResult>> {
    let origin = Origin {
        ctx: RequestContext::default(),
        tz: server_timezone.to_owned(),
        fallback_id: None,
        progress: None,
    };
    let mut reader = Reader::new(origin, LateColumns::Hold, DEFAULT_BATCH_ROWS);
    reader.push(body).await?;
    Ok(results(reader).await?.unwrap_or_default())
}

/// `decode_body` for callers without a runtime (tests, the Rust benchmark).
pub fn decode_run_body(body: impl Into<Bytes>, server_timezone: &str) -> Result<Vec<QueryResult>> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Error::decode(format!("cannot start a runtime: {e}")))?
        .block_on(decode_body(body.into(), server_timezone))
}

/// Ends the body and builds every statement's result.
pub(super) async fn results(mut reader: Reader) -> Result<Option<Vec<QueryResult>>> {
    reader.finish().await?;
    let skeleton = reader.skeleton()?;
    let o = reader.origin().clone();
    let Some(run) = read_skeleton(&skeleton.text, skeleton.spans, &o.ctx)? else {
        return Ok(None);
    };
    // Rows arrays whose column types came after them decode now that those are read.
    for (span, bytes) in reader.take_held() {
        let Some(result) = run.results.iter().find(|r| r.rows_span() == Some(span)) else {
            return Err(o.malformed("rows outside a result object"));
        };
        let query_id = result.query_id(o.fallback_id.as_deref());
        let specs = result.columns(&o.tz, &query_id, &o.ctx)?;
        reader
            .decode_late(span, bytes, Columns::new(specs, query_id))
            .await?;
    }
    let mut batches: HashMap<usize, Vec<RecordBatch>> = HashMap::new();
    for (span, b) in reader.take_confirmed() {
        batches.entry(span).or_default().extend(b);
    }
    run.results
        .into_iter()
        .map(|r| {
            let rows = r
                .rows_span()
                .map(|span| batches.get(&span).map_or(&[][..], Vec::as_slice));
            r.into_result(rows, &o.tz, o.fallback_id.as_deref(), &o.ctx)
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}
