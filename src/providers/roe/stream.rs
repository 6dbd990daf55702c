//! A result as a stream of record batches, decoded while the body arrives and never held
//! whole: memory stays at a few pieces however large the result.
//!
//! One task drives the reader (`reader.rs`) over the response and sends each confirmed
//! batch down a bounded channel. When the consumer falls behind, the channel fills, the
//! task stops reading and TCP flow control slows the server.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::reader::{LateColumns, Origin, Reader};
use super::wire::read_skeleton;
use crate::decode::rebatch::Rebatcher;
use crate::decode::schema_of;
use crate::error::{Error, Result};
use crate::transport::streaming_error;

/// Batches waiting for the consumer: a few pieces' worth.
const QUEUED_BATCHES: usize = 8;

enum Item {
    Batch(RecordBatch),
    Failed(Error),
    End,
}

/// Record batches of one statement's rows, in order.
pub struct BatchStream {
    rx: mpsc::Receiver<Item>,
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
        if self.done {
            return Ok(None);
        }
        let item = self.rx.recv().await.unwrap_or_else(|| {
            Item::Failed(Error::decode("the result stream stopped unexpectedly"))
        });
        match item {
            Item::Batch(b) => Ok(Some(b)),
            Item::Failed(e) => {
                self.done = true;
                Err(e)
            }
            Item::End => {
                self.done = true;
                Ok(None)
            }
        }
    }

    /// The batches' schema (also of a stream with no rows).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn empty(schema: SchemaRef) -> Self {
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(Item::End);
        BatchStream {
            rx,
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

/// Starts streaming `resp` in batches of `batch_rows` (None: as decoded, up to
/// `DEFAULT_BATCH_ROWS`): reads until its first rows array begins (or the body ends, for a
/// result without rows or a "still running" answer), then hands the rest to a task.
pub async fn open(
    mut resp: reqwest::Response,
    origin: Origin,
    batch_rows: Option<usize>,
) -> Result<Opened> {
    let decode_rows = batch_rows.unwrap_or(crate::decode::DEFAULT_BATCH_ROWS);
    let mut reader = Reader::new(origin, LateColumns::Refuse, decode_rows);
    while reader.spans_begun() == 0 {
        let ctx = &reader.origin().ctx;
        match resp.chunk().await.map_err(|e| streaming_error(&e, ctx))? {
            Some(piece) => reader.push(piece).await?,
            None => return finish_without_rows(reader).await,
        }
    }
    let schema = reader
        .columns(0)
        .map_or_else(|| schema_of(&[]), |c| c.schema.clone());
    let (tx, rx) = mpsc::channel(QUEUED_BATCHES);
    let feed = Feed {
        tx,
        span: None,
        rebatch: batch_rows.map(|n| Rebatcher::new(schema.clone(), n)),
    };
    let task = tokio::spawn(feed.run(reader, resp));
    Ok(Opened::Stream(BatchStream {
        rx,
        reader: Some(task),
        done: false,
        schema,
    }))
}

/// A body without rows arrays: running, failed, or results without rows.
async fn finish_without_rows(mut reader: Reader) -> Result<Opened> {
    reader.finish().await?;
    let skeleton = reader.skeleton()?;
    let o = reader.origin();
    let Some(run) = read_skeleton(&skeleton.text, skeleton.spans, &o.ctx)? else {
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

/// The task's end of the channel.
struct Feed {
    tx: mpsc::Sender<Item>,
    /// The rows array whose rows the stream carries, once one has rows.
    span: Option<usize>,
    rebatch: Option<Rebatcher>,
}

impl Feed {
    async fn run(mut self, mut reader: Reader, mut resp: reqwest::Response) {
        let outcome = async {
            self.send(&mut reader).await?;
            loop {
                let ctx = &reader.origin().ctx;
                let read = match resp.chunk().await.map_err(|e| streaming_error(&e, ctx))? {
                    Some(piece) => reader.push(piece).await,
                    None => break,
                };
                // The batches before a bad one reach the consumer before its error.
                self.send(&mut reader).await?;
                read?;
            }
            let finished = reader.finish().await;
            self.send(&mut reader).await?;
            finished?;
            if let Some(last) = self.rebatch.as_mut().and_then(Rebatcher::flush) {
                self.deliver(last).await?;
            }
            check_the_rest(&mut reader)?;
            Ok(())
        }
        .await;
        let last = match outcome {
            Ok(()) => Item::End,
            Err(Stop::Error(e)) => Item::Failed(e),
            Err(Stop::ConsumerGone) => return,
        };
        let _ = self.tx.send(last).await;
    }

    /// Sends the batches the reader has confirmed, waiting while the channel is full.
    async fn send(&mut self, reader: &mut Reader) -> std::result::Result<(), Stop> {
        for (span, batches) in reader.take_confirmed() {
            for batch in batches.into_iter().filter(|b| b.num_rows() > 0) {
                match self.span {
                    Some(s) if s != span => {
                        return Err(Stop::Error(Error::Config(
                            "the response has rows for more than one statement; a stream \
                             carries one statement's rows: use query_all() for several"
                                .into(),
                        )))
                    }
                    _ => self.span = Some(span),
                }
                match self.rebatch.as_mut() {
                    Some(r) => {
                        for b in r.push(batch)? {
                            self.deliver(b).await?;
                        }
                    }
                    None => self.deliver(batch).await?,
                }
            }
        }
        Ok(())
    }

    async fn deliver(&self, batch: RecordBatch) -> std::result::Result<(), Stop> {
        self.tx
            .send(Item::Batch(batch))
            .await
            .map_err(|_| Stop::ConsumerGone)
    }
}

/// The whole body has arrived: the rest of the envelope must be valid and say success.
fn check_the_rest(reader: &mut Reader) -> Result<()> {
    let skeleton = reader.skeleton()?;
    let o = reader.origin();
    let Some(run) = read_skeleton(&skeleton.text, skeleton.spans, &o.ctx)? else {
        return Err(o.malformed("the answer carried rows but says the query is still running"));
    };
    for result in &run.results {
        let query_id = result.query_id(o.fallback_id.as_deref());
        result.columns(&o.tz, &query_id, &o.ctx)?;
    }
    Ok(())
}

/// Why the task stopped early.
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
