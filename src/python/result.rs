//! `QueryResult` for Python: the Arrow PyCapsule interface plus the service's metadata.
//! Conversions to pyarrow, pandas and polars live in `sqlquarry/_convert.py`, which imports
//! each library only when asked.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{ArrowError, Field, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyList};
use pyo3_arrow::ffi::{to_schema_pycapsule, to_stream_pycapsule, ArrayIterator};

use crate::python::errors::{to_pyerr, type_warning};
use crate::result::QueryResult;

/// A pickled result, back (`QueryResult.__reduce__`).
#[pyfunction]
pub fn _result_from_ipc(
    py: Python<'_>,
    data: pyo3::pybacked::PyBackedBytes,
) -> PyResult<PyQueryResult> {
    let inner = py
        .detach(|| QueryResult::from_ipc(&data))
        .map_err(to_pyerr)?;
    PyQueryResult::new(py, inner)
}

/// Unix seconds as a timezone-aware datetime in UTC.
fn utc_datetime<'py>(py: Python<'py>, seconds: Option<f64>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(s) = seconds else { return Ok(None) };
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    datetime
        .getattr("datetime")?
        .call_method1("fromtimestamp", (s, utc))
        .map(Some)
}

/// A result as the Python object a `Pending` call answers.
pub fn result_into_py(py: Python<'_>, r: QueryResult) -> PyResult<Py<PyAny>> {
    Ok(PyQueryResult::new(py, r)?
        .into_pyobject(py)?
        .into_any()
        .unbind())
}

/// Every statement's result, as a list.
pub fn results_into_py(py: Python<'_>, rs: Vec<QueryResult>) -> PyResult<Py<PyAny>> {
    let list = rs
        .into_iter()
        .map(|r| PyQueryResult::new(py, r))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(list.into_pyobject(py)?.into_any().unbind())
}

/// The answer to one SQL statement, held as Arrow record batches.
///
/// Implements the Arrow PyCapsule interface, so ``pyarrow.table(result)``,
/// ``polars.DataFrame(result)`` and DuckDB read it without a copy. Column types come from
/// the service's declared types (ClickHouse's for Roe), never from guessing. ``repr()``
/// shows the shape and the first and last rows; notebooks show an HTML table.
#[pyclass(name = "QueryResult", module = "sqlquarry", frozen)]
pub struct PyQueryResult {
    inner: Arc<QueryResult>,
    /// The number of rows.
    #[pyo3(get)]
    num_rows: usize,
    /// The number of columns.
    #[pyo3(get)]
    num_columns: usize,
    /// The columns' names, in order.
    #[pyo3(get)]
    column_names: Vec<String>,
    /// The service's own type names (ClickHouse types for Roe), verbatim.
    #[pyo3(get)]
    column_types: Vec<String>,
    /// The statement's id at the service, when it gave one.
    #[pyo3(get)]
    query_id: Option<String>,
    /// The statement as the service reports it.
    #[pyo3(get)]
    sql: Option<String>,
    /// Unix seconds when the service started the statement.
    #[pyo3(get)]
    start_timestamp: Option<f64>,
    /// Unix seconds when the service finished the statement.
    #[pyo3(get)]
    end_timestamp: Option<f64>,
    /// The service's own execution time in milliseconds (AI for Database), when it said.
    #[pyo3(get)]
    execution_time_ms: Option<f64>,
}

impl PyQueryResult {
    /// Wraps a result, first telling Python about anything that deserves a warning.
    pub fn new(py: Python<'_>, inner: QueryResult) -> PyResult<Self> {
        if !inner.warnings.is_empty() {
            let category = type_warning(py)?;
            let warn = py.import("warnings")?.getattr("warn")?;
            for w in &inner.warnings {
                warn.call1((w, category, 2))?;
            }
        }
        Ok(PyQueryResult {
            num_rows: inner.num_rows(),
            num_columns: inner.column_names.len(),
            column_names: inner.column_names.clone(),
            column_types: inner.column_types.clone(),
            query_id: inner.query_id.clone(),
            sql: inner.sql.clone(),
            start_timestamp: inner.start_timestamp,
            end_timestamp: inner.end_timestamp,
            execution_time_ms: inner.execution_time_ms,
            inner: Arc::new(inner),
        })
    }

    fn convert<'py>(
        &self,
        slf: &Bound<'py, Self>,
        how: &str,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        py.import("sqlquarry._convert")?
            .getattr(how)?
            .call((slf,), kwargs)
    }
}

fn stream_capsule<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    requested_schema: Option<Bound<'py, PyCapsule>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let arrays = batches
        .into_iter()
        .map(|b| Ok::<ArrayRef, ArrowError>(Arc::new(StructArray::from(b))));
    let field = Field::new_struct("", schema.fields().clone(), false)
        .with_metadata(schema.metadata().clone());
    let reader = Box::new(ArrayIterator::new(arrays, Arc::new(field)));
    Ok(to_stream_pycapsule(py, reader, requested_schema)?)
}

#[pymethods]
impl PyQueryResult {
    #[pyo3(signature = (requested_schema=None))]
    /// The batches as an Arrow C stream (the PyCapsule interface), without a copy.
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        stream_capsule(
            py,
            self.inner.schema.clone(),
            self.inner.batches.clone(),
            requested_schema,
        )
    }

    /// The same data with what polars cannot import cast to what it can, at any depth
    /// (decimal256 as exact text: polars' Arrow import panics on it).
    fn _polars_compatible(&self, py: Python<'_>) -> PyResult<PyQueryResult> {
        let (schema, batches) =
            crate::result::polars_compatible(&self.inner.schema, &self.inner.batches)
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        let converted = QueryResult {
            schema,
            batches,
            warnings: Vec::new(),
            ..self.inner.as_ref().clone()
        };
        PyQueryResult::new(py, converted)
    }

    /// The schema as an Arrow C schema (the PyCapsule interface).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        Ok(to_schema_pycapsule(py, self.inner.schema.as_ref())?)
    }

    /// A ``pyarrow.Table``. Needs ``pip install 'sqlquarry[pyarrow]'``.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.get().convert(slf, "to_arrow", None)
    }

    /// A ``pandas.DataFrame`` with nullable dtypes (an integer column with NULLs stays
    /// integer), tz-aware datetimes and exact decimals (``decimal.Decimal`` objects);
    /// ``dtype_backend="pyarrow"`` gives ArrowDtype columns instead, decimals included, and
    /// is the faster one. Other keywords go to ``pyarrow.Table.to_pandas``.
    /// Needs ``pip install 'sqlquarry[pandas]'``.
    #[pyo3(signature = (**kwargs))]
    fn to_pandas<'py>(
        slf: &Bound<'py, Self>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.get().convert(slf, "to_pandas", kwargs)
    }

    /// A ``polars.DataFrame``; decimals wider than 38 digits and 128-bit integers arrive
    /// as exact text, at any depth. Needs ``pip install 'sqlquarry[polars]'``.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.get().convert(slf, "to_polars", None)
    }

    /// The Arrow schema (needs pyarrow). Each field's metadata keeps the declared type
    /// under ``sqlquarry.declared_type``.
    #[getter]
    fn schema<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.get().convert(slf, "schema", None)
    }

    /// The number of rows.
    fn __len__(&self) -> usize {
        self.num_rows
    }

    /// Pickles as one Arrow IPC stream (schema, values, types, summary, ids, timings), so a
    /// result crosses process boundaries (multiprocessing, concurrent.futures).
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let bytes = py.detach(|| self.inner.to_ipc()).map_err(to_pyerr)?;
        let rebuild = py
            .import("sqlquarry._native")?
            .getattr("_result_from_ipc")?;
        Ok((rebuild, (PyBytes::new(py, &bytes),)))
    }

    /// The service's statistics for the statement as a dict (Roe: ClickHouse's read_rows,
    /// elapsed_ns, ...; empty when it sent none).
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner.summary_json {
            Some(text) => py.import("json")?.getattr("loads")?.call1((text,)),
            None => Ok(PyDict::new(py).into_any()),
        }
    }

    /// Seconds the service spent on the statement, when it said.
    #[getter]
    fn elapsed(&self) -> Option<f64> {
        match (self.inner.start_timestamp, self.inner.end_timestamp) {
            (Some(s), Some(e)) => Some(e - s),
            _ => self.inner.execution_time_ms.map(|ms| ms / 1000.0),
        }
    }

    /// Columns whose type was not understood (returned as text); each was also issued
    /// as a :class:`sqlquarry.TypeWarning`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, &self.inner.warnings)
    }

    /// The shape, each column's name and type, and the first and last rows.
    fn __repr__(&self) -> String {
        crate::preview::text(&self.inner)
    }

    /// The same as an HTML table, for notebooks.
    fn _repr_html_(&self) -> String {
        crate::preview::html(&self.inner)
    }

    /// When the service started the statement, as a timezone-aware (UTC) datetime.
    #[getter]
    fn start_time<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        utc_datetime(py, self.start_timestamp)
    }

    /// When the service finished the statement, as a timezone-aware (UTC) datetime.
    #[getter]
    fn end_time<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        utc_datetime(py, self.end_timestamp)
    }
}
