//! The native core under `sqlquarry.AIForDatabaseClient` (python/sqlquarry/aifordb.py):
//! each operation returns one `Pending` call, run by the facade as a blocking method or as
//! its `_async` coroutine twin.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::providers::aifordb::AiForDatabaseClient;
use crate::python::args::{call_options, env_var, service_client};
use crate::python::errors::rate_limit_dict;
use crate::python::json::JsonEndpoints;
use crate::python::pending::Pending;
use crate::python::result::result_into_py;

#[pyclass(name = "_AIForDatabaseCore", module = "sqlquarry._native", frozen)]
pub struct AiForDatabaseCore {
    client: Arc<AiForDatabaseClient>,
}

#[pymethods]
impl AiForDatabaseCore {
    #[new]
    #[pyo3(signature = (api_key, settings))]
    fn new(api_key: Option<String>, settings: Option<Bound<'_, PyDict>>) -> PyResult<Self> {
        let client = service_client(api_key, settings.as_ref(), |o| {
            AiForDatabaseClient::new(o, env_var)
        })?;
        Ok(AiForDatabaseCore { client })
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

    #[getter]
    fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// Saved queries, dashboards, workflows, connections and team: any JSON endpoint
    /// (answers keep their `{data, meta}` envelope).
    #[getter]
    fn endpoints(&self) -> JsonEndpoints {
        JsonEndpoints::new(
            self.client.clone(),
            |c, call| async move { c.call(&call).await },
        )
    }

    /// Asks in plain language; answers the rows with inferred types.
    #[pyo3(signature = (question, connection_id, format, options=None))]
    fn ask(
        &self,
        question: String,
        connection_id: String,
        format: String,
        options: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Pending> {
        let (c, o) = (self.client.clone(), call_options(options.as_ref())?);
        Ok(Pending::with_options(
            &o.clone(),
            async move { c.ask(&question, &connection_id, &format, &o).await },
            result_into_py,
        ))
    }
}
