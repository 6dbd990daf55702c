//! The native core under `sqlquarry.RoeClient` and `sqlquarry.QueryJob` (python/sqlquarry/
//! roe.py): each operation returns one `Pending` call, which the Python facade runs as a
//! blocking method or as its `_async` coroutine twin.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::error::{Error, Result};
use crate::providers::options::CallOptions;
use crate::providers::roe::{JobRef, RoeClient, RoeConfig, RoeOptions, SubmitOptions};
use crate::python::args::{self, call_options, env_var, service_client, text};
use crate::python::errors::to_pyerr;
use crate::python::params;
use crate::python::pending::Pending;
use crate::python::result::{result_into_py, results_into_py};
use crate::python::stream::PyBatchStream;
use crate::result::QueryResult;

/// The statement whose rows users mean by "the result": the last one.
fn last(all: Vec<QueryResult>) -> Result<QueryResult> {
    let mut all = all;
    all.pop()
        .ok_or_else(|| Error::decode("the service returned no result for the query"))
}

/// Roe's own per-call options (`sqlquarry.roe.RoeCallOptions`).
fn submit_options(options: Option<&Bound<'_, PyDict>>) -> PyResult<SubmitOptions> {
    let use_admin = match options {
        Some(d) => d
            .get_item("use_admin")?
            .map(|v| v.is_truthy())
            .transpose()?
            .unwrap_or(false),
        None => false,
    };
    let parameters = match options {
        Some(d) => d
            .get_item("parameters")?
            .filter(|p| !p.is_none())
            .map(|p| params::named(&p))
            .transpose()?,
        None => None,
    };
    Ok(SubmitOptions {
        worksheet_id: text(options, "worksheet_id")?,
        use_admin,
        parameters,
    })
}

#[pyclass(name = "_RoeCore", module = "sqlquarry._native", frozen)]
pub struct RoeCore {
    client: Arc<RoeClient>,
}

/// A statement to send and how, read from Python's pieces.
struct Statement {
    client: Arc<RoeClient>,
    sql: String,
    submit: SubmitOptions,
    call: CallOptions,
}

impl RoeCore {
    fn statement(&self, sql: String, options: Option<&Bound<'_, PyDict>>) -> PyResult<Statement> {
        Ok(Statement {
            client: self.client.clone(),
            sql,
            submit: submit_options(options)?,
            call: call_options(options)?,
        })
    }
}

#[pymethods]
impl RoeCore {
    #[new]
    #[pyo3(signature = (api_key, settings, organization_id, worksheet_id, server_timezone))]
    fn new(
        api_key: Option<String>,
        settings: Option<Bound<'_, PyDict>>,
        organization_id: Option<String>,
        worksheet_id: Option<String>,
        server_timezone: Option<String>,
    ) -> PyResult<Self> {
        let client = service_client(api_key, settings.as_ref(), |common| {
            let opts = RoeOptions {
                organization_id,
                worksheet_id,
                server_timezone,
                common,
            };
            RoeClient::new(RoeConfig::resolve(opts, env_var)?)
        })?;
        Ok(RoeCore { client })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.client.config().transport.base_url.clone()
    }

    #[getter]
    fn organization_id(&self) -> Option<String> {
        self.client.config().organization_id.clone()
    }

    /// Runs `sql`; answers the last statement's result.
    #[pyo3(signature = (sql, options=None))]
    fn query(&self, sql: String, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        let s = self.statement(sql, options.as_ref())?;
        let options = s.call.clone();
        let run = async move { last(s.client.run(&s.sql, &s.submit, &s.call).await?) };
        Ok(Pending::with_options(&options, run, result_into_py))
    }

    /// Runs `sql`; answers every statement's result.
    #[pyo3(signature = (sql, options=None))]
    fn query_all(&self, sql: String, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        let s = self.statement(sql, options.as_ref())?;
        let options = s.call.clone();
        let run = async move { s.client.run(&s.sql, &s.submit, &s.call).await };
        Ok(Pending::with_options(&options, run, results_into_py))
    }

    /// Submits `sql`; answers its job.
    #[pyo3(signature = (sql, options=None))]
    fn submit(&self, sql: String, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        let s = self.statement(sql, options.as_ref())?;
        let options = s.call.clone();
        let submit = async move {
            let job = s.client.submit(&s.sql, &s.submit, &s.call).await?;
            Ok(RoeJob::new(s.client, job))
        };
        Ok(Pending::with_options(&options, submit, |py, job| {
            Ok(job.into_pyobject(py)?.into_any().unbind())
        }))
    }

    /// Runs `sql`; answers a stream of the last statement's record batches, of
    /// `batch_rows` rows each when given.
    #[pyo3(signature = (sql, options=None, batch_rows=None))]
    fn iter_batches(
        &self,
        sql: String,
        options: Option<Bound<'_, PyDict>>,
        batch_rows: Option<i64>,
    ) -> PyResult<Pending> {
        let batch_rows = args::batch_rows(batch_rows)?;
        let s = self.statement(sql, options.as_ref())?;
        let options = s.call.clone();
        let open = async move {
            let stream = s
                .client
                .stream(&s.sql, &s.submit, &s.call, batch_rows)
                .await?;
            Ok(PyBatchStream::new(stream))
        };
        Ok(Pending::with_options(&options, open, stream_into_py))
    }

    /// The run endpoint's raw body, undecoded (benchmarks' download floor).
    #[pyo3(signature = (sql, options=None))]
    fn run_raw(&self, sql: String, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        let s = self.statement(sql, options.as_ref())?;
        let run = async move { s.client.run_raw(&s.sql, &s.submit).await };
        Ok(Pending::new(run, |py, body| {
            Ok(PyBytes::new(py, &body).into_any().unbind())
        }))
    }

    /// A handle on an already-submitted query, by its id. Sends nothing.
    fn job(&self, id: String) -> PyResult<RoeJob> {
        let job = JobRef::from_id(id).map_err(to_pyerr)?;
        Ok(RoeJob::new(self.client.clone(), job))
    }
}

fn stream_into_py(py: Python<'_>, s: PyBatchStream) -> PyResult<Py<PyAny>> {
    Ok(s.into_pyobject(py)?.into_any().unbind())
}

/// A submitted query and the client that polls it.
#[pyclass(name = "_RoeJob", module = "sqlquarry._native", frozen)]
pub struct RoeJob {
    client: Arc<RoeClient>,
    job: Arc<JobRef>,
    /// The worksheet query id the service gave, if any.
    #[pyo3(get)]
    worksheet_query_id: Option<String>,
    /// The task id the service gave, if any.
    #[pyo3(get)]
    task_id: Option<String>,
}

impl RoeJob {
    fn new(client: Arc<RoeClient>, job: JobRef) -> Self {
        RoeJob {
            worksheet_query_id: job.worksheet_query_id.clone(),
            task_id: job.task_id.clone(),
            client,
            job: Arc::new(job),
        }
    }

    /// A call on this job: `wait` gets the client, the job and the call's options.
    fn call<T: Send + 'static, F>(
        &self,
        options: Option<&Bound<'_, PyDict>>,
        into_py: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
        wait: impl FnOnce(Arc<RoeClient>, Arc<JobRef>, CallOptions) -> F,
    ) -> PyResult<Pending>
    where
        F: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        let options = call_options(options)?;
        let fut = wait(self.client.clone(), self.job.clone(), options.clone());
        Ok(Pending::with_options(&options, fut, into_py))
    }
}

#[pymethods]
impl RoeJob {
    #[getter]
    fn id(&self) -> String {
        self.job.id().to_owned()
    }

    /// Answers the service's status word now.
    fn status(&self) -> Pending {
        let (c, j) = (self.client.clone(), self.job.clone());
        let status = async move { Ok(c.status(&j).await?.status) };
        Pending::new(status, |py, s| Ok(s.into_pyobject(py)?.into_any().unbind()))
    }

    /// Waits for the job; answers the last statement's result.
    #[pyo3(signature = (options=None))]
    fn wait(&self, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        self.call(options.as_ref(), result_into_py, |c, j, o| async move {
            last(c.wait(&j, &o).await?)
        })
    }

    /// Waits for the job; answers every statement's result.
    #[pyo3(signature = (options=None))]
    fn wait_all(&self, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        self.call(options.as_ref(), results_into_py, |c, j, o| async move {
            c.wait(&j, &o).await
        })
    }

    /// Waits for the job; answers a stream of the last statement's record batches, of
    /// `batch_rows` rows each when given.
    #[pyo3(signature = (options=None, batch_rows=None))]
    fn iter_batches(
        &self,
        options: Option<Bound<'_, PyDict>>,
        batch_rows: Option<i64>,
    ) -> PyResult<Pending> {
        let batch_rows = args::batch_rows(batch_rows)?;
        self.call(
            options.as_ref(),
            stream_into_py,
            move |c, j, o| async move {
                Ok(PyBatchStream::new(
                    c.stream_result(&j, &o, batch_rows).await?,
                ))
            },
        )
    }
}
