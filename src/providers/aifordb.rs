//! AI for Database: natural-language questions answered with SQL and rows, and the
//! workspace resources around them. Every answer comes in a `{data, meta}` envelope;
//! lists add `next_cursor`. Result columns carry names only, so types are inferred.

use std::sync::Mutex;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::rest::{send_json, JsonCall};
use super::settings::{resolve, CommonOptions, ServiceDefaults};
use crate::decode::infer::infer_columns;
use crate::decode::Rows;
use crate::error::{Error, RateLimit, RequestContext, Result};
use crate::result::QueryResult;
use crate::transport::{Request, Transport};
use crate::types::column_spec;

pub const DEFAULT_BASE_URL: &str = "https://api.aifordatabase.com/v1";

const DEFAULTS: ServiceDefaults = ServiceDefaults {
    service: "AI for Database",
    env_prefix: "AIFORDATABASE",
    base_url: DEFAULT_BASE_URL,
};

/// An unwrapped answer: the `data`, the list cursor, and the envelope's request id.
#[derive(Debug, Clone)]
pub struct Answer {
    pub data: Value,
    pub next_cursor: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug)]
pub struct AiForDatabaseClient {
    transport: Transport,
    /// What the last response said about rate limits and its request id.
    last: Mutex<(Option<RateLimit>, Option<String>)>,
}

#[derive(Deserialize)]
struct WireAsk<'a> {
    #[serde(borrow)]
    data: WireAskData<'a>,
    #[serde(default)]
    meta: Option<WireMeta>,
}

#[derive(Deserialize)]
struct WireMeta {
    #[serde(default)]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct WireAskData<'a> {
    #[serde(default)]
    query_id: Option<String>,
    #[serde(default)]
    sql: Option<String>,
    #[serde(borrow)]
    results: WireResults<'a>,
    #[serde(default)]
    execution_time_ms: Option<f64>,
}

#[derive(Deserialize)]
struct WireResults<'a> {
    #[serde(default)]
    columns: Vec<String>,
    #[serde(default, borrow)]
    rows: Option<&'a RawValue>,
}

impl AiForDatabaseClient {
    pub fn new(opts: CommonOptions, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        Ok(AiForDatabaseClient {
            transport: Transport::new(resolve(opts, &DEFAULTS, &env)?)?,
            last: Mutex::new((None, None)),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.transport.config().base_url
    }

    /// Rate-limit headers and request id of the most recent response.
    pub fn last_response(&self) -> (Option<RateLimit>, Option<String>) {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn remember(&self, ctx: &RequestContext, request_id: Option<String>) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = (
            ctx.rate_limit,
            request_id.or_else(|| ctx.request_id.clone()),
        );
    }

    /// Any endpoint: sends `call` and unwraps the envelope.
    pub async fn call(&self, call: &JsonCall) -> Result<Answer> {
        let result = send_json(&self.transport, call).await;
        let (body, ctx) = match result {
            Ok(ok) => ok,
            Err(e) => {
                if let Error::Api { ctx, .. } = &e {
                    self.remember(ctx, None);
                }
                return Err(e);
            }
        };
        let request_id = body["meta"]["request_id"].as_str().map(str::to_owned);
        self.remember(&ctx, request_id.clone());
        let next_cursor = body["next_cursor"]
            .as_str()
            .or_else(|| body["data"]["next_cursor"].as_str())
            .map(str::to_owned);
        let data = match body {
            Value::Object(mut map) => map.remove("data").unwrap_or(Value::Null),
            other => other,
        };
        Ok(Answer {
            data,
            next_cursor,
            request_id,
        })
    }

    /// `POST /queries`: asks in plain language; the rows come back with inferred types,
    /// and the result carries the generated SQL, the query id and the execution time.
    pub async fn ask(
        &self,
        question: &str,
        connection_id: &str,
        format: &str,
    ) -> Result<QueryResult> {
        let body =
            json!({ "question": question, "connection_id": connection_id, "format": format });
        let resp = self
            .transport
            .send(&Request::post("/queries".into(), body))
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                if let Error::Api { ctx, .. } = &e {
                    self.remember(ctx, None);
                }
                return Err(e);
            }
        };
        let ctx = resp.ctx.clone();
        let wire: WireAsk = serde_json::from_str(resp.text()?)
            .map_err(|e| Error::malformed(&ctx, &e.to_string()))?;
        self.remember(&ctx, wire.meta.and_then(|m| m.request_id));
        let d = wire.data;
        let rows = d
            .results
            .rows
            .map(RawValue::get)
            .filter(|r| *r != "null")
            .unwrap_or("[]");
        let facts = infer_columns(rows, d.results.columns.len());
        let columns = d
            .results
            .columns
            .iter()
            .zip(&facts)
            .map(|(name, f)| column_spec(name, &f.type_name, "UTC"))
            .collect();
        let mut r = QueryResult::decode(columns, Rows::Json(rows), d.query_id)?;
        r.sql = d.sql;
        r.execution_time_ms = d.execution_time_ms;
        Ok(r)
    }
}
