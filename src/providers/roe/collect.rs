//! A whole response decoded while it arrives: each chunk of rows starts decoding on a
//! blocking thread as soon as it is complete, so decoding overlaps the download and the
//! body is never held whole (only the chunks not yet decoded, then the batches).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::RecordBatch;
use tokio::task::JoinHandle;

use super::body::{columns_before_rows, BodyRows};
use super::stream::{join_decoding, naming_query, ChunkDecode, Origin};
use super::wire::read_skeleton;
use crate::decode::framing::Framed;
use crate::decode::stream::{RowChunker, RowsText};
use crate::error::Result;
use crate::result::QueryResult;
use crate::types::ColumnSpec;

/// Chunks aim for this size: enough of them to keep every core busy, few enough that
/// per-chunk setup is noise.
const CHUNK_BYTES: usize = 4 << 20;
/// Chunks smaller than this decode on the reading task: a thread hop would cost more.
const INLINE_BYTES: usize = 256 << 10;

/// Reads and decodes the response; None when it says the query is still running. The
/// outer error is the body failing to arrive (the transport may retry); the inner one is
/// what the body says or how it is wrong.
pub async fn collect(
    mut resp: reqwest::Response,
    origin: Origin,
) -> std::result::Result<Result<Option<Vec<QueryResult>>>, reqwest::Error> {
    let mut c = Collector {
        chunker: RowChunker::new(CHUNK_BYTES),
        columns: HashMap::new(),
        decodings: Vec::new(),
        deferred: Vec::new(),
        origin,
    };
    while let Some(piece) = resp.chunk().await? {
        c.origin.received(piece.len());
        if let Err(e) = c.push(&piece) {
            return Ok(Err(e));
        }
    }
    Ok(c.finish().await)
}

type Columns = (Arc<Vec<ColumnSpec>>, Option<String>);

enum Decoding {
    Done(ChunkDecode),
    Running(JoinHandle<ChunkDecode>),
}

struct Collector {
    chunker: RowChunker,
    columns: HashMap<usize, Columns>,
    /// In body order, with the rows array each belongs to and its query id.
    decodings: Vec<(usize, Option<String>, Decoding)>,
    /// Chunks of rows arrays whose column types come after them.
    deferred: Vec<RowsText>,
    origin: Origin,
}

impl Collector {
    fn push(&mut self, piece: &[u8]) -> Result<()> {
        let o = &self.origin;
        let texts = self.chunker.push(piece).map_err(|why| o.malformed(&why))?;
        for (span, prefix) in self.chunker.take_started() {
            let tz = &o.tz;
            if let Some((columns, query_id)) =
                columns_before_rows(&prefix, span, tz, o.fallback_id.as_deref(), &o.ctx)?
            {
                self.columns.insert(span, (Arc::new(columns), query_id));
            }
        }
        for t in texts {
            match self.columns.get(&t.chunk.span).cloned() {
                Some(columns) => self.start(t, columns),
                None => self.deferred.push(t),
            }
        }
        Ok(())
    }

    fn start(&mut self, t: RowsText, (columns, query_id): Columns) {
        let span = t.chunk.span;
        let small = t.bytes().len() < INLINE_BYTES;
        let decode = self.origin.decoder(t, columns);
        let decoding = if small {
            Decoding::Done(decode())
        } else {
            Decoding::Running(tokio::task::spawn_blocking(decode))
        };
        self.decodings.push((span, query_id, decoding));
    }

    async fn finish(mut self) -> Result<Option<Vec<QueryResult>>> {
        let o = self.origin.clone();
        let Framed { skeleton, spans } = self
            .chunker
            .take_finished()
            .map_err(|why| o.malformed(&why))?;
        let Some(run) = read_skeleton(&skeleton, spans.len(), &o.ctx)? else {
            return Ok(None);
        };
        // Column types declared after their rows are known now.
        for t in std::mem::take(&mut self.deferred) {
            let span = t.chunk.span;
            let Some(result) = run.results.iter().find(|r| r.rows_span() == Some(span)) else {
                return Err(o.malformed("rows outside a result object"));
            };
            let query_id = result.query_id(o.fallback_id.as_deref());
            let columns = result.columns(&o.tz, &query_id, &o.ctx)?;
            self.start(t, (Arc::new(columns), query_id));
        }
        let mut decoded: HashMap<usize, Vec<RecordBatch>> = HashMap::new();
        for (span, query_id, decoding) in self.decodings {
            let batches = match decoding {
                Decoding::Done(r) => naming_query(r, &query_id)?,
                Decoding::Running(handle) => join_decoding(handle, &query_id).await?,
            };
            decoded.entry(span).or_default().extend(batches);
        }
        let rows = BodyRows::decoded(spans, decoded);
        run.results
            .into_iter()
            .map(|r| r.into_result(&rows, &o.tz, o.fallback_id.as_deref(), &o.ctx))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}
