//! One module per hosted service: endpoints, response shapes, polling. Pure Rust.

pub mod aifordb;
pub mod options;
pub mod rest;
pub mod roe;
pub mod settings;
pub mod slateo;
