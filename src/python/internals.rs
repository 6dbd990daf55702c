//! Private hooks: the in-memory decode floor for benchmarks, and the path-segment rule for
//! the Python resource classes.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;

use crate::providers::roe::decode_body;
use crate::python::errors::to_pyerr;
use crate::python::result::PyQueryResult;

/// Decodes a Roe run-response body already in memory, without the GIL, through the same
/// reader as a response arriving.
#[pyfunction]
#[pyo3(signature = (body, server_timezone="UTC"))]
pub fn _decode_roe_body(
    py: Python<'_>,
    body: PyBackedBytes,
    server_timezone: &str,
) -> PyResult<Vec<PyQueryResult>> {
    let rt = crate::python::runtime::runtime()?;
    let body = bytes::Bytes::from_owner(body);
    let results = py
        .detach(|| rt.block_on(decode_body(body, server_timezone)))
        .map_err(to_pyerr)?;
    results
        .into_iter()
        .map(|r| PyQueryResult::new(py, r))
        .collect()
}

/// An id as one URL path segment (`transport::path::segment`); ValueError when it cannot be.
#[pyfunction]
pub fn _path_segment(id: &str) -> PyResult<String> {
    crate::transport::path::segment(id)
        .map_err(|why| to_pyerr(crate::error::Error::Config(format!("id: {why}"))))
}
