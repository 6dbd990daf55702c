//! `BatchStream` for Python: a result's record batches as pyarrow.RecordBatch objects,
//! iterated with `for` (blocking, interruptible) or `async for`.

use std::sync::Arc;

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyImportError, PyStopAsyncIteration};
use pyo3::prelude::*;
use tokio::sync::Mutex;

use crate::providers::roe::BatchStream;
use crate::python::errors::to_pyerr;
use crate::python::runtime::{awaitable, block_on};

/// A result's rows as ``pyarrow.RecordBatch`` objects, decoded while the response
/// arrives; memory stays at a few batches (of up to 65,536 rows) however large the result.
/// Iterate with ``for`` or ``async for``; ``close()`` (or leaving a ``with`` block) stops
/// the download. Errors in the data raise :class:`sqlquarry.DecodeError` at the batch
/// they are in; a response that carries rows for several statements raises
/// ConfigurationError (use ``query_all()``).
#[pyclass(name = "BatchStream", module = "sqlquarry", frozen)]
pub struct PyBatchStream {
    inner: Arc<Mutex<Option<BatchStream>>>,
    schema: arrow_schema::SchemaRef,
}

impl PyBatchStream {
    pub fn new(stream: BatchStream) -> Self {
        PyBatchStream {
            schema: stream.schema(),
            inner: Arc::new(Mutex::new(Some(stream))),
        }
    }
}

/// The next batch of a stream that may have been closed (then: none).
async fn next_batch(
    inner: Arc<Mutex<Option<BatchStream>>>,
) -> crate::error::Result<Option<RecordBatch>> {
    let mut guard = inner.lock().await;
    let Some(stream) = guard.as_mut() else {
        return Ok(None);
    };
    let next = stream.next().await;
    if !matches!(next, Ok(Some(_))) {
        *guard = None; // ended or failed: free the reader now
    }
    next
}

fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Py<PyAny>> {
    if py.import("pyarrow").is_err() {
        return Err(PyImportError::new_err(
            "iterating batches gives pyarrow.RecordBatch objects: pip install 'sqlquarry[pyarrow]'",
        ));
    }
    Ok(pyo3_arrow::PyRecordBatch::new(batch)
        .into_pyarrow(py)?
        .unbind())
}

#[pymethods]
impl PyBatchStream {
    /// The stream itself: ``for batch in stream``.
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch, waiting for it (GIL released, Ctrl-C honoured).
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let next = next_batch(self.inner.clone());
        match block_on(py, async move { next.await.map_err(to_pyerr) })? {
            Some(b) => to_pyarrow(py, b).map(Some),
            None => Ok(None),
        }
    }

    /// The stream itself: ``async for batch in stream``.
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch, awaited.
    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        awaitable(py, async move {
            match next_batch(inner).await.map_err(to_pyerr)? {
                Some(b) => Python::attach(|py| to_pyarrow(py, b)),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// The batches' ``pyarrow.Schema``, known before the first batch (to open a
    /// ``ParquetWriter`` with, say); each field's metadata keeps its declared type.
    #[getter]
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if py.import("pyarrow").is_err() {
            return Err(PyImportError::new_err(
                "the schema is a pyarrow.Schema: pip install 'sqlquarry[pyarrow]'",
            ));
        }
        pyo3_arrow::PySchema::new(self.schema.clone()).into_pyarrow(py)
    }

    /// Stops the download; iterating afterwards yields nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let inner = self.inner.clone();
        block_on(py, async move {
            inner.lock().await.take();
            Ok(())
        })
    }

    /// The stream itself; leaving the block closes it.
    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Closes the stream.
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<Bound<'_, PyAny>>,
        _exc: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// Raises TypeError: a stream is a download under way and cannot be pickled.
    fn __reduce__(&self) -> PyResult<()> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "a BatchStream is a download under way and cannot be pickled: pickle its batches, \
             or the QueryResult of query()",
        ))
    }

    fn __repr__(&self) -> String {
        let open = self.inner.try_lock().map_or(true, |g| g.is_some());
        format!("BatchStream({})", if open { "open" } else { "closed" })
    }
}
