//! One network call, not yet run: what every native operation returns. Python runs it
//! either way, from the same Rust future: `wait()` blocks (the sync twin) and `await`
//! suspends (the `_async` twin, a real coroutine, so `asyncio.run(client.query_async(..))`
//! works). Nothing is sent until one of them starts it; either one consumes it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::providers::options::CallOptions;
use crate::python::errors::to_pyerr;
use crate::python::runtime::{awaitable, block_on};

type Call = Pin<Box<dyn Future<Output = PyResult<Py<PyAny>>> + Send>>;

#[pyclass(name = "_Pending", module = "sqlquarry._native", frozen)]
pub struct Pending(Mutex<Option<Call>>);

impl Pending {
    /// The call `fut`, whose answer `into_py` turns into a Python object (under the GIL,
    /// once the answer is in).
    pub fn new<T: Send + 'static>(
        fut: impl Future<Output = crate::error::Result<T>> + Send + 'static,
        into_py: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    ) -> Self {
        let call = async move {
            let answer = fut.await.map_err(to_pyerr)?;
            Python::attach(|py| into_py(py, answer))
        };
        Pending(Mutex::new(Some(Box::pin(call))))
    }

    /// A call made with `options`: their progress hears how it ended (`done` or `failed`).
    pub fn with_options<T: Send + 'static>(
        options: &CallOptions,
        fut: impl Future<Output = crate::error::Result<T>> + Send + 'static,
        into_py: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    ) -> Self {
        let progress = options.progress.clone();
        let tracked = async move {
            let out = fut.await;
            if let Some(p) = progress {
                p.finish(out.is_ok());
            }
            out
        };
        Pending::new(tracked, into_py)
    }

    fn take(&self) -> PyResult<Call> {
        crate::python::logging::refresh();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this call has already been run"))
    }
}

#[pymethods]
impl Pending {
    /// Runs the call to its end, blocking: the GIL is released meanwhile, and Ctrl-C
    /// interrupts it (cancelling the request).
    fn wait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        block_on(py, self.take()?)
    }

    /// Runs the call on the shared runtime while the event loop waits; cancelling the
    /// awaiting task cancels the request.
    fn __await__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, self.take()?)?.call_method0("__await__")
    }

    fn __repr__(&self) -> String {
        let state = match self.0.lock() {
            Ok(g) if g.is_some() => "not started",
            _ => "started",
        };
        format!("<sqlquarry call, {state}>")
    }
}
