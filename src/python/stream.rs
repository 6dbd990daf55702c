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

#[pyclass(name = "BatchStream", module = "sqlquarry", frozen)]
pub struct PyBatchStream {
    inner: Arc<Mutex<Option<BatchStream>>>,
}

impl PyBatchStream {
    pub fn new(stream: BatchStream) -> Self {
        PyBatchStream {
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
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let next = next_batch(self.inner.clone());
        match block_on(py, async move { next.await.map_err(to_pyerr) })? {
            Some(b) => to_pyarrow(py, b).map(Some),
            None => Ok(None),
        }
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        awaitable(py, async move {
            match next_batch(inner).await.map_err(to_pyerr)? {
                Some(b) => Python::attach(|py| to_pyarrow(py, b)),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// Stops the download; iterating afterwards yields nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let inner = self.inner.clone();
        block_on(py, async move {
            inner.lock().await.take();
            Ok(())
        })
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

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

    /// A stream is a download under way: it cannot be pickled.
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
