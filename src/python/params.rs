//! Python values -> parameters to bind (`crate::params`): ints of any size, floats, Decimal,
//! str, bytes, bool, None, date, datetime (aware ones as their UTC instant), UUID, IP
//! addresses, and lists, tuples and dicts of them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString,
    PyTuple,
};

use crate::params::{bind_pyformat, ParamValue, Params};
use crate::python::errors::to_pyerr;

/// `obj` as a value to bind; `name` names it in errors.
pub fn value(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<ParamValue> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(ParamValue::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(ParamValue::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(ParamValue::Int(obj.str()?.to_string()));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(ParamValue::Float(obj.extract()?));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(ParamValue::Str(s.to_str()?.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(ParamValue::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(ParamValue::Bytes(b.to_vec()));
    }
    let is = |module: &str, class: &str| -> PyResult<bool> {
        obj.is_instance(&py.import(module)?.getattr(class)?)
    };
    if is("decimal", "Decimal")? {
        return Ok(ParamValue::Decimal(obj.str()?.to_string()));
    }
    // datetime before date: a datetime is a date too.
    if is("datetime", "datetime")? {
        return datetime(obj);
    }
    if is("datetime", "date")? {
        return Ok(ParamValue::Date(obj.call_method0("isoformat")?.extract()?));
    }
    if is("uuid", "UUID")? {
        return Ok(ParamValue::Uuid(obj.str()?.to_string()));
    }
    if is("ipaddress", "IPv4Address")? || is("ipaddress", "IPv6Address")? {
        return Ok(ParamValue::Ip(obj.str()?.to_string()));
    }
    if obj.hasattr("__index__")? && !obj.is_instance_of::<PyFloat>() {
        // numpy integers and friends
        let n = py.import("operator")?.call_method1("index", (obj,))?;
        return Ok(ParamValue::Int(n.str()?.to_string()));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(ParamValue::Tuple(items(t.iter(), name)?));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(ParamValue::List(items(l.iter(), name)?));
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let entries = m
            .items()?
            .iter()
            .map(|kv| {
                let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = kv.extract()?;
                Ok((value(&k, name)?, value(&v, name)?))
            })
            .collect::<PyResult<_>>()?;
        return Ok(ParamValue::Map(entries));
    }
    let kind = obj.get_type().name()?.to_string();
    Err(PyTypeError::new_err(format!(
        "{name}: a {kind} cannot be a parameter (use int, float, Decimal, str, bytes, bool, \
         None, date, datetime, UUID, an IP address, or a list, tuple or dict of them)"
    )))
}

fn items<'py>(
    it: impl Iterator<Item = Bound<'py, PyAny>>,
    name: &str,
) -> PyResult<Vec<ParamValue>> {
    it.map(|x| value(&x, name)).collect()
}

/// A datetime: an aware one as its UTC wall time (exact, nanoseconds kept for pandas'
/// Timestamp), a naive one as written (marked, since most uses refuse it).
fn datetime(obj: &Bound<'_, PyAny>) -> PyResult<ParamValue> {
    let py = obj.py();
    let aware = !obj.call_method0("utcoffset")?.is_none();
    let wall = if aware {
        let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", py.None())?;
        obj.call_method1("astimezone", (utc,))?
            .call_method("replace", (), Some(&kwargs))?
    } else {
        obj.clone()
    };
    let text: String = wall.call_method1("isoformat", (" ",))?.extract()?;
    Ok(ParamValue::DateTime { text, aware })
}

/// `{name: value}` parameters for `{name:Type}` placeholders.
pub fn named(params: &Bound<'_, PyAny>) -> PyResult<Vec<(String, ParamValue)>> {
    let m = params
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("parameters must be a mapping of names to values"))?;
    m.items()?
        .iter()
        .map(|kv| {
            let (k, v): (String, Bound<'_, PyAny>) = kv.extract()?;
            let value = value(&v, &format!("parameter '{k}'"))?;
            Ok((k, value))
        })
        .collect()
}

/// DB-API's `sql % params` done safely (`paramstyle = "pyformat"`): a mapping fills
/// `%(name)s`, a sequence `%s`; None leaves the SQL as it is.
#[pyfunction]
#[pyo3(signature = (sql, params=None))]
pub fn _bind_pyformat(sql: &str, params: Option<Bound<'_, PyAny>>) -> PyResult<String> {
    let params = match params.filter(|p| !p.is_none()) {
        None => None,
        Some(p) if p.cast::<PyMapping>().is_ok() => Some(Params::Named(named(&p)?)),
        Some(p) if p.is_instance_of::<PyString>() || p.is_instance_of::<PyBytes>() => {
            return Err(PyTypeError::new_err(
                "parameters must be a mapping or a sequence (a string is neither: wrap it in \
                 a tuple)",
            ))
        }
        Some(p) => {
            let seq = p
                .cast::<PySequence>()
                .map_err(|_| PyTypeError::new_err("parameters must be a mapping or a sequence"))?;
            let values = (0..seq.len()?)
                .map(|i| value(&seq.get_item(i)?, &format!("parameter {}", i + 1)))
                .collect::<PyResult<_>>()?;
            Some(Params::Positional(values))
        }
    };
    bind_pyformat(sql, params.as_ref()).map_err(to_pyerr)
}
