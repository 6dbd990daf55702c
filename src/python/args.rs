//! Arguments from Python that need more than a type check: numbers of seconds, and the
//! options and settings every service shares, each read in one place.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use crate::providers::options::CallOptions;
use crate::providers::settings::CommonOptions;
use crate::transport::NetworkOptions;

use crate::python::errors::to_pyerr;
use crate::python::progress;
use crate::seconds;

/// A timeout argument: None, or a number of seconds (int, float or `datetime.timedelta`)
/// checked by `seconds::timeout` (positive; clamped to a year).
pub fn timeout(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Duration>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let secs = if v.is_instance_of::<PyBool>() {
        return Err(type_error(name, v));
    } else if let Ok(total) = v.getattr("total_seconds") {
        // datetime.timedelta (and pandas' Timedelta)
        total.call0()?.extract::<f64>()?
    } else {
        match v.extract::<f64>() {
            Ok(s) => s,
            // An int too large for a float: clamped like any huge value (or refused if < 0).
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(v.py()) => {
                if v.lt(0)? {
                    -f64::MAX
                } else {
                    f64::MAX
                }
            }
            Err(_) => return Err(type_error(name, v)),
        }
    };
    seconds::timeout(secs, name).map(Some).map_err(to_pyerr)
}

fn type_error(name: &str, v: &Bound<'_, PyAny>) -> PyErr {
    wrong_type(
        name,
        v,
        "a number of seconds (int, float or datetime.timedelta) or None",
    )
}

/// A dict's item, None when absent (or None).
fn item<'py>(dict: Option<&Bound<'py, PyDict>>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match dict {
        Some(d) => Ok(d.get_item(key)?.filter(|v| !v.is_none())),
        None => Ok(None),
    }
}

/// The options every query call takes, as the Python facades collect them
/// (`sqlquarry._options.CallOptions`): a new one is read here, once for all services.
pub fn call_options(options: Option<&Bound<'_, PyDict>>) -> PyResult<CallOptions> {
    Ok(CallOptions {
        timeout: timeout("timeout", item(options, "timeout")?.as_ref())?,
        progress: progress::from_option(item(options, "progress")?.as_ref())?,
    })
}

/// The settings every client takes (`sqlquarry._options.ClientSettings`).
pub fn client_settings(
    api_key: Option<String>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<CommonOptions> {
    let max_retries = match item(settings, "max_retries")? {
        None => None,
        Some(v) if v.is_instance_of::<PyBool>() => {
            return Err(wrong_type("max_retries", &v, "a whole number"))
        }
        Some(v) => Some(
            v.extract::<i64>()
                .map_err(|_| wrong_type("max_retries", &v, "a whole number"))?,
        ),
    };
    let max_retries = max_retries
        .map(|n| {
            u32::try_from(n).map_err(|_| {
                to_pyerr(crate::error::Error::Config(format!(
                    "max_retries must be a whole number from 0 to {}, got {n}",
                    u32::MAX
                )))
            })
        })
        .transpose()?;
    Ok(CommonOptions {
        api_key,
        base_url: text(settings, "base_url")?,
        timeout: timeout("timeout", item(settings, "timeout")?.as_ref())?,
        max_retries,
        allow_insecure_http: item(settings, "allow_insecure_http")?
            .map(|v| v.is_truthy())
            .transpose()?
            .unwrap_or(false),
        network: network(settings)?,
    })
}

/// The proxy, roots and client certificate settings (`verify=False` warns in the facade).
fn network(settings: Option<&Bound<'_, PyDict>>) -> PyResult<NetworkOptions> {
    let verify = match item(settings, "verify")? {
        None => true,
        Some(v) if v.is_instance_of::<PyBool>() => v.is_truthy()?,
        Some(v) => {
            return Err(wrong_type(
                "verify",
                &v,
                "True or False (ca_cert= takes a path)",
            ))
        }
    };
    Ok(NetworkOptions {
        proxy: text(settings, "proxy")?,
        ca_cert: path(settings, "ca_cert")?,
        verify,
        client_cert: path(settings, "client_cert")?,
        client_key: path(settings, "client_key")?,
    })
}

/// A path setting (str or os.PathLike), None when absent.
fn path(settings: Option<&Bound<'_, PyDict>>, name: &str) -> PyResult<Option<std::path::PathBuf>> {
    item(settings, name)?
        .map(|v| {
            v.extract()
                .map_err(|_| wrong_type(name, &v, "a path (str or os.PathLike) or None"))
        })
        .transpose()
}

/// A text setting, None when absent.
pub fn text(settings: Option<&Bound<'_, PyDict>>, name: &str) -> PyResult<Option<String>> {
    item(settings, name)?
        .map(|v| {
            v.extract::<String>()
                .map_err(|_| wrong_type(name, &v, "a string or None"))
        })
        .transpose()
}

fn wrong_type(name: &str, v: &Bound<'_, PyAny>, accepts: &str) -> PyErr {
    let got = v
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".into());
    let kind = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    PyTypeError::new_err(format!("{name} must be {accepts}, got {kind} {got}"))
}

/// The process's environment, where settings not given as arguments come from.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A service's client from the settings every client takes: `make` builds it from them.
pub fn service_client<C>(
    api_key: Option<String>,
    settings: Option<&Bound<'_, PyDict>>,
    make: impl FnOnce(CommonOptions) -> crate::error::Result<C>,
) -> PyResult<std::sync::Arc<C>> {
    let client = make(client_settings(api_key, settings)?).map_err(to_pyerr)?;
    Ok(std::sync::Arc::new(client))
}

/// `iter_batches`'s batch size: None (as decoded) or a positive number of rows.
pub fn batch_rows(value: Option<i64>) -> PyResult<Option<usize>> {
    match value {
        None => Ok(None),
        Some(n) if n > 0 => Ok(usize::try_from(n).ok()),
        Some(n) => Err(to_pyerr(crate::error::Error::Config(format!(
            "batch_rows must be a positive number of rows; got {n}"
        )))),
    }
}
