//! Native cores of `SlateoClient` and `AIForDatabaseClient`. The resource classes
//! (`sqlquarry/slateo.py`, `sqlquarry/aifordb.py`) are thin Python over these: every
//! network operation here has a blocking and an `_async` twin running one Rust future.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::Result;
use crate::providers::aifordb::{AiForDatabaseClient, Answer};
use crate::providers::rest::JsonCall;
use crate::providers::settings::CommonOptions;
use crate::providers::slateo::SlateoClient;
use crate::python::args;
use crate::python::errors::{rate_limit_dict, to_pyerr};
use crate::python::result::PyQueryResult;
use crate::python::runtime::{awaitable, block_on};
use crate::result::QueryResult;

fn options(
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: Option<Bound<'_, PyAny>>,
    max_retries: Option<u32>,
    allow_insecure_http: bool,
) -> PyResult<CommonOptions> {
    Ok(CommonOptions {
        api_key,
        base_url,
        timeout: args::timeout("timeout", timeout.as_ref())?,
        max_retries,
        allow_insecure_http,
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A JSON call from Python's pieces: the body arrives as JSON text.
fn call(
    method: &str,
    path: &str,
    query: Option<Vec<(String, String)>>,
    body: Option<&str>,
) -> PyResult<JsonCall> {
    let body = body
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| PyValueError::new_err(format!("the request body is not JSON: {e}")))?;
    JsonCall::new(method, path, query.unwrap_or_default(), body).map_err(to_pyerr)
}

fn wrap(r: Result<QueryResult>) -> PyResult<PyQueryResult> {
    let r = r.map_err(to_pyerr)?;
    Python::attach(|py| PyQueryResult::new(py, r))
}

#[pyclass(name = "_SlateoCore", module = "sqlquarry", frozen)]
pub struct PySlateoCore {
    client: Arc<SlateoClient>,
}

#[pymethods]
impl PySlateoCore {
    #[new]
    #[pyo3(signature = (api_key=None, *, base_url=None, timeout=None, max_retries=None,
                        allow_insecure_http=false))]
    fn new(
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<Bound<'_, PyAny>>,
        max_retries: Option<u32>,
        allow_insecure_http: bool,
    ) -> PyResult<Self> {
        let client = SlateoClient::new(
            options(api_key, base_url, timeout, max_retries, allow_insecure_http)?,
            env,
        )
        .map_err(to_pyerr)?;
        Ok(PySlateoCore {
            client: Arc::new(client),
        })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// Any JSON endpoint; returns the response body as JSON text.
    #[pyo3(signature = (method, path, query=None, body=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        query: Option<Vec<(String, String)>>,
        body: Option<&str>,
    ) -> PyResult<String> {
        let (c, call) = (self.client.clone(), call(method, path, query, body)?);
        block_on(py, async move { Ok(c.call(&call).await?.0.to_string()) })
    }

    #[pyo3(signature = (method, path, query=None, body=None))]
    fn request_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: Option<Vec<(String, String)>>,
        body: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, call) = (self.client.clone(), call(method, path, query, body)?);
        awaitable(py, async move {
            Ok(c.call(&call).await.map_err(to_pyerr)?.0.to_string())
        })
    }

    fn result(&self, py: Python<'_>, id: String) -> PyResult<PyQueryResult> {
        let c = self.client.clone();
        let r = block_on(py, async move { c.result(&id).await })?;
        PyQueryResult::new(py, r)
    }

    fn result_async<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = self.client.clone();
        awaitable(py, async move { wrap(c.result(&id).await) })
    }

    /// Refreshes; returns the run as JSON text.
    fn refresh(&self, py: Python<'_>, id: String) -> PyResult<String> {
        let c = self.client.clone();
        block_on(py, async move { Ok(c.refresh(&id).await?.to_string()) })
    }

    fn refresh_async<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = self.client.clone();
        awaitable(py, async move {
            Ok(c.refresh(&id).await.map_err(to_pyerr)?.to_string())
        })
    }

    #[pyo3(signature = (id, timeout=None, wait_if_running=false))]
    fn run(
        &self,
        py: Python<'_>,
        id: String,
        timeout: Option<Bound<'_, PyAny>>,
        wait_if_running: bool,
    ) -> PyResult<PyQueryResult> {
        let (c, t) = (
            self.client.clone(),
            args::timeout("timeout", timeout.as_ref())?,
        );
        let r = block_on(py, async move { c.run(&id, t, wait_if_running).await })?;
        PyQueryResult::new(py, r)
    }

    #[pyo3(signature = (id, timeout=None, wait_if_running=false))]
    fn run_async<'py>(
        &self,
        py: Python<'py>,
        id: String,
        timeout: Option<Bound<'_, PyAny>>,
        wait_if_running: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, t) = (
            self.client.clone(),
            args::timeout("timeout", timeout.as_ref())?,
        );
        awaitable(
            py,
            async move { wrap(c.run(&id, t, wait_if_running).await) },
        )
    }
}

#[pyclass(name = "_AIForDatabaseCore", module = "sqlquarry", frozen)]
pub struct PyAiForDatabaseCore {
    client: Arc<AiForDatabaseClient>,
}

/// (data as JSON text, next cursor, request id)
type PyAnswer = (String, Option<String>, Option<String>);

fn answer(a: Answer) -> PyAnswer {
    (a.data.to_string(), a.next_cursor, a.request_id)
}

#[pymethods]
impl PyAiForDatabaseCore {
    #[new]
    #[pyo3(signature = (api_key=None, *, base_url=None, timeout=None, max_retries=None,
                        allow_insecure_http=false))]
    fn new(
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<Bound<'_, PyAny>>,
        max_retries: Option<u32>,
        allow_insecure_http: bool,
    ) -> PyResult<Self> {
        let client = AiForDatabaseClient::new(
            options(api_key, base_url, timeout, max_retries, allow_insecure_http)?,
            env,
        )
        .map_err(to_pyerr)?;
        Ok(PyAiForDatabaseCore {
            client: Arc::new(client),
        })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// The last response's `X-RateLimit-*` headers.
    #[getter]
    fn rate_limit<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.client
            .last_response()
            .0
            .map(|rl| rate_limit_dict(py, &rl))
            .transpose()
    }

    #[getter]
    fn last_request_id(&self) -> Option<String> {
        self.client.last_response().1
    }

    /// Any endpoint, envelope unwrapped: (data as JSON text, next cursor, request id).
    #[pyo3(signature = (method, path, query=None, body=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        query: Option<Vec<(String, String)>>,
        body: Option<&str>,
    ) -> PyResult<PyAnswer> {
        let (c, call) = (self.client.clone(), call(method, path, query, body)?);
        block_on(py, async move { Ok(answer(c.call(&call).await?)) })
    }

    #[pyo3(signature = (method, path, query=None, body=None))]
    fn request_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: Option<Vec<(String, String)>>,
        body: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, call) = (self.client.clone(), call(method, path, query, body)?);
        awaitable(py, async move {
            Ok(answer(c.call(&call).await.map_err(to_pyerr)?))
        })
    }

    #[pyo3(signature = (question, connection_id, format="table"))]
    fn ask(
        &self,
        py: Python<'_>,
        question: String,
        connection_id: String,
        format: &str,
    ) -> PyResult<PyQueryResult> {
        let (c, f) = (self.client.clone(), format.to_owned());
        let r = block_on(
            py,
            async move { c.ask(&question, &connection_id, &f).await },
        )?;
        PyQueryResult::new(py, r)
    }

    #[pyo3(signature = (question, connection_id, format="table"))]
    fn ask_async<'py>(
        &self,
        py: Python<'py>,
        question: String,
        connection_id: String,
        format: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, f) = (self.client.clone(), format.to_owned());
        awaitable(py, async move {
            wrap(c.ask(&question, &connection_id, &f).await)
        })
    }
}
