//! The only place that knows Python exists: classes, conversions, the runtime bridge.

mod args;
mod decimals;
mod errors;
mod internals;
mod result;
mod roe;
mod runtime;
mod services;
mod stream;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<result::PyQueryResult>()?;
    m.add_class::<result::PolarsStream>()?;
    m.add_class::<roe::PyRoeClient>()?;
    m.add_class::<roe::PyQueryJob>()?;
    m.add_class::<stream::PyBatchStream>()?;
    m.add_class::<services::PySlateoCore>()?;
    m.add_class::<services::PyAiForDatabaseCore>()?;
    m.add_function(wrap_pyfunction!(internals::_decode_roe_body, m)?)?;
    m.add_function(wrap_pyfunction!(internals::_path_segment, m)?)?;
    m.add_function(wrap_pyfunction!(decimals::_decimal_objects, m)?)?;
    Ok(())
}
