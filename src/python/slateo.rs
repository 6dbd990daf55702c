//! The native core under `sqlquarry.SlateoClient` (python/sqlquarry/slateo.py): each
//! operation returns one `Pending` call, run by the facade as a blocking method or as its
//! `_async` coroutine twin.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::providers::options::CallOptions;
use crate::providers::slateo::SlateoClient;
use crate::python::args::{call_options, env_var, service_client};
use crate::python::json::{self, JsonEndpoints};
use crate::python::pending::Pending;
use crate::python::result::result_into_py;

#[pyclass(name = "_SlateoCore", module = "sqlquarry._native", frozen)]
pub struct SlateoCore {
    client: Arc<SlateoClient>,
}

#[pymethods]
impl SlateoCore {
    #[new]
    #[pyo3(signature = (api_key, settings))]
    fn new(api_key: Option<String>, settings: Option<Bound<'_, PyDict>>) -> PyResult<Self> {
        let client = service_client(api_key, settings.as_ref(), |o| {
            SlateoClient::new(o, env_var)
        })?;
        Ok(SlateoCore { client })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// Lists, gets and bookmarks: any JSON endpoint.
    #[getter]
    fn endpoints(&self) -> JsonEndpoints {
        JsonEndpoints::new(self.client.clone(), |c, call| async move {
            Ok(c.call(&call).await?.0)
        })
    }

    /// Answers the latest completed run's rows.
    #[pyo3(signature = (id, options=None))]
    fn result(&self, id: String, options: Option<Bound<'_, PyDict>>) -> PyResult<Pending> {
        let (c, o) = (self.client.clone(), call_options(options.as_ref())?);
        Ok(Pending::with_options(
            &o.clone(),
            async move { c.result(&id, &o).await },
            result_into_py,
        ))
    }

    /// Starts a run (with `parameter_values` for the query's parameters); answers the run.
    #[pyo3(signature = (id, parameter_values=None, options=None))]
    fn refresh(
        &self,
        id: String,
        parameter_values: Option<Bound<'_, PyAny>>,
        options: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Pending> {
        let (c, o, values) = self.run_arguments(parameter_values, options)?;
        Ok(Pending::with_options(
            &o.clone(),
            async move { c.refresh(&id, values.as_ref(), &o).await },
            |py, v| json::to_py(py, &v),
        ))
    }

    /// Refreshes, waits for the run and answers its result.
    #[pyo3(signature = (id, wait_if_running, parameter_values=None, options=None))]
    fn run(
        &self,
        id: String,
        wait_if_running: bool,
        parameter_values: Option<Bound<'_, PyAny>>,
        options: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Pending> {
        let (c, o, values) = self.run_arguments(parameter_values, options)?;
        Ok(Pending::with_options(
            &o.clone(),
            async move { c.run(&id, wait_if_running, values.as_ref(), &o).await },
            result_into_py,
        ))
    }
}

impl SlateoCore {
    /// What a refresh (and so a run) takes to the service: the client, the call options
    /// and the parameter values as JSON.
    fn run_arguments(
        &self,
        parameter_values: Option<Bound<'_, PyAny>>,
        options: Option<Bound<'_, PyDict>>,
    ) -> PyResult<(Arc<SlateoClient>, CallOptions, Option<serde_json::Value>)> {
        let options = call_options(options.as_ref())?;
        let values = json::body(parameter_values.as_ref())?;
        Ok((self.client.clone(), options, values))
    }
}
