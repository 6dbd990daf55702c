//! The one reader of Roe response bodies, whichever way they are read: collected whole
//! (`query`, `wait`), streamed as batches (`iter_batches`), or already in memory.
//!
//! Fed the body in pieces, it copies the envelope into a skeleton for serde and hands each
//! rows array to the decoders without scanning it: the array is cut into pieces of about
//! `PIECE_BYTES` at guessed row starts (`decode::piece`), each decodes on a blocking thread,
//! and pieces are confirmed in body order, each by the one before it ending exactly where it
//! starts. A piece that ran out of text mid-row is decoded again joined to the next; the
//! piece that meets the array's closing bracket hands the bytes after it back to the
//! envelope. So the reading thread only moves bytes, whatever the rows hold.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Fields, Schema, SchemaRef};
use bytes::{Bytes, BytesMut};
use tokio::task::JoinHandle;

use super::wire::columns_before_rows;
use crate::decode::envelope::{ArrayEnd, Envelope, Fed, Skeleton};
use crate::decode::piece::{
    decode_piece, likely_row_start, Piece, PieceEnd, PieceStart, GUESSED_ROW_BYTES,
};
use crate::decode::scanner::rows_before;
use crate::decode::{guarded, schema_of};
use crate::error::{DecodeError, Error, RequestContext, Result};
use crate::progress::Progress;
use crate::types::ColumnSpec;

/// Pieces aim for this size: enough of them to keep every core busy, few enough that
/// per-piece setup is noise.
pub const PIECE_BYTES: usize = 4 << 20;
/// Pieces smaller than this decode on the reading task: a thread hop would cost more.
const INLINE_BYTES: usize = 256 << 10;
/// A piece's decoded arrays aim for at most this many times `piece_bytes`: values that
/// grow when decoded (a one-digit `Decimal(76, 0)` is 2 bytes of text and 32 of Arrow) get
/// shorter pieces, so what is in flight is bounded in memory, not only in text.
const DECODED_PER_TEXT: usize = 2;
/// Pieces never shrink more than this: text grows at most ~16x (a digit to 32 bytes).
const MAX_SHRINK: usize = 32;
const ROWS_KEY: &str = "result_rows";

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
}

/// A rows array's columns, its batches' schema and the query id its errors name.
#[derive(Clone)]
pub struct Columns {
    pub specs: Arc<Vec<ColumnSpec>>,
    pub schema: SchemaRef,
    pub query_id: Option<String>,
    /// The most a row's text can grow when decoded (`worst_growth`).
    worst_growth: f64,
}

impl Columns {
    pub fn new(specs: Vec<ColumnSpec>, query_id: Option<String>) -> Self {
        let schema = schema_of(&specs);
        Columns {
            worst_growth: worst_growth(&schema),
            schema,
            specs: Arc::new(specs),
            query_id,
        }
    }
}

/// Arrow bytes per byte of text for rows whose every value is as short as its text can be
/// (`0`, `""`, `[]`): what sizes a rows array's first pieces, before any is measured. The
/// benchmark's rows: ~1.2; a lone one-digit `Decimal(76, 0)`: 8.
fn worst_growth(schema: &Schema) -> f64 {
    let (arrow, text) = smallest_array(schema.fields());
    arrow as f64 / text as f64
}

/// The Arrow bytes and the text bytes of the shortest `[a,b,...]` of `fields`: a row, or a
/// tuple inside one.
fn smallest_array(fields: &Fields) -> (usize, usize) {
    fields
        .iter()
        .map(|f| smallest_value(f.data_type()))
        .fold((0, 2), |(a, t), (fa, ft)| (a + fa, t + ft + 1)) // brackets; commas
}

/// The Arrow bytes and the text bytes of the shortest value of `data_type`.
fn smallest_value(data_type: &DataType) -> (usize, usize) {
    match data_type {
        DataType::Utf8 | DataType::List(_) | DataType::Map(..) => (4, 2), // an offset; "" or []
        DataType::Struct(fields) => smallest_array(fields),
        DataType::Dictionary(key, _) => (key.primitive_width().unwrap_or(8), 2),
        DataType::Boolean => (1, 4), // a byte while decoding; `true`
        DataType::Null => (0, 4),
        other => (other.primitive_width().unwrap_or(8), 1),
    }
}

/// What to do with a rows array whose column types come after it in the body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LateColumns {
    /// Keep its bytes; `decode_late` decodes them once the types are read.
    Hold,
    /// A usage error: the caller needs the rows as they arrive.
    Refuse,
}

/// How the reader cuts and schedules pieces.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Pieces aim for this many bytes.
    pub piece_bytes: usize,
    /// At most this many pieces decode (or wait to be confirmed) at once.
    pub max_in_flight: usize,
    /// Pieces smaller than this decode on the reading task.
    pub inline_bytes: usize,
}

impl Default for Sizes {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |p| p.get());
        Sizes {
            piece_bytes: PIECE_BYTES,
            max_in_flight: cores + 2,
            inline_bytes: INLINE_BYTES,
        }
    }
}

pub struct Reader {
    origin: Origin,
    late: LateColumns,
    batch_rows: usize,
    sizes: Sizes,
    envelope: Envelope,
    state: State,
    /// Bytes to read before the next piece of the body: what followed a rows array's end.
    input: VecDeque<Bytes>,
    in_flight: VecDeque<InFlight>,
    columns: HashMap<usize, Columns>,
    /// Rows of the array being confirmed, before the piece at the head, their bytes of
    /// text and of Arrow.
    confirmed_rows: usize,
    confirmed_bytes: usize,
    confirmed_arrow: usize,
    confirmed: Vec<(usize, Vec<RecordBatch>)>,
    held: Vec<(usize, Bytes)>,
    eof: bool,
}

enum State {
    Envelope,
    Rows {
        span: usize,
        buf: Unsent,
        /// Where to look for the next cut: past a guess that proved wrong.
        search_from: usize,
        next_start: PieceStart,
    },
    /// An array held whole until its column types are read.
    Held {
        span: usize,
        buf: BytesMut,
        end: ArrayEnd,
    },
}

struct InFlight {
    span: usize,
    bytes: Bytes,
    start: PieceStart,
    decoding: Decoding,
}

type PieceResult = std::result::Result<Piece, Box<DecodeError>>;

enum Decoding {
    Done(PieceResult),
    Running(JoinHandle<PieceResult>),
}

impl Reader {
    pub fn new(origin: Origin, late: LateColumns, batch_rows: usize) -> Self {
        Reader::with_sizes(origin, late, batch_rows, Sizes::default())
    }

    /// A reader with other sizes (tests use tiny pieces, to cut everywhere).
    pub fn with_sizes(origin: Origin, late: LateColumns, batch_rows: usize, sizes: Sizes) -> Self {
        Reader {
            origin,
            late,
            batch_rows: batch_rows.max(1),
            sizes: Sizes {
                piece_bytes: sizes.piece_bytes.max(1),
                max_in_flight: sizes.max_in_flight.max(2),
                ..sizes
            },
            envelope: Envelope::new(ROWS_KEY),
            state: State::Envelope,
            input: VecDeque::new(),
            in_flight: VecDeque::new(),
            columns: HashMap::new(),
            confirmed_rows: 0,
            confirmed_bytes: 0,
            confirmed_arrow: 0,
            confirmed: Vec::new(),
            held: Vec::new(),
            eof: false,
        }
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How many rows arrays have begun so far.
    pub fn spans_begun(&self) -> usize {
        self.envelope.spans_begun()
    }

    /// The columns of rows array `span`, when they came before it.
    pub fn columns(&self, span: usize) -> Option<&Columns> {
        self.columns.get(&span)
    }

    /// Batches confirmed since the last call, in body order, with their rows array.
    pub fn take_confirmed(&mut self) -> Vec<(usize, Vec<RecordBatch>)> {
        std::mem::take(&mut self.confirmed)
    }

    /// Takes the next piece of the body; decodes what it can.
    pub async fn push(&mut self, piece: Bytes) -> Result<()> {
        self.origin.received(piece.len());
        self.input.push_back(piece);
        self.read_input().await?;
        // Hand on what is decoded already without waiting for the rest.
        while self.in_flight.front().is_some_and(InFlight::is_finished) {
            self.confirm_head().await?;
        }
        Ok(())
    }

    /// The body has ended: decodes and confirms everything; an error if a rows array is
    /// not terminated.
    pub async fn finish(&mut self) -> Result<()> {
        self.eof = true;
        loop {
            self.read_input().await?;
            if matches!(&self.state, State::Rows { buf, .. } if !buf.is_empty()) {
                self.cut_pieces(false).await?;
            } else if !self.in_flight.is_empty() {
                self.confirm_head().await?;
            } else if matches!(self.state, State::Envelope) {
                return Ok(());
            } else {
                return Err(self.not_terminated());
            }
        }
    }

    /// The skeleton: the body without its rows arrays (after `finish`).
    pub fn skeleton(&mut self) -> Result<Skeleton> {
        let envelope = std::mem::replace(&mut self.envelope, Envelope::new(ROWS_KEY));
        envelope.finish().map_err(|why| self.origin.malformed(&why))
    }

    /// Arrays held for their column types (`LateColumns::Hold`), taken.
    pub fn take_held(&mut self) -> Vec<(usize, Bytes)> {
        std::mem::take(&mut self.held)
    }

    /// Decodes a held array, now that its columns are known (after `finish`).
    pub async fn decode_late(&mut self, span: usize, bytes: Bytes, columns: Columns) -> Result<()> {
        self.columns.insert(span, columns);
        self.begin_span();
        self.state = State::Rows {
            span,
            buf: Unsent::Shared(bytes),
            search_from: 0,
            next_start: PieceStart::ArrayStart,
        };
        self.finish().await
    }

    fn not_terminated(&self) -> Error {
        self.origin
            .malformed("the rows array is not terminated (the body ended early)")
    }

    /// Reads the queued input: envelope until a rows array begins, then its rows.
    async fn read_input(&mut self) -> Result<()> {
        while let Some(mut piece) = self.input.pop_front() {
            match &mut self.state {
                State::Envelope => match self
                    .envelope
                    .feed(&piece)
                    .map_err(|why| self.origin.malformed(&why))?
                {
                    Fed::All => {}
                    Fed::RowsBegin {
                        span,
                        prefix,
                        after,
                    } => {
                        self.input.push_front(piece.slice(after..));
                        self.begin_rows(span, &prefix)?;
                    }
                },
                State::Rows { buf, .. } => {
                    buf.append(piece);
                    self.cut_pieces(true).await?;
                }
                State::Held { span, buf, end } => match end.feed(&piece) {
                    Some(close) => {
                        buf.extend_from_slice(&piece[..=close]);
                        let held = (*span, std::mem::take(buf).freeze());
                        self.held.push(held);
                        self.state = State::Envelope;
                        self.input.push_front(piece.split_off(close + 1));
                    }
                    None => buf.extend_from_slice(&piece),
                },
            }
        }
        Ok(())
    }

    fn begin_rows(&mut self, span: usize, prefix: &str) -> Result<()> {
        let o = &self.origin;
        let known = columns_before_rows(prefix, span, &o.tz, o.fallback_id.as_deref(), &o.ctx)?;
        self.state = match (known, self.late) {
            (Some((specs, query_id)), _) => {
                self.columns.insert(span, Columns::new(specs, query_id));
                self.begin_span();
                State::Rows {
                    span,
                    buf: Unsent::Empty,
                    search_from: 0,
                    next_start: PieceStart::ArrayStart,
                }
            }
            (None, LateColumns::Hold) => State::Held {
                span,
                buf: BytesMut::new(),
                end: ArrayEnd::default(),
            },
            // A usage error: this response can be read, just not as it arrives.
            (None, LateColumns::Refuse) => {
                return Err(Error::Config(
                    "the response declares its column types after the rows, so they cannot \
                     be decoded as they arrive: use query() or wait() instead"
                        .into(),
                ))
            }
        };
        Ok(())
    }

    fn begin_span(&mut self) {
        self.confirmed_rows = 0;
        self.confirmed_bytes = 0;
        self.confirmed_arrow = 0;
    }

    /// How long the next piece aims to be: `piece_bytes`, or shorter for rows that grow
    /// when decoded (measured on this array's confirmed pieces; before the first, the most
    /// its column types allow).
    fn piece_bytes(&self) -> usize {
        let most = self.sizes.piece_bytes;
        let least = (most / MAX_SHRINK).max(1);
        let growth = if self.confirmed_bytes > 0 {
            self.confirmed_arrow as f64 / self.confirmed_bytes as f64
        } else if let State::Rows { span, .. } = &self.state {
            self.columns.get(span).map_or(1.0, |c| c.worst_growth)
        } else {
            1.0
        };
        let fits = (most * DECODED_PER_TEXT) as f64 / growth.max(f64::MIN_POSITIVE);
        (fits.min(most as f64) as usize).max(least)
    }

    /// How long this array's rows are, from the pieces confirmed so far.
    fn row_bytes(&self) -> usize {
        match self.confirmed_rows {
            0 => GUESSED_ROW_BYTES,
            rows => (self.confirmed_bytes / rows).max(1),
        }
    }

    /// Cuts pieces off the unsent rows and starts decoding them, waiting for the oldest
    /// piece when enough are under way. `more_to_come`: keep a remainder shorter than a
    /// piece for the bytes still to arrive; else send everything.
    async fn cut_pieces(&mut self, more_to_come: bool) -> Result<()> {
        loop {
            let piece_bytes = self.piece_bytes();
            let State::Rows {
                buf, search_from, ..
            } = &mut self.state
            else {
                return Ok(()); // the array ended in a piece confirmed meanwhile
            };
            let cut = if buf.len() >= piece_bytes {
                let from = (*search_from).max(piece_bytes);
                match likely_row_start(buf.bytes(), from) {
                    Some(cut) => cut,
                    None if more_to_come => {
                        // No row starts in what is here yet: look again when more comes.
                        *search_from = buf.len();
                        return Ok(());
                    }
                    None => buf.len(),
                }
            } else if !more_to_come && !buf.is_empty() {
                buf.len()
            } else {
                return Ok(());
            };
            if self.in_flight.len() >= self.sizes.max_in_flight {
                // Confirming may end the array or give a piece back: cut afresh after.
                self.confirm_head().await?;
                continue;
            }
            let State::Rows {
                span,
                buf,
                search_from,
                next_start,
            } = &mut self.state
            else {
                continue;
            };
            *search_from = 0;
            let (span, piece) = (*span, buf.split_to(cut));
            let start = std::mem::replace(next_start, PieceStart::AfterComma);
            let decoding = self.start_decoding(span, piece, start);
            self.in_flight.push_back(decoding);
        }
    }

    fn start_decoding(&self, span: usize, bytes: Bytes, start: PieceStart) -> InFlight {
        let columns = self.columns[&span].clone();
        let (batch_rows, row_bytes) = (self.batch_rows, self.row_bytes());
        let text = bytes.clone();
        let decode = move || {
            guarded(|| {
                let text = utf8(&text)?;
                decode_piece(
                    text,
                    start,
                    &columns.specs,
                    &columns.schema,
                    batch_rows,
                    row_bytes,
                )
            })
        };
        let decoding = if bytes.len() < self.sizes.inline_bytes {
            Decoding::Done(decode())
        } else {
            Decoding::Running(tokio::task::spawn_blocking(decode))
        };
        InFlight {
            span,
            bytes,
            start,
            decoding,
        }
    }

    /// Waits for the oldest piece, whose start is confirmed, and acts on how it ended.
    async fn confirm_head(&mut self) -> Result<()> {
        let Some(head) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let query_id = self
            .columns
            .get(&head.span)
            .and_then(|c| c.query_id.clone());
        let piece = match head.decoding.join().await {
            Ok(piece) => piece,
            Err(mut e) => {
                e.row = e.row.map(|r| r + self.confirmed_rows);
                e.query_id = query_id;
                return Err(Error::Decode(e));
            }
        };
        match piece.end {
            PieceEnd::Short => return self.join_to_next(head.span, head.bytes, head.start),
            PieceEnd::Between => self.accept(head.span, piece, head.bytes.len()),
            PieceEnd::Closed(at) => {
                self.accept(head.span, piece, at);
                self.array_ended(head.bytes.slice(at + 1..));
            }
        }
        Ok(())
    }

    fn accept(&mut self, span: usize, piece: Piece, bytes: usize) {
        self.confirmed_rows += piece.rows;
        self.confirmed_bytes += bytes;
        self.confirmed_arrow += piece.batches.iter().map(decoded_bytes).sum::<usize>();
        if let Some(p) = &self.origin.progress {
            p.rows(piece.rows as u64);
        }
        if !piece.batches.is_empty() {
            self.confirmed.push((span, piece.batches));
        }
    }

    /// The head piece ran out of text mid-row: decode it again joined to the text after it
    /// (the next piece, or the unsent rows).
    fn join_to_next(&mut self, span: usize, bytes: Bytes, start: PieceStart) -> Result<()> {
        if let Some(next) = self.in_flight.pop_front() {
            let mut joined = BytesMut::with_capacity(bytes.len() + next.bytes.len());
            joined.extend_from_slice(&bytes);
            joined.extend_from_slice(&next.bytes);
            let again = self.start_decoding(span, joined.freeze(), start);
            self.in_flight.push_front(again);
            return Ok(());
        }
        let eof = self.eof;
        let State::Rows {
            buf,
            search_from,
            next_start,
            ..
        } = &mut self.state
        else {
            return Err(self.not_terminated());
        };
        if eof && buf.is_empty() {
            return Err(self.not_terminated());
        }
        // Back in front of the unsent rows; the next cut goes past the wrong guess.
        *search_from = bytes.len() + 1;
        *next_start = start;
        buf.prepend(bytes);
        Ok(())
    }

    /// The rows array closed: what follows it (in the piece, in the pieces cut after it
    /// and in the unsent bytes) is envelope again.
    fn array_ended(&mut self, after: Bytes) {
        let mut rest: Vec<Bytes> = vec![after];
        rest.extend(self.in_flight.drain(..).map(|p| p.bytes));
        if let State::Rows { mut buf, .. } = std::mem::replace(&mut self.state, State::Envelope) {
            rest.push(buf.take());
        }
        for bytes in rest.into_iter().rev().filter(|b| !b.is_empty()) {
            self.input.push_front(bytes);
        }
    }
}

impl InFlight {
    fn is_finished(&self) -> bool {
        match &self.decoding {
            Decoding::Done(_) => true,
            Decoding::Running(h) => h.is_finished(),
        }
    }
}

impl Decoding {
    async fn join(self) -> PieceResult {
        match self {
            Decoding::Done(r) => r,
            Decoding::Running(handle) => handle.await.unwrap_or_else(|e| {
                Err(Box::new(DecodeError {
                    message: format!("a decoder stopped unexpectedly: {e}"),
                    ..Default::default()
                }))
            }),
        }
    }
}

/// The bytes `batch`'s values take, without its builders' spare capacity: that is largest
/// in the shortest pieces (the ends of network reads), whose growth it would overstate.
fn decoded_bytes(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| c.to_data().get_slice_memory_size().unwrap_or(0))
        .sum()
}

/// A piece as text, checked on its decoding thread, so the reader only moves bytes.
fn utf8(bytes: &[u8]) -> std::result::Result<&str, Box<DecodeError>> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| {
        // Only now find where: `compat` says it, `basic` (faster) does not.
        let bad = simdutf8::compat::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
        Box::new(DecodeError {
            message: "the rows are not valid UTF-8".into(),
            row: Some(rows_before(bytes, bad)),
            ..Default::default()
        })
    })
}

/// Rows received but not yet cut into pieces: a piece of the body kept as it came (no
/// copy) until another must be appended to it.
enum Unsent {
    Empty,
    Shared(Bytes),
    Owned(BytesMut),
}

impl Unsent {
    fn bytes(&self) -> &[u8] {
        match self {
            Unsent::Empty => &[],
            Unsent::Shared(b) => b,
            Unsent::Owned(b) => b,
        }
    }

    fn len(&self) -> usize {
        self.bytes().len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn append(&mut self, piece: Bytes) {
        *self = match std::mem::replace(self, Unsent::Empty) {
            Unsent::Empty => Unsent::Shared(piece),
            Unsent::Shared(b) if b.is_empty() => Unsent::Shared(piece),
            Unsent::Shared(b) => {
                let mut owned = BytesMut::with_capacity(b.len() + piece.len());
                owned.extend_from_slice(&b);
                owned.extend_from_slice(&piece);
                Unsent::Owned(owned)
            }
            Unsent::Owned(mut b) => {
                if b.capacity() - b.len() < piece.len() {
                    // Room for a whole piece at once, not a network read at a time: the
                    // pieces cut off before share the old buffer, which cannot grow.
                    b.reserve(piece.len().max(PIECE_BYTES));
                }
                b.extend_from_slice(&piece);
                Unsent::Owned(b)
            }
        }
    }

    fn prepend(&mut self, front: Bytes) {
        let rest = self.take();
        *self = Unsent::Shared(front);
        self.append(rest);
    }

    fn split_to(&mut self, at: usize) -> Bytes {
        match self {
            Unsent::Empty => Bytes::new(),
            Unsent::Shared(b) => b.split_to(at),
            Unsent::Owned(b) => b.split_to(at).freeze(),
        }
    }

    fn take(&mut self) -> Bytes {
        match std::mem::replace(self, Unsent::Empty) {
            Unsent::Empty => Bytes::new(),
            Unsent::Shared(b) => b,
            Unsent::Owned(b) => b.freeze(),
        }
    }
}

#[cfg(test)]
mod growth_tests {
    use super::Columns;
    use crate::types::column_spec;

    fn growth(types: &[&str]) -> f64 {
        let specs = types
            .iter()
            .enumerate()
            .map(|(i, t)| column_spec(&format!("c{i}"), t, "UTC"))
            .collect();
        Columns::new(specs, None).worst_growth
    }

    #[test]
    fn rows_of_short_text_and_wide_values_are_expected_to_grow() {
        // [1] is 4 bytes with its comma; a Decimal256 is 32.
        assert_eq!(growth(&["Decimal(76, 0)"]), 8.0);
        // The benchmark's row (2.3 at worst; 0.7 as its values are): first pieces of at
        // least half the usual size; an id and a string: full size.
        let bench = [
            "UInt64",
            "String",
            "DateTime('UTC')",
            "Float64",
            "Nullable(Int32)",
            "Decimal(18, 2)",
            "Bool",
            "String",
        ];
        assert!(growth(&bench) < 4.0, "{}", growth(&bench));
        assert!(growth(&["UInt64", "String"]) <= 2.0);
        assert!(growth(&["Array(UInt256)", "Tuple(UInt8, Int128)"]) > 1.0);
    }
}
