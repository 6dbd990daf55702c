//! The resource endpoints (lists, gets, creates, ...) of a service, for the Python
//! collections (python/sqlquarry/_resources.py): request bodies from Python objects and
//! answers as Python objects, with no JSON text in between.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use serde_json::Value;

use crate::error::Result;
use crate::providers::rest::JsonCall;
use crate::python::errors::to_pyerr;
use crate::python::pending::Pending;

type SendCall =
    Arc<dyn Fn(JsonCall) -> Pin<Box<dyn Future<Output = Result<Value>> + Send>> + Send + Sync>;

/// A service's JSON endpoints: one `request`, whichever service is behind it.
#[pyclass(name = "_JsonEndpoints", module = "sqlquarry._native", frozen)]
pub struct JsonEndpoints {
    send: SendCall,
}

impl JsonEndpoints {
    /// The endpoints of `service`, which `send` sends one call to.
    pub fn new<S, F>(service: Arc<S>, send: fn(Arc<S>, JsonCall) -> F) -> Self
    where
        S: Send + Sync + 'static,
        F: Future<Output = Result<Value>> + Send + 'static,
    {
        JsonEndpoints {
            send: Arc::new(move |call| Box::pin(send(service.clone(), call))),
        }
    }
}

#[pymethods]
impl JsonEndpoints {
    /// Any JSON endpoint; answers the response body as Python objects.
    #[pyo3(signature = (method, path, query=None, body=None))]
    fn request(
        &self,
        method: &str,
        path: &str,
        query: Option<Vec<(String, String)>>,
        body: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Pending> {
        let body = self::body(body.as_ref())?;
        let call =
            JsonCall::new(method, path, query.unwrap_or_default(), body).map_err(to_pyerr)?;
        Ok(Pending::new((self.send)(call), |py, v| to_py(py, &v)))
    }
}

/// A request body from a Python object (dicts, lists, str, numbers, bools, None).
pub fn body(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Value>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => pythonize::depythonize(o).map(Some).map_err(|e| {
            PyTypeError::new_err(format!("the request body cannot be sent as JSON: {e}"))
        }),
    }
}

/// An answer as Python objects.
pub fn to_py(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(pythonize::pythonize(py, v)?.unbind())
}
