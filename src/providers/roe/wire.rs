//! Roe's response shapes, parsed without copying the rows: `result_rows` stays a borrowed
//! slice of the body until the decoder reads it.

use arrow_array::RecordBatch;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::decode::scanner::truncate;
use crate::decode::Rows;
use crate::error::{Error, RequestContext, Result};
use crate::polling::JobState;
use crate::result::QueryResult;
use crate::types::{column_spec, ColumnSpec};

/// One statement's result object.
#[derive(Deserialize)]
pub struct WireResult<'a> {
    #[serde(default)]
    query_id: Option<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default, borrow)]
    summary: Option<&'a RawValue>,
    #[serde(default)]
    column_names: Option<Vec<String>>,
    #[serde(default)]
    column_types: Option<Vec<String>>,
    #[serde(default, borrow)]
    result_rows: Option<&'a RawValue>,
    #[serde(default)]
    start_timestamp: Option<Value>,
    #[serde(default)]
    end_timestamp: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

/// The result endpoint's envelope.
#[derive(Deserialize)]
pub struct WireEnvelope<'a> {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, borrow)]
    pub results: Option<Vec<WireResult<'a>>>,
    #[serde(default)]
    pub error: Option<Value>,
}

/// A response's results and, for the result endpoint's envelope, its status and error.
pub struct RunBody<'a> {
    pub results: Vec<WireResult<'a>>,
    pub status: Option<String>,
    pub error: Option<String>,
}

impl RunBody<'_> {
    /// The result endpoint's answer while the query runs: a running status, no results.
    pub fn still_running(&self) -> bool {
        self.results.is_empty()
            && self.status.as_deref().map(JobState::classify) == Some(JobState::Running)
    }

    /// The envelope's error, or a failed status, as a QueryFailed.
    pub fn check(&self, ctx: &RequestContext) -> Result<()> {
        let message = match (&self.error, self.status.as_deref().map(JobState::classify)) {
            (Some(message), _) => message.clone(),
            (None, Some(JobState::Failed)) => {
                "the query task failed without an error message".into()
            }
            _ => return Ok(()),
        };
        Err(Error::query_failed(message, ctx))
    }

    /// Every `result_rows` is null or an array: framing numbered the arrays 0, 1, ... in
    /// body order, so anything else in their place (a number the server sent, a string) is
    /// not rows.
    fn rows_are_arrays(&self, spans: usize) -> std::result::Result<(), String> {
        let mut next = 0;
        for r in &self.results {
            match r.result_rows.map(RawValue::get) {
                None | Some("null") => {}
                Some(n) if next < spans && n.parse::<usize>() == Ok(next) => next += 1,
                Some(other) => {
                    return Err(format!(
                        "result_rows is not an array: {}",
                        truncate(other, 60)
                    ))
                }
            }
        }
        if next != spans {
            return Err("rows arrays outside the result objects".into());
        }
        Ok(())
    }
}

/// The columns (and query id) of rows array `span`, from `prefix`, the response up to the
/// array closed into a document; None when its types are declared after it.
pub fn columns_before_rows(
    prefix: &str,
    span: usize,
    tz: &str,
    fallback_id: Option<&str>,
    ctx: &RequestContext,
) -> Result<Option<(Vec<ColumnSpec>, Option<String>)>> {
    let run = parse_run(prefix).map_err(|why| Error::malformed(ctx, &why))?;
    run.check(ctx)?;
    let Some(result) = run.results.iter().find(|r| r.rows_span() == Some(span)) else {
        return Err(Error::malformed(ctx, "rows outside a result object"));
    };
    if !result.declares_columns() {
        return Ok(None);
    }
    let query_id = result.query_id(fallback_id);
    let columns = result.columns(tz, &query_id, ctx)?;
    Ok(Some((columns, query_id)))
}

/// Reads a whole response's skeleton (framed, with `spans` rows arrays): its results, or
/// None when it says the query is still running. A failed status or error is a QueryFailed;
/// anything that is not a result (an error page with a 200, an unrelated object) is a
/// DecodeError that quotes it, never an empty result.
pub fn read_skeleton<'a>(
    skeleton: &'a str,
    spans: usize,
    ctx: &RequestContext,
) -> Result<Option<RunBody<'a>>> {
    let run = parse_run(skeleton).map_err(|why| Error::malformed(ctx, &why))?;
    run.check(ctx)?;
    if run.still_running() {
        return Ok(None);
    }
    run.rows_are_arrays(spans)
        .map_err(|why| Error::malformed(ctx, &why))?;
    Ok(Some(run))
}

/// The run-and-wait endpoint answers with a list of results, the result endpoint with an
/// envelope; a single result object is accepted too, since the documentation is not
/// consistent. (Dispatch is by first byte: serde's untagged enums buffer values, which
/// borrowed RawValues cannot.) `body` is the framed skeleton: rows are span numbers.
/// Err quotes a body that is none of these.
pub fn parse_run(body: &str) -> std::result::Result<RunBody<'_>, String> {
    // A byte-order mark is not JSON, but some servers send one; it says nothing.
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let not_a_result = || format!("not a query result: {}", truncate(body.trim(), 200));
    let json_error = |e: serde_json::Error| e.to_string();
    if body.trim_start().starts_with('[') {
        let results: Vec<WireResult> = serde_json::from_str(body).map_err(json_error)?;
        if !results.iter().all(WireResult::looks_like_result) {
            return Err(not_a_result());
        }
        return Ok(RunBody {
            results,
            status: None,
            error: None,
        });
    }
    let env: WireEnvelope = serde_json::from_str(body).map_err(json_error)?;
    let error = error_text(&env.error);
    match env.results {
        Some(results) => {
            if !results.iter().all(WireResult::looks_like_result) {
                return Err(not_a_result());
            }
            Ok(RunBody {
                results,
                status: env.status,
                error,
            })
        }
        // A status without results: running or failed, or (succeeded) not a result.
        None if env.status.is_some()
            && (error.is_some()
                || env.status.as_deref().map(JobState::classify) != Some(JobState::Succeeded)) =>
        {
            Ok(RunBody {
                results: Vec::new(),
                status: env.status,
                error,
            })
        }
        None => {
            let single: WireResult = serde_json::from_str(body).map_err(json_error)?;
            if !single.looks_like_result() {
                return Err(not_a_result());
            }
            Ok(RunBody {
                results: vec![single],
                status: None,
                error: None,
            })
        }
    }
}

/// The submit endpoint answers with a bare task id (older docs) or a WorksheetQuery object.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum WireSubmit {
    TaskId(String),
    Object(WireWorksheetQuery),
}

#[derive(Deserialize)]
pub struct WireWorksheetQuery {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub query_task_id: Option<String>,
    #[serde(default)]
    pub query_task_status: Option<String>,
    #[serde(default)]
    pub error: Option<Value>,
}

#[derive(Deserialize)]
pub struct WireStatus {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error: Option<Value>,
}

/// A non-empty error message from an `error` field of any JSON type.
pub fn error_text(v: &Option<Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

fn seconds(v: &Option<Value>) -> Option<f64> {
    match v {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

impl WireResult<'_> {
    /// Whether the object says anything a result says: columns, rows or its error.
    fn looks_like_result(&self) -> bool {
        self.column_names.is_some()
            || self.column_types.is_some()
            || self.result_rows.is_some()
            || self.error.is_some()
    }

    /// The result's own query id, else the job's.
    pub fn query_id(&self, fallback_id: Option<&str>) -> Option<String> {
        self.query_id
            .clone()
            .or_else(|| fallback_id.map(str::to_owned))
    }

    /// The number of the rows array framing put in `result_rows`, if any.
    pub fn rows_span(&self) -> Option<usize> {
        self.result_rows.and_then(|r| r.get().parse().ok())
    }

    /// Whether names or types are given (both empty: not yet read, or none declared).
    pub fn declares_columns(&self) -> bool {
        !self.names().is_empty() || !self.types().is_empty()
    }

    fn names(&self) -> &[String] {
        self.column_names.as_deref().unwrap_or_default()
    }

    fn types(&self) -> &[String] {
        self.column_types.as_deref().unwrap_or_default()
    }

    /// The declared columns; the result's error, if it carries one, as a QueryFailed.
    pub fn columns(
        &self,
        default_tz: &str,
        query_id: &Option<String>,
        ctx: &RequestContext,
    ) -> Result<Vec<ColumnSpec>> {
        if let Some(message) = error_text(&self.error) {
            let ctx = RequestContext {
                query_id: query_id.clone(),
                ..ctx.clone()
            };
            return Err(Error::query_failed(message, &ctx));
        }
        let (names, types) = (self.names(), self.types());
        if names.len() != types.len() {
            let e = Error::decode(format!(
                "the result has {} column names but {} column types",
                names.len(),
                types.len()
            ));
            return Err(match query_id {
                Some(id) => e.with_query_id(id),
                None => e,
            });
        }
        Ok(names
            .iter()
            .zip(types)
            .map(|(n, t)| column_spec(n, t, default_tz))
            .collect())
    }

    /// This statement's result, with `batches`, its rows decoded already (None: it has no
    /// rows array). `fallback_id` names the job when the result has no query id of its
    /// own; `ctx` says where the response came from, for errors.
    pub fn into_result(
        self,
        batches: Option<&[RecordBatch]>,
        default_tz: &str,
        fallback_id: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<QueryResult> {
        let query_id = self.query_id(fallback_id);
        let columns = self.columns(default_tz, &query_id, ctx)?;
        let rows = match batches {
            Some(batches) => Rows::Decoded(batches),
            None => Rows::Json("[]"),
        };
        let mut r = QueryResult::decode(columns, rows, query_id)?;
        r.sql = self.query;
        r.summary_json = self
            .summary
            .map(|s| s.get().to_owned())
            .filter(|s| s != "null");
        r.start_timestamp = seconds(&self.start_timestamp);
        r.end_timestamp = seconds(&self.end_timestamp);
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_forms() {
        let s: WireSubmit =
            serde_json::from_str(r#""123e4567-e89b-12d3-a456-426614174000""#).unwrap();
        assert!(matches!(s, WireSubmit::TaskId(_)));
        let s: WireSubmit = serde_json::from_str(
            r#"{"id": "w1", "query": "x", "query_task_id": "t1", "query_task_status": "PENDING", "error": null}"#,
        )
        .unwrap();
        assert!(matches!(
            s,
            WireSubmit::Object(WireWorksheetQuery { id: Some(_), .. })
        ));
    }

    #[test]
    fn run_forms_and_result_fields() {
        let body = r#"[{"query_id": "q", "query": "SELECT 1", "summary": {"read_rows": 1},
            "column_names": ["x"], "column_types": ["UInt8"], "result_rows": [[1]],
            "start_timestamp": 1719852303.0115254, "end_timestamp": "1719852303.02"}]"#;
        let r = super::super::decode_run_body(body.as_bytes().to_vec(), "UTC")
            .unwrap()
            .remove(0);
        assert_eq!((r.num_rows(), r.sql.as_deref()), (1, Some("SELECT 1")));
        assert_eq!(r.summary_json.as_deref(), Some(r#"{"read_rows": 1}"#));
        assert_eq!(r.end_timestamp, Some(1719852303.02));
        let run = parse_run(r#"{"status": "FAILURE", "results": [], "error": "boom"}"#).unwrap();
        assert!(run.results.is_empty());
        assert_eq!(run.error.as_deref(), Some("boom"));
        let run =
            parse_run(r#"{"column_names": [], "column_types": [], "result_rows": 0}"#).unwrap();
        assert_eq!(run.results.len(), 1);
        let run = parse_run(r#"{"status": "PENDING"}"#).unwrap();
        assert_eq!(
            (run.results.len(), run.status.as_deref()),
            (0, Some("PENDING"))
        );
    }

    #[test]
    fn what_is_not_a_result_is_malformed() {
        for body in [
            r#"{"detail": "Down for maintenance"}"#,
            r#"{"query_task_id": "t1"}"#,
            r#"{"status": "SUCCESS"}"#,
            r#"[{"detail": "x"}]"#,
            r#"{"status": "SUCCESS", "results": [{"detail": "x"}]}"#,
            "{}",
        ] {
            let e = read_skeleton(body, 0, &RequestContext::default())
                .err()
                .unwrap_or_else(|| panic!("accepted {body}"));
            assert!(
                matches!(&e, Error::Decode(d) if d.message.contains("not a query result")),
                "{body}: {e}"
            );
        }
        for (body, spans) in [
            (
                r#"[{"column_names": [], "column_types": [], "result_rows": 5}]"#,
                0,
            ),
            (
                r#"[{"column_names": [], "column_types": [], "result_rows": "x"}]"#,
                0,
            ),
            (
                r#"[{"column_names": [], "column_types": [], "result_rows": 0}]"#,
                2,
            ),
        ] {
            let e = read_skeleton(body, spans, &RequestContext::default()).err();
            assert!(matches!(e, Some(Error::Decode(_))), "{body}");
        }
        let ok = r#"[{"column_names": [], "column_types": [], "result_rows": 0}, {"column_names": ["x"], "column_types": ["UInt8"], "result_rows": null}]"#;
        assert_eq!(
            read_skeleton(ok, 1, &RequestContext::default())
                .unwrap()
                .unwrap()
                .results
                .len(),
            2
        );
        let running = read_skeleton(r#"{"status": "STARTED"}"#, 0, &RequestContext::default());
        assert!(running.unwrap().is_none());
        let failed = read_skeleton(r#"{"status": "FAILURE"}"#, 0, &RequestContext::default());
        assert!(matches!(failed, Err(Error::QueryFailed { .. })));
    }
}
