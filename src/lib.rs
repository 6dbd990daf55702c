//! sqlquarry: run SQL on hosted query services and get Arrow record batches back.
//!
//! `types`, `decode`, `transport` and `providers` are pure Rust; only `python` knows about
//! Python, and this file only wires the modules together and registers the Python module.

pub mod decode;
pub mod error;
pub mod polling;
pub mod providers;
mod python;
pub mod result;
pub mod transport;
pub mod types;

/// jemalloc on Linux (see Cargo.toml for why); other platforms keep the system allocator.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
