//! Service type names -> Arrow types. Pure Rust.

pub mod clickhouse;
pub mod grammar;
pub mod zone;

pub use clickhouse::{column_spec, map_entries, time_unit, ColumnKind, ColumnSpec};
