//! `progress=` from Python: True for the default display (a tqdm bar when tqdm is
//! installed, else one rewritten stderr line; `sqlquarry/_progress.py`), or a callable that
//! receives `sqlquarry.Progress` objects. The core's `progress::Progress` calls it, under
//! the GIL, on state changes and at most every 100 ms; a sink with `close()` is closed when
//! the call ends.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use crate::progress::{Progress, Snapshot};

/// The Progress of a call from its `progress=` option, or None (not asked for).
pub fn from_option(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<Progress>>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let sink = if let Ok(b) = v.cast::<PyBool>() {
        if !b.is_true() {
            return Ok(None);
        }
        v.py()
            .import("sqlquarry._progress")?
            .call_method0("default_sink")?
    } else if v.is_callable() {
        v.clone()
    } else {
        let kind = v.get_type().name()?.to_string();
        return Err(PyTypeError::new_err(format!(
            "progress must be True, False or a callable taking sqlquarry.Progress, got {kind}"
        )));
    };
    let sink = Arc::new(PySink(sink.unbind()));
    Ok(Some(Progress::new(Arc::new(move |s: &Snapshot| {
        sink.send(s)
    }))))
}

/// The Python side of a call's progress.
struct PySink(Py<PyAny>);

impl PySink {
    fn send(&self, s: &Snapshot) {
        Python::attach(|py| {
            let sent = (|| {
                let kw = PyDict::new(py);
                kw.set_item("state", &s.state)?;
                kw.set_item("elapsed", s.elapsed.as_secs_f64())?;
                kw.set_item("bytes", s.bytes)?;
                kw.set_item("rows", s.rows)?;
                kw.set_item("query_id", &s.query_id)?;
                let event = py
                    .import("sqlquarry._progress")?
                    .getattr("Progress")?
                    .call((), Some(&kw))?;
                self.0.call1(py, (event,))?;
                Ok::<_, PyErr>(())
            })();
            // A failing callback must not fail the query: Python reports it as unraisable.
            if let Err(e) = sent {
                e.write_unraisable(py, Some(self.0.bind(py)));
            }
        });
    }
}

impl Drop for PySink {
    /// The call is over: a display closes (a bar finishes its line).
    fn drop(&mut self) {
        Python::try_attach(|py| {
            let sink = self.0.bind(py);
            if sink.hasattr("close").unwrap_or(false) {
                if let Err(e) = sink.call_method0("close") {
                    e.write_unraisable(py, Some(sink));
                }
            }
        });
    }
}
