//! The answer to one SQL statement, whichever service ran it: Arrow batches plus what the
//! service said about them.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

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

/// `schema` and `batches` with every decimal256 column cast to its exact decimal text, for
/// consumers that cannot import decimal256.
pub fn decimal256_as_text(
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(SchemaRef, Vec<RecordBatch>), ArrowError> {
    let wide = |f: &Field| matches!(f.data_type(), DataType::Decimal256(..));
    if !schema.fields().iter().any(|f| wide(f)) {
        return Ok((schema.clone(), batches.to_vec()));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let f = f.as_ref().clone();
            if wide(&f) {
                f.with_data_type(DataType::Utf8)
            } else {
                f
            }
        })
        .collect();
    let out_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let out = batches
        .iter()
        .map(|b| {
            let cols = b
                .columns()
                .iter()
                .zip(out_schema.fields())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        Ok(c.clone())
                    } else {
                        arrow_cast::cast(c, f.data_type())
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            RecordBatch::try_new(out_schema.clone(), cols)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((out_schema, out))
}
