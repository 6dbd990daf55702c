//! AI for Database: natural-language questions answered with SQL and rows, and the
//! workspace resources around them. Every answer comes in a `{data, meta}` envelope;
//! lists add `next_cursor`. Result columns carry names only, so types are inferred.

use std::sync::Mutex;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::options::CallOptions;
use super::rest::{send_json, JsonCall};
use super::settings::{resolve, CommonOptions, Prefix, ServiceDefaults};
use crate::blocking::off_the_workers;
use crate::decode::infer::infer_columns;
use crate::decode::Rows;
use crate::error::{Error, RateLimit, RequestContext, Result};
use crate::polling::within;
use crate::result::QueryResult;
use crate::transport::{Request, Response, Transport};
use crate::types::column_spec;

pub const DEFAULT_BASE_URL: &str = "https://api.aifordatabase.com/v1";

const DEFAULTS: ServiceDefaults = ServiceDefaults {
    service: "AI for Database",
    env_prefix: "AIFORDATABASE",
    base_url: DEFAULT_BASE_URL,
    prefix: Prefix::InBase("/v1"),
};

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

    /// A failed request: remembered (its rate limits and request id), and AI for Database's
    /// rule applied: it answers failed SQL with a 500 whose code is `query_error`, which is
    /// a failed query, not a broken server.
    fn failed(&self, e: Error) -> Error {
        let Error::Api { ctx, info, .. } = &e else {
            return e;
        };
        self.remember(ctx, None);
        if info.code.as_deref() == Some("query_error") {
            e.into_query_failed()
        } else {
            e
        }
    }

    /// Any endpoint: sends `call` and answers the body, its `{data, meta}` envelope whole
    /// (the request id and rate limits are remembered).
    pub async fn call(&self, call: &JsonCall) -> Result<Value> {
        let (body, ctx) = send_json(&self.transport, call)
            .await
            .map_err(|e| self.failed(e))?;
        let request_id = body["meta"]["request_id"].as_str().map(str::to_owned);
        self.remember(&ctx, request_id);
        Ok(body)
    }

    /// `POST /queries`: asks in plain language; the rows come back with inferred types,
    /// and the result carries the generated SQL, the query id and the execution time.
    pub async fn ask(
        &self,
        question: &str,
        connection_id: &str,
        format: &str,
        call: &CallOptions,
    ) -> Result<QueryResult> {
        let ctx = RequestContext {
            service: DEFAULTS.service,
            method: "POST".into(),
            path: ASK_PATH.into(),
            ..Default::default()
        };
        within(
            call.timeout,
            ctx,
            self.send_ask(question, connection_id, format, call),
        )
        .await
        .map_err(|e| e.with_timeout_advice("ask again with a longer timeout"))
    }

    async fn send_ask(
        &self,
        question: &str,
        connection_id: &str,
        format: &str,
        call: &CallOptions,
    ) -> Result<QueryResult> {
        let body =
            json!({ "question": question, "connection_id": connection_id, "format": format });
        let resp = self
            .transport
            .send(&Request::post(ASK_PATH.into(), body).progress(call.progress.clone()))
            .await
            .map_err(|e| self.failed(e))?;
        let ctx = resp.ctx.clone();
        let (result, request_id) = off_the_workers(move || decode_answer(&resp)).await?;
        self.remember(&ctx, request_id);
        Ok(result)
    }
}

const ASK_PATH: &str = "/queries";

/// An answer's rows, typed by inference from their values (CPU-bound: off the workers),
/// and the envelope's request id.
fn decode_answer(resp: &Response) -> Result<(QueryResult, Option<String>)> {
    let wire: WireAsk =
        serde_json::from_str(resp.text()?).map_err(|e| resp.malformed(&e.to_string()))?;
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
    Ok((r, wire.meta.and_then(|m| m.request_id)))
}
