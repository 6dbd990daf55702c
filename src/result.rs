//! The answer to one SQL statement, whichever service ran it: Arrow batches plus what the
//! service said about them.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ListArray, MapArray, RecordBatch, StructArray};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Schema, SchemaRef};

use crate::decode::{decode, schema_of, Rows, DEFAULT_BATCH_ROWS};
use crate::error::{Error, Result};
use crate::types::ColumnSpec;

#[derive(Debug, Clone)]
pub struct QueryResult {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub column_names: Vec<String>,
    /// The service's own type names, verbatim.
    pub column_types: Vec<String>,
    pub query_id: Option<String>,
    pub sql: Option<String>,
    /// The service's statistics object as JSON text (Roe: ClickHouse's summary).
    pub summary_json: Option<String>,
    pub start_timestamp: Option<f64>,
    pub end_timestamp: Option<f64>,
    /// Milliseconds the service says the query took, when it says it that way.
    pub execution_time_ms: Option<f64>,
    /// Things the caller should hear about but that did not fail the query
    /// (a type we could not map, so the column came back as text).
    pub warnings: Vec<String>,
}

impl QueryResult {
    /// Decodes `rows` with `columns`; errors carry `query_id`.
    pub fn decode(columns: Vec<ColumnSpec>, rows: Rows, query_id: Option<String>) -> Result<Self> {
        let batches = decode(rows, &columns, DEFAULT_BATCH_ROWS);
        let batches = batches.map_err(|mut e| {
            e.query_id.clone_from(&query_id);
            Error::Decode(e)
        })?;
        Ok(QueryResult {
            schema: schema_of(&columns),
            batches,
            column_names: columns.iter().map(|c| c.name.clone()).collect(),
            column_types: columns.iter().map(|c| c.declared.clone()).collect(),
            warnings: columns.iter().filter_map(|c| c.warning.clone()).collect(),
            query_id,
            sql: None,
            summary_json: None,
            start_timestamp: None,
            end_timestamp: None,
            execution_time_ms: None,
        })
    }

    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}

/// The type polars can import in place of `dt`, at any depth: decimal256 (decimals wider
/// than 38 digits, 128-bit integers) becomes its exact text, since polars' Arrow import
/// panics on it. None when `dt` imports as it is.
fn polars_type(dt: &DataType) -> Option<DataType> {
    let field =
        |f: &FieldRef| polars_type(f.data_type()).map(|t| f.as_ref().clone().with_data_type(t));
    match dt {
        DataType::Decimal256(..) => Some(DataType::Utf8),
        DataType::List(item) => field(item).map(|f| DataType::List(Arc::new(f))),
        DataType::LargeList(item) => field(item).map(|f| DataType::LargeList(Arc::new(f))),
        DataType::FixedSizeList(item, n) => {
            field(item).map(|f| DataType::FixedSizeList(Arc::new(f), *n))
        }
        DataType::Map(entries, sorted) => {
            field(entries).map(|f| DataType::Map(Arc::new(f), *sorted))
        }
        DataType::Struct(fields) => {
            let changed: Vec<Option<Field>> = fields.iter().map(field).collect();
            changed.iter().any(Option::is_some).then(|| {
                DataType::Struct(
                    fields
                        .iter()
                        .zip(changed)
                        .map(|(f, c)| c.unwrap_or_else(|| f.as_ref().clone()))
                        .collect(),
                )
            })
        }
        _ => None,
    }
}

/// `schema` and `batches` with every column polars cannot import (see `polars_type`) cast
/// to one it can, at any depth.
pub fn polars_compatible(
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(SchemaRef, Vec<RecordBatch>), ArrowError> {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match polars_type(f.data_type()) {
            Some(t) => f.as_ref().clone().with_data_type(t),
            None => f.as_ref().clone(),
        })
        .collect();
    let out_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    if out_schema == *schema {
        return Ok((schema.clone(), batches.to_vec()));
    }
    let out = batches
        .iter()
        .map(|b| {
            let cols = b
                .columns()
                .iter()
                .zip(out_schema.fields())
                .map(|(c, f)| cast_to(c, f.data_type()))
                .collect::<Result<Vec<_>, _>>()?;
            RecordBatch::try_new(out_schema.clone(), cols)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((out_schema, out))
}

/// `array` as `to`, which differs from its type only where `polars_type` changed it. Maps
/// are rebuilt around their cast entries (Arrow's cast does not convert map values).
fn cast_to(array: &ArrayRef, to: &DataType) -> Result<ArrayRef, ArrowError> {
    if array.data_type() == to {
        return Ok(array.clone());
    }
    match to {
        DataType::Map(entries, sorted) => {
            let map = array.as_map();
            let DataType::Struct(fields) = entries.data_type() else {
                return Err(ArrowError::CastError("map entries are not a struct".into()));
            };
            let columns = map
                .entries()
                .columns()
                .iter()
                .zip(fields)
                .map(|(c, f)| cast_to(c, f.data_type()))
                .collect::<Result<Vec<_>, _>>()?;
            let entries_array = StructArray::try_new(fields.clone(), columns, None)?;
            Ok(Arc::new(MapArray::try_new(
                entries.clone(),
                map.offsets().clone(),
                entries_array,
                map.nulls().cloned(),
                *sorted,
            )?))
        }
        DataType::Struct(fields) => {
            let st = array.as_struct();
            let columns = st
                .columns()
                .iter()
                .zip(fields)
                .map(|(c, f)| cast_to(c, f.data_type()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Arc::new(StructArray::try_new(
                fields.clone(),
                columns,
                st.nulls().cloned(),
            )?))
        }
        DataType::List(item) => {
            let list = array.as_list::<i32>();
            Ok(Arc::new(ListArray::try_new(
                item.clone(),
                list.offsets().clone(),
                cast_to(list.values(), item.data_type())?,
                list.nulls().cloned(),
            )?))
        }
        _ => arrow_cast::cast(array, to),
    }
}
