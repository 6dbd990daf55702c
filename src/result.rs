//! The answer to one SQL statement, whichever service ran it: Arrow batches plus what the
//! service said about them.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ListArray, MapArray, RecordBatch, StructArray};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Schema, SchemaRef};

use crate::decode::{decode, schema_of, Rows, DEFAULT_BATCH_ROWS};
use crate::error::{Error, Result};
use crate::types::ColumnSpec;

#[derive(Debug, Clone, PartialEq)]
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

    /// The whole result as one Arrow IPC stream: the batches, with everything else the
    /// service said in the schema's metadata (how a result pickles).
    pub fn to_ipc(&self) -> Result<Vec<u8>> {
        let meta = IpcMeta {
            column_types: self.column_types.clone(),
            query_id: self.query_id.clone(),
            sql: self.sql.clone(),
            summary_json: self.summary_json.clone(),
            start_timestamp: self.start_timestamp,
            end_timestamp: self.end_timestamp,
            execution_time_ms: self.execution_time_ms,
            warnings: self.warnings.clone(),
        };
        let mut metadata = self.schema.metadata().clone();
        metadata.insert(
            IPC_META_KEY.into(),
            serde_json::to_string(&meta).map_err(ipc_error)?,
        );
        let schema = Arc::new(self.schema.as_ref().clone().with_metadata(metadata));
        let mut out = Vec::new();
        let mut writer =
            arrow_ipc::writer::StreamWriter::try_new(&mut out, &schema).map_err(ipc_error)?;
        for b in &self.batches {
            let b =
                RecordBatch::try_new(schema.clone(), b.columns().to_vec()).map_err(ipc_error)?;
            writer.write(&b).map_err(ipc_error)?;
        }
        writer.finish().map_err(ipc_error)?;
        drop(writer);
        Ok(out)
    }

    /// A result from `to_ipc`'s bytes.
    pub fn from_ipc(bytes: &[u8]) -> Result<Self> {
        let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None)
            .map_err(ipc_error)?;
        let mut schema = reader.schema().as_ref().clone();
        let meta: IpcMeta = schema
            .metadata
            .remove(IPC_META_KEY)
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(ipc_error)?
            .ok_or_else(|| Error::decode("not a pickled sqlquarry result"))?;
        let schema = Arc::new(schema);
        let batches = reader
            .map(|b| b.and_then(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec())))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ipc_error)?;
        Ok(QueryResult {
            column_names: schema.fields().iter().map(|f| f.name().clone()).collect(),
            schema,
            batches,
            column_types: meta.column_types,
            query_id: meta.query_id,
            sql: meta.sql,
            summary_json: meta.summary_json,
            start_timestamp: meta.start_timestamp,
            end_timestamp: meta.end_timestamp,
            execution_time_ms: meta.execution_time_ms,
            warnings: meta.warnings,
        })
    }
}

/// Where `to_ipc` keeps a result's metadata in the stream's schema.
const IPC_META_KEY: &str = "sqlquarry.result";

#[derive(serde::Serialize, serde::Deserialize)]
struct IpcMeta {
    column_types: Vec<String>,
    query_id: Option<String>,
    sql: Option<String>,
    summary_json: Option<String>,
    start_timestamp: Option<f64>,
    end_timestamp: Option<f64>,
    execution_time_ms: Option<f64>,
    warnings: Vec<String>,
}

fn ipc_error(e: impl std::fmt::Display) -> Error {
    Error::decode(format!("a result's Arrow IPC stream: {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_survives_its_ipc_stream() {
        let body = r#"[{"query_id": "q1", "query": "SELECT", "summary": {"read_rows": 3},
            "start_timestamp": 1.5, "end_timestamp": 2.25,
            "column_names": ["d", "t", "n", "m"],
            "column_types": ["Decimal(38, 4)", "DateTime64(3, 'Asia/Tokyo')",
                             "Nullable(Tuple(a Int8, `b c` Array(String)))", "Mystery"],
            "result_rows": [["1.5", "2024-01-01 00:00:00.5", [1, ["x"]], "?"],
                            ["-2", "2024-01-02 00:00:00", null, "!"]]}]"#;
        let r = crate::providers::roe::decode_run_body(body.as_bytes().to_vec(), "UTC")
            .unwrap()
            .remove(0);
        assert!(!r.warnings.is_empty());
        let back = QueryResult::from_ipc(&r.to_ipc().unwrap()).unwrap();
        assert_eq!(back, r);
        assert!(QueryResult::from_ipc(b"not arrow").is_err());
    }
}
