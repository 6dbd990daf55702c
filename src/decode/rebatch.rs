//! Batches of exactly the size a caller asked for, from batches of whatever size decoding
//! produced: whole batches pass through, slices are zero-copy, and only the rows that
//! straddle two decoded batches are copied together.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};

pub struct Rebatcher {
    schema: SchemaRef,
    rows: usize,
    pending: Vec<RecordBatch>,
    pending_rows: usize,
}

impl Rebatcher {
    /// Batches of `rows` rows (at least one) in `schema`.
    pub fn new(schema: SchemaRef, rows: usize) -> Self {
        Rebatcher {
            schema,
            rows: rows.max(1),
            pending: Vec::new(),
            pending_rows: 0,
        }
    }

    /// The batches of `rows` rows that `batch` completes, in order.
    pub fn push(&mut self, batch: RecordBatch) -> Result<Vec<RecordBatch>> {
        let mut out = Vec::new();
        let mut offset = 0;
        while offset < batch.num_rows() {
            let take = (self.rows - self.pending_rows).min(batch.num_rows() - offset);
            let part = batch.slice(offset, take);
            offset += take;
            if self.pending.is_empty() && take == self.rows {
                out.push(part);
                continue;
            }
            self.pending.push(part);
            self.pending_rows += take;
            if self.pending_rows == self.rows {
                out.extend(self.flush_checked()?);
            }
        }
        Ok(out)
    }

    /// The rows left over at the end: a last, shorter batch.
    pub fn flush(&mut self) -> Option<RecordBatch> {
        self.flush_checked().ok().flatten()
    }

    fn flush_checked(&mut self) -> Result<Option<RecordBatch>> {
        if self.pending.is_empty() {
            return Ok(None);
        }
        let parts = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        arrow_select::concat::concat_batches(&self.schema, &parts)
            .map(Some)
            .map_err(|e| Error::decode(format!("internal error joining batches: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Array, UInt32Array};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn exact_sizes_whatever_comes_in() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::UInt32, false)]));
        let batch = |from: u32, n: u32| {
            let values = UInt32Array::from((from..from + n).collect::<Vec<_>>());
            RecordBatch::try_new(schema.clone(), vec![Arc::new(values)]).unwrap()
        };
        for size in [1, 3, 7, 10, 100] {
            let mut r = Rebatcher::new(schema.clone(), size);
            let mut out = Vec::new();
            let mut next = 0;
            for n in [4, 1, 10, 0, 6, 3] {
                out.extend(r.push(batch(next, n)).unwrap());
                next += n;
            }
            out.extend(r.flush());
            let sizes: Vec<usize> = out.iter().map(RecordBatch::num_rows).collect();
            assert!(
                sizes[..sizes.len() - 1].iter().all(|&s| s == size),
                "{sizes:?}"
            );
            assert_eq!(sizes.iter().sum::<usize>(), 24);
            let values: Vec<u32> = out
                .iter()
                .flat_map(|b| {
                    let c = b.column(0).as_any().downcast_ref::<UInt32Array>().unwrap();
                    (0..c.len()).map(|i| c.value(i)).collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(values, (0..24).collect::<Vec<_>>());
        }
    }
}
