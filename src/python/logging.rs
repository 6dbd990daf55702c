//! The bridge from the core's log records (`events.rs`) to Python's `logging` (pyo3-log).
//! Logger levels are cached on the Rust side, so a disabled level costs no GIL; the cache
//! is dropped at the start of every call, so a level the user changes between calls
//! (`logging.basicConfig(level=logging.DEBUG)` in a notebook cell, say) takes effect on
//! the next one.

use std::sync::OnceLock;

use log::LevelFilter;
use pyo3::prelude::*;
use pyo3_log::{Caching, Logger, ResetHandle};

use crate::events::TARGETS;

static HANDLE: OnceLock<ResetHandle> = OnceLock::new();

/// Installs the bridge (once, from the module's init): everything under `sqlquarry.*`, and
/// only warnings from the libraries below (reqwest, rustls), whose debug records are noise
/// to a user.
pub fn install(py: Python<'_>) -> PyResult<()> {
    let mut logger = Logger::new(py, Caching::LoggersAndLevels)?.filter(LevelFilter::Warn);
    for target in TARGETS {
        logger = logger.filter_target(target.to_owned(), LevelFilter::Debug);
    }
    // Err: a logger is installed already (this module imported twice): it serves as well.
    if let Ok(handle) = logger.install() {
        let _ = HANDLE.set(handle);
    }
    Ok(())
}

/// Forgets the cached logger levels.
pub fn refresh() {
    if let Some(h) = HANDLE.get() {
        h.reset();
    }
}
