//! Rust errors -> the Python exception tree defined in `sqlquarry/exceptions.py`.
//!
//! The classes live in Python so they can have several bases (our `TimeoutError` is also
//! the builtin one) and keyword attributes. They are looked up once, when the native module
//! is imported (`load_classes`): a raise never imports anything, so it cannot replace the
//! user's error with an import failure. Which class an error gets is decided where it
//! arose (the provider); here the variant only names it. Every error is redacted of the
//! clients' keys on its way out (`Error::redacted`).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

use crate::error::{ApiErrorInfo, ApiErrorKind, Error, RateLimit, RequestContext};

/// The exception classes, in `ClassId` order.
static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

#[derive(Clone, Copy)]
enum ClassId {
    Api,
    Authentication,
    PermissionDenied,
    NotFound,
    Conflict,
    BadRequest,
    RateLimit,
    Server,
    InsufficientCredits,
    Query,
    Timeout,
    Decode,
    Transport,
    Configuration,
    TypeWarning,
}

const CLASS_NAMES: [&str; 15] = [
    "APIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "BadRequestError",
    "RateLimitError",
    "ServerError",
    "InsufficientCreditsError",
    "QueryError",
    "TimeoutError",
    "DecodeError",
    "TransportError",
    "ConfigurationError",
    "TypeWarning",
];

/// Looks the classes up in `sqlquarry.exceptions`; called once, from the module's init.
pub fn load_classes(py: Python<'_>) -> PyResult<()> {
    let module = py.import("sqlquarry.exceptions")?;
    let classes = CLASS_NAMES
        .iter()
        .map(|name| Ok(module.getattr(*name)?.cast_into::<PyType>()?.unbind()))
        .collect::<PyResult<Vec<_>>>()?;
    let _ = CLASSES.set(py, classes);
    Ok(())
}

fn class(py: Python<'_>, id: ClassId) -> PyResult<&Bound<'_, PyType>> {
    let classes = CLASSES.get(py).ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("sqlquarry's exception classes are not loaded")
    })?;
    Ok(classes[id as usize].bind(py))
}

/// The category of `sqlquarry.TypeWarning`, for `warnings.warn`.
pub fn type_warning(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    class(py, ClassId::TypeWarning)
}

pub fn to_pyerr(e: Error) -> PyErr {
    let e = e.redacted();
    Python::attach(|py| build(py, &e).unwrap_or_else(|failed| failed))
}

fn class_id(e: &Error) -> ClassId {
    match e {
        Error::Api { kind, .. } => match kind {
            ApiErrorKind::Authentication => ClassId::Authentication,
            ApiErrorKind::Permission => ClassId::PermissionDenied,
            ApiErrorKind::NotFound => ClassId::NotFound,
            ApiErrorKind::Conflict => ClassId::Conflict,
            ApiErrorKind::BadRequest => ClassId::BadRequest,
            ApiErrorKind::RateLimited => ClassId::RateLimit,
            ApiErrorKind::Server => ClassId::Server,
            ApiErrorKind::InsufficientCredits => ClassId::InsufficientCredits,
            ApiErrorKind::Redirect | ApiErrorKind::Other => ClassId::Api,
        },
        Error::QueryFailed { .. } => ClassId::Query,
        Error::Timeout { .. } => ClassId::Timeout,
        Error::Decode(_) => ClassId::Decode,
        Error::Transport { .. } => ClassId::Transport,
        Error::Config(_) => ClassId::Configuration,
    }
}

fn put_context(kw: &Bound<'_, PyDict>, ctx: &RequestContext) -> PyResult<()> {
    kw.set_item("service", ctx.service)?;
    kw.set_item("method", &ctx.method)?;
    kw.set_item("path", &ctx.path)?;
    kw.set_item("request_id", &ctx.request_id)?;
    kw.set_item("query_id", &ctx.query_id)?;
    if let Some(rl) = &ctx.rate_limit {
        kw.set_item("rate_limit", rate_limit_dict(kw.py(), rl)?)?;
    }
    Ok(())
}

/// What the service said: its message, code, details and documentation link.
fn put_info(kw: &Bound<'_, PyDict>, info: &ApiErrorInfo) -> PyResult<()> {
    let py = kw.py();
    kw.set_item("server_message", &info.message)?;
    kw.set_item("code", &info.code)?;
    kw.set_item("documentation_url", &info.documentation_url)?;
    let details = match &info.details {
        Some(text) => py.import("json")?.getattr("loads")?.call1((text,))?,
        None => py.None().into_bound(py),
    };
    kw.set_item("details", details)
}

/// `X-RateLimit-*` headers as a dict (`limit`, `remaining`, `reset`).
pub fn rate_limit_dict<'py>(py: Python<'py>, rl: &RateLimit) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("limit", rl.limit)?;
    d.set_item("remaining", rl.remaining)?;
    d.set_item("reset", rl.reset)?;
    Ok(d)
}

fn build(py: Python<'_>, e: &Error) -> Result<PyErr, PyErr> {
    let kw = PyDict::new(py);
    match e {
        Error::Api {
            status, info, ctx, ..
        } => {
            put_context(&kw, ctx)?;
            put_info(&kw, info)?;
            kw.set_item("status", status)?;
            kw.set_item("retry_after", info.retry_after)?;
        }
        Error::QueryFailed { status, info, ctx } => {
            put_context(&kw, ctx)?;
            put_info(&kw, info)?;
            kw.set_item("status", status)?;
        }
        Error::Timeout { waited, ctx, .. } => {
            put_context(&kw, ctx)?;
            kw.set_item("waited", waited.as_secs_f64())?;
        }
        Error::Transport { ctx, .. } => put_context(&kw, ctx)?,
        Error::Decode(d) => {
            kw.set_item("row", d.row)?;
            kw.set_item("column", &d.column)?;
            kw.set_item("column_type", &d.column_type)?;
            kw.set_item("value", &d.excerpt)?;
            kw.set_item("query_id", &d.query_id)?;
        }
        Error::Config(_) => {}
    }
    let instance = class(py, class_id(e))?.call((e.to_string(),), Some(&kw))?;
    Ok(PyErr::from_value(instance))
}
