//! sqlquarry: run SQL on hosted query services and get Arrow record batches back.
//!
//! `types`, `decode`, `transport` and `providers` are pure Rust; only `python` knows about
//! Python, and this file only wires the modules together and registers the Python module.

pub mod blocking;
pub mod decode;
pub mod error;
pub mod events;
pub mod params;
pub mod polling;
pub mod preview;
pub mod progress;
pub mod providers;
mod python;
pub mod result;
pub mod seconds;
pub mod secrets;
pub mod transport;
pub mod types;

/// jemalloc on x86-64 Linux (see Cargo.toml for why); elsewhere the system allocator.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
