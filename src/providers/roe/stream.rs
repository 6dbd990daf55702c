//! A result as a stream of record batches, decoded while the body arrives and never held
//! whole: memory stays at a few chunks however large the result.
//!
//! One task reads the response and frames it into chunks of whole rows; each chunk
//! decodes on a blocking thread; a bounded channel of those decodings, in body order,
//! carries them to the consumer. When the consumer falls behind, the channel fills, the
//! reader stops reading and TCP flow control slows the server.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::body::columns_before_rows;
use super::wire::read_skeleton;
use crate::decode::schema_of;
use crate::decode::stream::{RowChunker, RowsText};
use crate::decode::DEFAULT_BATCH_ROWS;
use crate::error::{DecodeError, Error, RequestContext, Result};
use crate::progress::Progress;
use crate::transport::streaming_error;
use crate::types::ColumnSpec;

/// Chunks of this many bytes keep every core busy and a few of them in memory at once.
const STREAM_CHUNK_BYTES: usize = 4 << 20;

/// One chunk's batches, or what is wrong in it.
pub(super) type ChunkDecode = std::result::Result<Vec<RecordBatch>, Box<DecodeError>>;
type Decoding = JoinHandle<ChunkDecode>;

/// A chunk's decoding as the caller reports it: its error names the query.
pub(super) fn naming_query(r: ChunkDecode, query_id: &Option<String>) -> Result<Vec<RecordBatch>> {
    r.map_err(|mut e| {
        e.query_id.clone_from(query_id);
        Error::Decode(e)
    })
}

/// Waits for a chunk decoding on a blocking thread (see `naming_query`).
pub(super) async fn join_decoding(
    handle: Decoding,
    query_id: &Option<String>,
) -> Result<Vec<RecordBatch>> {
    let r = handle
        .await
        .map_err(|e| Error::decode(format!("a decoder stopped unexpectedly: {e}")))?;
    naming_query(r, query_id)
}

enum Item {
    Decoding(Decoding, Option<String>),
    Failed(Error),
    End,
}

/// Record batches of one statement's rows, in order.
pub struct BatchStream {
    rx: mpsc::Receiver<Item>,
    ready: VecDeque<RecordBatch>,
    reader: Option<JoinHandle<()>>,
    done: bool,
    /// Known before the first batch: the columns come before the rows.
    schema: SchemaRef,
}

impl Drop for BatchStream {
    /// Dropping the stream stops the download.
    fn drop(&mut self) {
        if let Some(r) = self.reader.take() {
            r.abort();
        }
    }
}

impl BatchStream {
    /// The next batch, None after the last; an error ends the stream.
    pub async fn next(&mut self) -> Result<Option<RecordBatch>> {
        loop {
            if let Some(b) = self.ready.pop_front() {
                return Ok(Some(b));
            }
            if self.done {
                return Ok(None);
            }
            let item = self.rx.recv().await.unwrap_or_else(|| {
                Item::Failed(Error::decode("the result stream stopped unexpectedly"))
            });
            match item {
                Item::Decoding(handle, query_id) => match join_decoding(handle, &query_id).await {
                    Ok(b) => self
                        .ready
                        .extend(b.into_iter().filter(|b| b.num_rows() > 0)),
                    Err(e) => return self.fail(e),
                },
                Item::Failed(e) => return self.fail(e),
                Item::End => self.done = true,
            }
        }
    }

    /// The batches' schema (also of a stream with no rows).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn fail<T>(&mut self, e: Error) -> Result<T> {
        self.done = true;
        self.ready.clear();
        Err(e)
    }

    fn empty(schema: SchemaRef) -> Self {
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(Item::End);
        BatchStream {
            rx,
            ready: VecDeque::new(),
            reader: None,
            done: false,
            schema,
        }
    }
}

/// What the start of a result response said.
pub enum Opened {
    /// The result endpoint says the query is still running.
    Running,
    Stream(BatchStream),
}

/// Where a response came from, how to read its types, and who hears of its progress.
#[derive(Clone)]
pub struct Origin {
    pub ctx: RequestContext,
    pub tz: String,
    pub fallback_id: Option<String>,
    pub progress: Option<Arc<Progress>>,
}

impl Origin {
    pub fn malformed(&self, why: &str) -> Error {
        Error::malformed(&self.ctx, why)
    }

    /// `n` more bytes of the body arrived.
    pub fn received(&self, n: usize) {
        if let Some(p) = &self.progress {
            p.bytes(n as u64);
        }
    }

    /// Decodes `text` with `columns` (on a decoding thread), telling the progress its rows.
    pub fn decoder(
        &self,
        text: RowsText,
        columns: Arc<Vec<ColumnSpec>>,
    ) -> impl FnOnce() -> ChunkDecode + Send + 'static {
        let progress = self.progress.clone();
        move || {
            let decoded = text.decode(&columns, DEFAULT_BATCH_ROWS);
            if let (Some(p), Ok(batches)) = (&progress, &decoded) {
                p.rows(batches.iter().map(|b| b.num_rows() as u64).sum());
            }
            decoded
        }
    }
}

/// Starts streaming `resp`: reads until its first rows array begins (or the body ends, for
/// a result without rows or a "still running" answer), then hands the rest to a reader task.
pub async fn open(mut resp: reqwest::Response, origin: Origin) -> Result<Opened> {
    let mut reader = Reader {
        chunker: RowChunker::new(STREAM_CHUNK_BYTES),
        columns: HashMap::new(),
        streaming_span: None,
        origin,
    };
    let mut early = Vec::new();
    while reader.chunker.spans_started() == 0 {
        match resp
            .chunk()
            .await
            .map_err(|e| streaming_error(&e, &reader.origin.ctx))?
        {
            Some(piece) => {
                reader.origin.received(piece.len());
                early.extend(reader.push(&piece)?)
            }
            None => return reader.finish_without_rows(),
        }
    }
    let schema = reader
        .columns
        .get(&0)
        .map_or_else(|| schema_of(&[]), |(columns, _)| schema_of(columns));
    let width = std::thread::available_parallelism().map_or(2, |p| p.get());
    let (tx, rx) = mpsc::channel(width + 1);
    let task = tokio::spawn(reader.run(resp, early, tx));
    Ok(Opened::Stream(BatchStream {
        rx,
        ready: VecDeque::new(),
        reader: Some(task),
        done: false,
        schema,
    }))
}

struct Reader {
    chunker: RowChunker,
    /// Each rows array's columns (and query id), read from the envelope before it.
    columns: HashMap<usize, (Arc<Vec<ColumnSpec>>, Option<String>)>,
    /// The rows array whose rows the stream carries, once one has rows.
    streaming_span: Option<usize>,
    origin: Origin,
}

impl Reader {
    /// Frames `piece`; learns the columns of any rows array that began in it.
    fn push(&mut self, piece: &[u8]) -> Result<Vec<RowsText>> {
        let texts = self
            .chunker
            .push(piece)
            .map_err(|why| self.origin.malformed(&why))?;
        for (span, prefix) in self.chunker.take_started() {
            self.learn_columns(span, &prefix)?;
        }
        Ok(texts)
    }

    /// Reads the columns of rows array `span` from `prefix`, the envelope before it.
    fn learn_columns(&mut self, span: usize, prefix: &str) -> Result<()> {
        let o = &self.origin;
        let Some((columns, query_id)) =
            columns_before_rows(prefix, span, &o.tz, o.fallback_id.as_deref(), &o.ctx)?
        else {
            // A usage error: this response can be read, just not as a stream.
            return Err(Error::Config(
                "the response declares its column types after the rows, so they cannot \
                 be decoded as they arrive: use query() or wait() instead"
                    .into(),
            ));
        };
        self.columns.insert(span, (Arc::new(columns), query_id));
        Ok(())
    }

    /// A body without rows arrays: running, failed, or results without rows.
    fn finish_without_rows(self) -> Result<Opened> {
        let o = self.origin.clone();
        let framed = self.chunker.finish().map_err(|why| o.malformed(&why))?;
        let Some(run) = read_skeleton(&framed.skeleton, framed.spans.len(), &o.ctx)? else {
            return Ok(Opened::Running);
        };
        if run.results.is_empty() {
            return Err(Error::decode(
                "the service returned no result for the query",
            ));
        }
        let mut columns = Vec::new();
        for result in &run.results {
            let query_id = result.query_id(o.fallback_id.as_deref());
            columns = result.columns(&o.tz, &query_id, &o.ctx)?;
        }
        // The last statement's columns: the one a stream carries.
        Ok(Opened::Stream(BatchStream::empty(schema_of(&columns))))
    }

    async fn run(
        mut self,
        mut resp: reqwest::Response,
        early: Vec<RowsText>,
        tx: mpsc::Sender<Item>,
    ) {
        let outcome = async {
            self.dispatch(early, &tx).await?;
            while let Some(piece) = resp
                .chunk()
                .await
                .map_err(|e| streaming_error(&e, &self.origin.ctx))?
            {
                self.origin.received(piece.len());
                let texts = self.push(&piece)?;
                self.dispatch(texts, &tx).await?;
            }
            self.finish()
        }
        .await;
        let last = match outcome {
            Ok(()) => Item::End,
            Err(Stop::Error(e)) => Item::Failed(e),
            Err(Stop::ConsumerGone) => return,
        };
        let _ = tx.send(last).await;
    }

    /// Starts decoding each chunk and queues it, waiting while the queue is full.
    async fn dispatch(
        &mut self,
        texts: Vec<RowsText>,
        tx: &mpsc::Sender<Item>,
    ) -> Result<(), Stop> {
        for text in texts {
            let chunk = text.chunk;
            if chunk.rows == 0 {
                // Nothing to decode but the separators; an empty result is checked by serde.
                if !text.is_blank() {
                    return Err(Stop::Error(
                        self.origin.malformed("text in an empty rows array"),
                    ));
                }
                continue;
            }
            match self.streaming_span {
                Some(s) if s != chunk.span => {
                    return Err(Stop::Error(Error::Config(
                        "the response has rows for more than one statement; a stream carries \
                         one statement's rows: use query_all() for several"
                            .into(),
                    )))
                }
                _ => self.streaming_span = Some(chunk.span),
            }
            let (columns, query_id) = self.columns.get(&chunk.span).cloned().ok_or_else(|| {
                Stop::Error(self.origin.malformed("rows outside a result object"))
            })?;
            let decoding = tokio::task::spawn_blocking(self.origin.decoder(text, columns));
            tx.send(Item::Decoding(decoding, query_id))
                .await
                .map_err(|_| Stop::ConsumerGone)?;
        }
        Ok(())
    }

    /// The whole body has arrived: the rest of the envelope must be valid and say success.
    fn finish(self) -> Result<(), Stop> {
        let o = self.origin;
        let framed = self.chunker.finish().map_err(|why| o.malformed(&why))?;
        let Some(run) = read_skeleton(&framed.skeleton, framed.spans.len(), &o.ctx)? else {
            return Err(Stop::Error(o.malformed(
                "the answer carried rows but says the query is still running",
            )));
        };
        for result in &run.results {
            let query_id = result.query_id(o.fallback_id.as_deref());
            result.columns(&o.tz, &query_id, &o.ctx)?;
        }
        Ok(())
    }
}

/// Why the reader stopped early.
enum Stop {
    Error(Error),
    /// The stream was dropped: nobody to tell.
    ConsumerGone,
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Error(e)
    }
}
