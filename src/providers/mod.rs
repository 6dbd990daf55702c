//! One module per hosted service: endpoints, response shapes, polling. Pure Rust.

pub mod roe;
