//! Slateo saved queries: list, retrieve, result, refresh, and run (refresh + wait + result),
//! on the shared transport, polling helper and result type.

use std::time::Instant;

use reqwest::Method;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::options::CallOptions;
use super::rest::{send_json, JsonCall};
use super::settings::{resolve, CommonOptions, Prefix, ServiceDefaults};
use crate::blocking::off_the_workers;
use crate::decode::infer::{infer_columns, ColumnFacts};
use crate::decode::Rows;
use crate::error::{ApiErrorKind, Error, RequestContext, Result};
use crate::events;
use crate::polling::{poll_until, within, JobState, JobWatch, PollPolicy};
use crate::result::QueryResult;
use crate::transport::path::segment;
use crate::transport::{Request, Response, Transport};
use crate::types::{column_spec, ColumnSpec};

pub const DEFAULT_BASE_URL: &str = "https://api.slateo.ai";

const DEFAULTS: ServiceDefaults = ServiceDefaults {
    service: "Slateo",
    env_prefix: "SLATEO",
    base_url: DEFAULT_BASE_URL,
    prefix: Prefix::InPaths("/api"),
};

#[derive(Debug)]
pub struct SlateoClient {
    transport: Transport,
    pub poll: PollPolicy,
}

#[derive(Deserialize)]
struct WireField {
    name: String,
    #[serde(rename = "type", default)]
    kind: String,
}

#[derive(Deserialize)]
struct WireResult<'a> {
    #[serde(default)]
    fields: Vec<WireField>,
    #[serde(default, borrow)]
    rows: Option<&'a RawValue>,
}

/// Slateo's field type -> the ClickHouse type name our decoder builds it with, plus a
/// warning for names we do not know. Slateo declares no nullability: every column may
/// hold NULL. Integers and decimals take their width and scale from the values.
pub fn slateo_column(name: &str, kind: &str, facts: &ColumnFacts) -> ColumnSpec {
    let inferred = facts
        .type_name
        .trim_start_matches("Nullable(")
        .trim_end_matches(')');
    let (clickhouse, warning) = match kind.to_ascii_lowercase().as_str() {
        "integer" | "int" | "bigint" => match inferred {
            "UInt64" | "String" => (inferred.to_owned(), None),
            _ => ("Int64".to_owned(), None),
        },
        "float" | "double" | "number" => ("Float64".to_owned(), None),
        "decimal" | "numeric" => {
            let scale = facts.max_scale.min(76);
            let precision = if facts.max_int_digits + scale <= 38 {
                38
            } else {
                76
            };
            (format!("Decimal({precision}, {scale})"), None)
        }
        "string" | "text" | "uuid" => ("String".to_owned(), None),
        "boolean" | "bool" => ("Bool".to_owned(), None),
        "date" => ("Date".to_owned(), None),
        "timestamp" | "datetime" => ("DateTime64(9, 'UTC')".to_owned(), None),
        "json" => ("JSON".to_owned(), None),
        other => (
            "String".to_owned(),
            Some(format!(
                "column '{name}': unknown Slateo type '{other}'; its values are returned as text"
            )),
        ),
    };
    let nullable = if clickhouse == "JSON" {
        clickhouse
    } else {
        format!("Nullable({clickhouse})")
    };
    let mut spec = column_spec(name, &nullable, "UTC");
    spec.declared = kind.to_owned();
    spec.warning = warning.or(spec.warning);
    spec
}

/// `/api/queries/{id}`, the id kept to one path segment.
fn query_path(id: &str) -> Result<String> {
    let id = segment(id).map_err(|why| Error::Config(format!("query id: {why}")))?;
    Ok(format!("/api/queries/{id}"))
}

impl SlateoClient {
    pub fn new(opts: CommonOptions, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        Ok(SlateoClient {
            transport: Transport::new(resolve(opts, &DEFAULTS, &env)?)?,
            poll: PollPolicy::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.transport.config().base_url
    }

    /// Any JSON endpoint of the API (lists, gets, refs), for the Python resource classes.
    pub async fn call(&self, call: &JsonCall) -> Result<(Value, RequestContext)> {
        send_json(&self.transport, call).await
    }

    pub async fn get_query(&self, id: &str) -> Result<Value> {
        let call = JsonCall {
            method: Method::GET,
            path: query_path(id)?,
            query: Vec::new(),
            body: None,
        };
        Ok(self.call(&call).await?.0)
    }

    /// Starts a new run of the query, with `parameter_values` for its parameters if given;
    /// answers the run object.
    pub async fn refresh(
        &self,
        id: &str,
        parameter_values: Option<&Value>,
        call: &CallOptions,
    ) -> Result<Value> {
        let ctx = query_ctx("POST", id)?;
        within(call.timeout, ctx, self.send_refresh(id, parameter_values)).await
    }

    async fn send_refresh(&self, id: &str, parameter_values: Option<&Value>) -> Result<Value> {
        let mut body = serde_json::Map::new();
        if let Some(values) = parameter_values {
            body.insert("parameterValues".into(), values.clone());
        }
        let req = Request::post(format!("{}/refresh", query_path(id)?), Value::Object(body));
        let resp = self
            .transport
            .send(&req)
            .await
            .map_err(|e| e.with_query_id(id))?;
        resp.json()
    }

    /// The latest completed run's rows, typed by the declared fields.
    pub async fn result(&self, id: &str, call: &CallOptions) -> Result<QueryResult> {
        let ctx = query_ctx("GET", id)?;
        within(call.timeout, ctx, self.fetch_result(id, call)).await
    }

    async fn fetch_result(&self, id: &str, call: &CallOptions) -> Result<QueryResult> {
        let req =
            Request::get(format!("{}/result", query_path(id)?)).progress(call.progress.clone());
        let resp = self
            .transport
            .send(&req)
            .await
            .map_err(|e| e.with_query_id(id))?;
        let id = id.to_owned();
        off_the_workers(move || decode_result(&resp, id)).await
    }

    /// Refreshes the query, waits for the run with backoff, returns its result. When a run
    /// is already under way, `wait_if_running` waits for that one instead of failing.
    /// The timeout bounds the whole call: refresh, polling and the result's download.
    pub async fn run(
        &self,
        id: &str,
        wait_if_running: bool,
        parameter_values: Option<&Value>,
        call: &CallOptions,
    ) -> Result<QueryResult> {
        let ctx = query_ctx("GET", id)?;
        let start = Instant::now();
        let refresh = async {
            match self.send_refresh(id, parameter_values).await {
                Err(Error::Api {
                    kind: ApiErrorKind::Conflict,
                    ..
                }) if wait_if_running => Ok(()),
                other => other.map(drop),
            }
        };
        let advise = |e: Error| e.with_timeout_advice(RUN_TIMEOUT_ADVICE);
        within(call.timeout, ctx.clone(), refresh)
            .await
            .map_err(advise)?;
        let left = call.timeout.map(|t| t.saturating_sub(start.elapsed()));
        let watch = JobWatch::new(events::SLATEO, "the run of query", id, call);
        poll_until(left, self.poll, ctx.clone(), || async {
            let q = self.get_query(id).await?;
            let status = q["latestRun"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            watch.saw(&status);
            match JobState::classify(&status) {
                JobState::Running => Ok(None),
                JobState::Succeeded => self.fetch_result(id, call).await.map(Some),
                JobState::Failed => {
                    let why = q["latestRunMetadata"]["error"]
                        .as_str()
                        .map_or_else(|| format!("the run ended in state {status}"), str::to_owned);
                    Err(Error::query_failed(why, &ctx))
                }
            }
        })
        .await
        .map_err(advise)
    }
}

/// What to do after a timeout, in Slateo's terms.
const RUN_TIMEOUT_ADVICE: &str = "the run may still finish: call queries.run(id, \
    wait_if_running=True) again with a longer timeout, or queries.result(id) once it has";

/// Where a call about query `id` goes, for its errors.
fn query_ctx(method: &str, id: &str) -> Result<RequestContext> {
    Ok(RequestContext {
        service: "Slateo",
        method: method.into(),
        path: query_path(id)?,
        query_id: Some(id.to_owned()),
        ..Default::default()
    })
}

/// A result response's rows, typed by its declared fields (CPU-bound: off the workers).
fn decode_result(resp: &Response, id: String) -> Result<QueryResult> {
    let ctx = RequestContext {
        query_id: Some(id.clone()),
        ..resp.ctx.clone()
    };
    let wire: WireResult =
        serde_json::from_str(resp.text()?).map_err(|e| Error::malformed(&ctx, &e.to_string()))?;
    let rows = wire
        .rows
        .map(RawValue::get)
        .filter(|r| *r != "null")
        .unwrap_or("[]");
    let facts = infer_columns(rows, wire.fields.len());
    let columns = wire
        .fields
        .iter()
        .zip(&facts)
        .map(|(f, facts)| slateo_column(&f.name, &f.kind, facts))
        .collect();
    QueryResult::decode(columns, Rows::Json(rows), Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(rows: &str) -> ColumnFacts {
        infer_columns(rows, 1).remove(0)
    }

    #[test]
    fn slateo_types() {
        let c = slateo_column("n", "integer", &facts("[[1], [18446744073709551615]]"));
        assert_eq!(
            (c.declared.as_str(), c.data_type()),
            ("integer", arrow_schema::DataType::UInt64)
        );
        let c = slateo_column("d", "decimal", &facts("[[1.25], [100.5]]"));
        assert_eq!(c.data_type(), arrow_schema::DataType::Decimal128(38, 2));
        let c = slateo_column("x", "geography", &facts("[[1]]"));
        assert!(c
            .warning
            .unwrap()
            .contains("unknown Slateo type 'geography'"));
    }
}
