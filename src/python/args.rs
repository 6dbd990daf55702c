//! Arguments from Python that need more than a type check: numbers of seconds.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBool;

use crate::python::errors::to_pyerr;
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
    let got = v
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".into());
    let kind = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    PyTypeError::new_err(format!(
        "{name} must be a number of seconds (int, float or datetime.timedelta) or None, \
         got {kind} {got}"
    ))
}
