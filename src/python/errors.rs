//! Rust errors -> the Python exception tree defined in `sqlquarry/exceptions.py`.
//!
//! The classes live in Python so they can have several bases (our `TimeoutError` is also
//! the builtin one) and keyword attributes; here we only pick the class and fill the
//! attributes. Messages never contain credentials: the core never puts them there.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{ApiErrorKind, Error, RateLimit, RequestContext};

pub fn to_pyerr(e: Error) -> PyErr {
    let e = e.redacted();
    Python::attach(|py| build(py, &e).unwrap_or_else(|import_failed| import_failed))
}

fn class_name(e: &Error) -> &'static str {
    match e {
        // AI for Database answers failed SQL with 500 `query_error`: a failed query, like
        // the other services' failures, not a broken server.
        Error::Api { info, .. } if info.code.as_deref() == Some("query_error") => "QueryError",
        Error::Api { kind, .. } => match kind {
            ApiErrorKind::Authentication => "AuthenticationError",
            ApiErrorKind::Permission => "PermissionDeniedError",
            ApiErrorKind::NotFound => "NotFoundError",
            ApiErrorKind::Conflict => "ConflictError",
            ApiErrorKind::BadRequest => "BadRequestError",
            ApiErrorKind::RateLimited => "RateLimitError",
            ApiErrorKind::Server => "ServerError",
            ApiErrorKind::Redirect | ApiErrorKind::Other => "APIError",
        },
        Error::QueryFailed { .. } => "QueryError",
        Error::Timeout { .. } => "TimeoutError",
        Error::Decode(_) => "DecodeError",
        Error::Transport { .. } => "TransportError",
        Error::Config(_) => "ConfigurationError",
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

/// `X-RateLimit-*` headers as a dict (`limit`, `remaining`, `reset`).
pub fn rate_limit_dict<'py>(py: Python<'py>, rl: &RateLimit) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("limit", rl.limit)?;
    d.set_item("remaining", rl.remaining)?;
    d.set_item("reset", rl.reset)?;
    Ok(d)
}

fn build(py: Python<'_>, e: &Error) -> Result<PyErr, PyErr> {
    let module = py.import("sqlquarry.exceptions")?;
    let class = module.getattr(class_name(e))?;
    let kw = PyDict::new(py);
    match e {
        Error::Api {
            status, info, ctx, ..
        } => {
            put_context(&kw, ctx)?;
            kw.set_item("status", status)?;
            kw.set_item("code", &info.code)?;
            kw.set_item("retry_after", info.retry_after)?;
            kw.set_item("server_message", &info.message)?;
            kw.set_item("documentation_url", &info.documentation_url)?;
            let details = match &info.details {
                Some(text) => py.import("json")?.getattr("loads")?.call1((text,))?,
                None => py.None().into_bound(py),
            };
            kw.set_item("details", details)?;
        }
        Error::QueryFailed {
            status,
            message,
            ctx,
        } => {
            put_context(&kw, ctx)?;
            kw.set_item("status", status)?;
            kw.set_item("server_message", message)?;
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
    let instance = class.call((e.to_string(),), Some(&kw))?;
    Ok(PyErr::from_value(instance))
}
