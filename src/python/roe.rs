//! `RoeClient` and `QueryJob` for Python. Every network method has a blocking and an
//! `_async` twin; both call the same Rust future.

use std::future::Future;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::error::{Error, Result};
use crate::providers::roe::{JobRef, RoeClient, RoeConfig, RoeOptions, SubmitOptions};
use crate::python::args;
use crate::python::errors::to_pyerr;
use crate::python::result::PyQueryResult;
use crate::python::runtime::{awaitable, block_on};
use crate::python::stream::PyBatchStream;
use crate::result::QueryResult;

/// The statement whose rows users mean by "the result": the last one.
fn last(all: Result<Vec<QueryResult>>) -> Result<QueryResult> {
    all?.pop()
        .ok_or_else(|| Error::decode("the service returned no result for the query"))
}

/// Wraps results for Python once the future is done (async twins run off the Python thread).
fn wrap_one(r: Result<QueryResult>) -> PyResult<PyQueryResult> {
    let r = r.map_err(to_pyerr)?;
    Python::attach(|py| PyQueryResult::new(py, r))
}

fn wrap_all(rs: Result<Vec<QueryResult>>) -> PyResult<Vec<PyQueryResult>> {
    let rs = rs.map_err(to_pyerr)?;
    Python::attach(|py| rs.into_iter().map(|r| PyQueryResult::new(py, r)).collect())
}

#[pyclass(name = "RoeClient", module = "sqlquarry", frozen)]
pub struct PyRoeClient {
    client: Arc<RoeClient>,
}

/// The one future behind each sync/async pair of methods.
impl PyRoeClient {
    fn run(
        &self,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> impl Future<Output = Result<Vec<QueryResult>>> + Send + 'static {
        let c = self.client.clone();
        let opts = SubmitOptions {
            worksheet_id,
            use_admin,
        };
        async move { c.run(&sql, &opts).await }
    }

    fn open_stream(
        &self,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> impl Future<Output = Result<PyBatchStream>> + Send + 'static {
        let c = self.client.clone();
        let opts = SubmitOptions {
            worksheet_id,
            use_admin,
        };
        async move { Ok(PyBatchStream::new(c.stream(&sql, &opts).await?)) }
    }

    fn submit_job(
        &self,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> impl Future<Output = Result<PyQueryJob>> + Send + 'static {
        let c = self.client.clone();
        let opts = SubmitOptions {
            worksheet_id,
            use_admin,
        };
        async move {
            let job = c.submit(&sql, &opts).await?;
            Ok(PyQueryJob::new(c, job))
        }
    }
}

#[pymethods]
impl PyRoeClient {
    #[new]
    #[pyo3(signature = (api_key=None, *, organization_id=None, base_url=None, worksheet_id=None,
                        timeout=None, max_retries=None, server_timezone=None,
                        allow_insecure_http=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        api_key: Option<String>,
        organization_id: Option<String>,
        base_url: Option<String>,
        worksheet_id: Option<String>,
        timeout: Option<Bound<'_, PyAny>>,
        max_retries: Option<u32>,
        server_timezone: Option<String>,
        allow_insecure_http: bool,
    ) -> PyResult<Self> {
        let opts = RoeOptions {
            api_key,
            organization_id,
            worksheet_id,
            base_url,
            timeout: args::timeout("timeout", timeout.as_ref())?,
            max_retries,
            server_timezone,
            allow_insecure_http,
        };
        let cfg = RoeConfig::resolve(opts, |k| std::env::var(k).ok()).map_err(to_pyerr)?;
        let client = RoeClient::new(cfg).map_err(to_pyerr)?;
        Ok(PyRoeClient {
            client: Arc::new(client),
        })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.client.config().transport.base_url.clone()
    }

    #[getter]
    fn organization_id(&self) -> Option<String> {
        self.client.config().organization_id.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Python's own repr of each value; the key is deliberately not shown.
        let org = self.organization_id().into_pyobject(py)?.repr()?;
        let url = self.base_url().into_pyobject(py)?.repr()?;
        Ok(format!("RoeClient(base_url={url}, organization_id={org})"))
    }

    /// Runs `sql` and returns the last statement's result.
    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn query(
        &self,
        py: Python<'_>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<PyQueryResult> {
        let run = self.run(sql, worksheet_id, use_admin);
        let r = block_on(py, async move { last(run.await) })?;
        PyQueryResult::new(py, r)
    }

    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn query_async<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let run = self.run(sql, worksheet_id, use_admin);
        awaitable(py, async move { wrap_one(last(run.await)) })
    }

    /// Runs `sql` and returns every statement's result, in order.
    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn query_all(
        &self,
        py: Python<'_>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<Vec<PyQueryResult>> {
        let rs = block_on(py, self.run(sql, worksheet_id, use_admin))?;
        rs.into_iter().map(|r| PyQueryResult::new(py, r)).collect()
    }

    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn query_all_async<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let run = self.run(sql, worksheet_id, use_admin);
        awaitable(py, async move { wrap_all(run.await) })
    }

    /// Submits `sql` to run in the background and returns its job at once.
    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn submit(
        &self,
        py: Python<'_>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<PyQueryJob> {
        block_on(py, self.submit_job(sql, worksheet_id, use_admin))
    }

    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn submit_async<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let submit = self.submit_job(sql, worksheet_id, use_admin);
        awaitable(py, async move { submit.await.map_err(to_pyerr) })
    }

    /// Runs `sql` and streams the last statement's rows as pyarrow.RecordBatch objects,
    /// decoded as they arrive: memory stays at a few batches however large the result.
    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn iter_batches(
        &self,
        py: Python<'_>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<PyBatchStream> {
        block_on(py, self.open_stream(sql, worksheet_id, use_admin))
    }

    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn iter_batches_async<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let open = self.open_stream(sql, worksheet_id, use_admin);
        awaitable(py, async move { open.await.map_err(to_pyerr) })
    }

    /// The run endpoint's raw body, undecoded (benchmarks' download floor).
    #[pyo3(signature = (sql, *, worksheet_id=None, use_admin=false))]
    fn _run_raw<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        worksheet_id: Option<String>,
        use_admin: bool,
    ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let c = self.client.clone();
        let opts = SubmitOptions {
            worksheet_id,
            use_admin,
        };
        let body = block_on(py, async move { c.run_raw(&sql, &opts).await })?;
        Ok(pyo3::types::PyBytes::new(py, &body))
    }

    /// A handle on an already-submitted query, by its id. Sends nothing.
    fn job(&self, id: String) -> PyResult<PyQueryJob> {
        let job = JobRef::from_id(id).map_err(to_pyerr)?;
        Ok(PyQueryJob::new(self.client.clone(), job))
    }
}

#[pyclass(name = "QueryJob", module = "sqlquarry", frozen)]
pub struct PyQueryJob {
    client: Arc<RoeClient>,
    job: Arc<JobRef>,
}

impl PyQueryJob {
    fn new(client: Arc<RoeClient>, job: JobRef) -> Self {
        PyQueryJob {
            client,
            job: Arc::new(job),
        }
    }

    fn parts(&self) -> (Arc<RoeClient>, Arc<JobRef>) {
        (self.client.clone(), self.job.clone())
    }
}

#[pymethods]
impl PyQueryJob {
    /// The id used for status and result requests.
    #[getter]
    fn id(&self) -> String {
        self.job.id().to_owned()
    }

    #[getter]
    fn worksheet_query_id(&self) -> Option<String> {
        self.job.worksheet_query_id.clone()
    }

    #[getter]
    fn task_id(&self) -> Option<String> {
        self.job.task_id.clone()
    }

    fn __repr__(&self) -> String {
        format!("QueryJob(id='{}')", self.job.id())
    }

    /// The service's current status word (for example PENDING, STARTED, SUCCESS, FAILURE).
    fn status(&self, py: Python<'_>) -> PyResult<String> {
        let (c, j) = self.parts();
        block_on(py, async move { Ok(c.status(&j).await?.status) })
    }

    fn status_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (c, j) = self.parts();
        awaitable(py, async move {
            Ok(c.status(&j).await.map_err(to_pyerr)?.status)
        })
    }

    /// Waits for the query (polling with backoff) and returns the last statement's result.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<Bound<'_, PyAny>>) -> PyResult<PyQueryResult> {
        let (c, j) = self.parts();
        let t = args::timeout("timeout", timeout.as_ref())?;
        let r = block_on(py, async move { last(c.wait(&j, t).await) })?;
        PyQueryResult::new(py, r)
    }

    #[pyo3(signature = (timeout=None))]
    fn wait_async<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, j) = self.parts();
        let t = args::timeout("timeout", timeout.as_ref())?;
        awaitable(py, async move { wrap_one(last(c.wait(&j, t).await)) })
    }

    /// Waits like `wait()` and returns every statement's result.
    #[pyo3(signature = (timeout=None))]
    fn wait_all(
        &self,
        py: Python<'_>,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyQueryResult>> {
        let (c, j) = self.parts();
        let t = args::timeout("timeout", timeout.as_ref())?;
        let rs = block_on(py, async move { c.wait(&j, t).await })?;
        rs.into_iter().map(|r| PyQueryResult::new(py, r)).collect()
    }

    #[pyo3(signature = (timeout=None))]
    fn wait_all_async<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, j) = self.parts();
        let t = args::timeout("timeout", timeout.as_ref())?;
        awaitable(py, async move { wrap_all(c.wait(&j, t).await) })
    }

    /// Waits like `wait()`, then streams the last statement's rows as pyarrow.RecordBatch
    /// objects, decoded as they arrive: memory stays at a few batches however large the
    /// result.
    #[pyo3(signature = (timeout=None))]
    fn iter_batches(
        &self,
        py: Python<'_>,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyBatchStream> {
        let (c, j) = self.parts();
        let t = args::timeout("timeout", timeout.as_ref())?;
        block_on(py, async move {
            Ok(PyBatchStream::new(c.stream_result(&j, t).await?))
        })
    }

    #[pyo3(signature = (timeout=None))]
    fn iter_batches_async<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, j) = self.parts();
        let t = args::timeout("timeout", timeout.as_ref())?;
        awaitable(py, async move {
            let s = c.stream_result(&j, t).await.map_err(to_pyerr)?;
            Ok(PyBatchStream::new(s))
        })
    }
}
