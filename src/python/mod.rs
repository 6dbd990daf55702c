//! The only place that knows Python exists: the native cores under the Python facades
//! (python/sqlquarry/), results, streams, conversions and the runtime bridge.

mod aifordb;
mod args;
mod decimals;
mod errors;
mod internals;
mod json;
mod logging;
mod params;
mod pending;
mod progress;
mod result;
mod roe;
mod runtime;
mod slateo;
mod stream;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Resolved once, here: raising an error never imports anything.
    errors::load_classes(m.py())?;
    logging::install(m.py())?;
    m.add_function(wrap_pyfunction!(runtime::_settle_before_exit, m)?)?;
    let settle = m.getattr("_settle_before_exit")?;
    m.py()
        .import("atexit")?
        .call_method1("register", (settle,))?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<result::PyQueryResult>()?;
    m.add_class::<stream::PyBatchStream>()?;
    m.add_class::<pending::Pending>()?;
    m.add_class::<json::JsonEndpoints>()?;
    m.add_class::<roe::RoeCore>()?;
    m.add_class::<roe::RoeJob>()?;
    m.add_class::<slateo::SlateoCore>()?;
    m.add_class::<aifordb::AiForDatabaseCore>()?;
    m.add_function(wrap_pyfunction!(internals::_decode_roe_body, m)?)?;
    m.add_function(wrap_pyfunction!(internals::_path_segment, m)?)?;
    m.add_function(wrap_pyfunction!(params::_bind_pyformat, m)?)?;
    m.add_function(wrap_pyfunction!(result::_result_from_ipc, m)?)?;
    m.add_function(wrap_pyfunction!(decimals::_decimal_objects, m)?)?;
    Ok(())
}
