//! Roe AI database queries: run-and-wait, submit, status, result, wait.

mod collect;
mod config;
mod job;
mod reader;
#[cfg(test)]
mod reader_tests;
pub mod stream;
mod wire;

use bytes::Bytes;
use serde_json::json;

use collect::collect;
pub use collect::{decode_body, decode_run_body};
pub use config::{RoeConfig, RoeOptions, DEFAULT_BASE_URL};
pub use job::{JobRef, JobStatus};
use reader::Origin;
pub use stream::BatchStream;
use stream::Opened;

use crate::error::{Error, RequestContext, Result};
use crate::events;
use crate::params::{bind_typed, ParamValue};
use crate::polling::{poll_until, within, JobState, JobWatch, PollPolicy};
use crate::providers::options::CallOptions;
use crate::result::QueryResult;
use crate::transport::{Request, Response, Transport};
use wire::{error_text, WireStatus, WireSubmit};

const RUN_PATH: &str = "/v1/database/query/";
const SUBMIT_PATH: &str = "/v1/database/query/async/";

/// What to do after a timeout, in Roe's terms.
const RUN_TIMEOUT_ADVICE: &str = "the query may still be running on the service: for long \
    queries, submit() and wait on the job";
const WAIT_TIMEOUT_ADVICE: &str =
    "the query may still finish: call wait() on the job again with a longer timeout";

/// Per-call options of run and submit.
#[derive(Debug, Default, Clone)]
pub struct SubmitOptions {
    pub worksheet_id: Option<String>,
    pub use_admin: bool,
    /// Values for the SQL's `{name:Type}` placeholders, bound on the client (the API takes
    /// SQL text only). None: the SQL is sent as it is.
    pub parameters: Option<Vec<(String, ParamValue)>>,
}

#[derive(Debug)]
pub struct RoeClient {
    transport: Transport,
    cfg: RoeConfig,
    pub poll: PollPolicy,
}

impl RoeClient {
    pub fn new(cfg: RoeConfig) -> Result<Self> {
        Ok(RoeClient {
            transport: Transport::new(cfg.transport.clone())?,
            cfg,
            poll: PollPolicy::default(),
        })
    }

    pub fn config(&self) -> &RoeConfig {
        &self.cfg
    }

    fn org(&self) -> Option<&str> {
        self.cfg.organization_id.as_deref()
    }

    fn body(&self, sql: &str, opts: &SubmitOptions) -> Result<serde_json::Value> {
        if sql.trim().is_empty() {
            return Err(Error::Config("the SQL text is empty".into()));
        }
        let sql = match &opts.parameters {
            Some(params) => bind_typed(sql, params)?,
            None => sql.to_owned(),
        };
        let mut body = json!({ "query": sql, "use_admin": opts.use_admin });
        if let Some(ws) = opts
            .worksheet_id
            .as_deref()
            .or(self.cfg.worksheet_id.as_deref())
        {
            body["worksheet_id"] = json!(ws);
        }
        // Older documentation reads the organization from the body, newer from the query.
        if let Some(org) = self.org() {
            body["organization_id"] = json!(org);
        }
        Ok(body)
    }

    /// `POST /v1/database/query/`: runs every statement and answers with all results,
    /// decoded while the response arrives.
    pub async fn run(
        &self,
        sql: &str,
        opts: &SubmitOptions,
        call: &CallOptions,
    ) -> Result<Vec<QueryResult>> {
        let req = Request::post(RUN_PATH.into(), self.body(sql, opts)?)
            .query("organization_id", self.org());
        let read = |resp, ctx| collect(resp, self.origin(ctx, None, call));
        let run = async {
            let results = self
                .transport
                .send_read(&req, read)
                .await
                .map_err(run_refusal)??;
            Ok(results.unwrap_or_default())
        };
        within(call.timeout, run_ctx("POST", RUN_PATH), run)
            .await
            .map_err(|e| e.with_timeout_advice(RUN_TIMEOUT_ADVICE))
    }

    /// The run endpoint's raw response body, undecoded: the download floor benchmarks
    /// compare decoding against.
    pub async fn run_raw(&self, sql: &str, opts: &SubmitOptions) -> Result<Bytes> {
        Ok(self.run_response(sql, opts).await?.body)
    }

    async fn run_response(&self, sql: &str, opts: &SubmitOptions) -> Result<Response> {
        let req = Request::post(RUN_PATH.into(), self.body(sql, opts)?)
            .query("organization_id", self.org());
        self.transport.send(&req).await.map_err(run_refusal)
    }

    /// `POST /v1/database/query/async/`: returns as soon as the service has the query.
    pub async fn submit(
        &self,
        sql: &str,
        opts: &SubmitOptions,
        call: &CallOptions,
    ) -> Result<JobRef> {
        within(
            call.timeout,
            run_ctx("POST", SUBMIT_PATH),
            self.send_submit(sql, opts),
        )
        .await
    }

    async fn send_submit(&self, sql: &str, opts: &SubmitOptions) -> Result<JobRef> {
        let ws = opts
            .worksheet_id
            .as_deref()
            .or(self.cfg.worksheet_id.as_deref());
        if self.org().is_none() && ws.is_none() {
            return Err(Error::Config(
                "submitting needs an organization id or a worksheet id: pass organization_id=... \
                 (or set ROE_ORGANIZATION_ID) or worksheet_id=..."
                    .into(),
            ));
        }
        let req = Request::post(SUBMIT_PATH.into(), self.body(sql, opts)?)
            .query("organization_id", self.org())
            .query("worksheet_id", ws);
        let resp = self.transport.send(&req).await?;
        let job = match resp.json::<WireSubmit>()? {
            WireSubmit::TaskId(id) => JobRef::new(None, Some(id), None, None),
            WireSubmit::Object(o) => JobRef::new(
                o.id,
                o.query_task_id,
                o.query_task_status,
                error_text(&o.error),
            ),
        };
        job.map_err(|why| resp.malformed(&format!("unusable id for the submitted query: {why}")))
    }

    /// GETs `/v1/database/query/{id}/{what}/`, trying the job's other id on a 404.
    async fn get_job(&self, job: &JobRef, what: &str) -> Result<Response> {
        self.try_job_ids(
            job,
            what,
            |req| async move { self.transport.send(&req).await },
        )
        .await
    }

    /// `send`s the GET of `what` for each of the job's ids until one is not a 404.
    async fn try_job_ids<'s, T, F, Fut>(&'s self, job: &JobRef, what: &str, send: F) -> Result<T>
    where
        F: Fn(Request<'s>) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut last = None;
        for (index, id) in job.segments_to_try() {
            let req = Request::get(format!("{RUN_PATH}{id}/{what}/"))
                .query("organization_id", self.org());
            match send(req).await {
                Ok(out) => {
                    job.remember_working_id(index);
                    return Ok(out);
                }
                Err(e @ Error::Api { status: 404, .. }) => last = Some(e),
                Err(e) => return Err(e.with_query_id(job.id())),
            }
        }
        Err(last
            .unwrap_or_else(|| Error::Config("the job has no id".into()))
            .with_query_id(job.id()))
    }

    pub async fn status(&self, job: &JobRef) -> Result<JobStatus> {
        let resp = self.get_job(job, "status").await?;
        let s: WireStatus = resp.json()?;
        Ok(JobStatus {
            status: s.status.unwrap_or_default(),
            error: error_text(&s.error),
        })
    }

    /// The result endpoint once, decoded while it arrives: None while the job is still
    /// running.
    pub async fn fetch_result(
        &self,
        job: &JobRef,
        call: &CallOptions,
    ) -> Result<Option<Vec<QueryResult>>> {
        let fallback_id = job.id().to_owned();
        let read = |resp, ctx| collect(resp, self.origin(ctx, Some(fallback_id.clone()), call));
        self.try_job_ids(job, "result", |req| async move {
            self.transport.send_read(&req, read).await
        })
        .await?
    }

    /// Polls until the job finishes, then fetches and decodes its results.
    pub async fn wait(&self, job: &JobRef, call: &CallOptions) -> Result<Vec<QueryResult>> {
        self.when_done(job, call, || self.fetch_result(job, call))
            .await
    }

    /// Polls until the job finishes, then streams its result's batches as they arrive.
    /// The timeout bounds the wait and the opening of the stream.
    /// `batch_rows`: the batches' size (None: as decoded).
    pub async fn stream_result(
        &self,
        job: &JobRef,
        call: &CallOptions,
        batch_rows: Option<usize>,
    ) -> Result<BatchStream> {
        let fetch = || async {
            let (resp, ctx) = self
                .try_job_ids(job, "result", |req| async move {
                    self.transport.send_streaming(&req).await
                })
                .await?;
            let origin = self.origin(ctx, Some(job.id().to_owned()), call);
            match stream::open(resp, origin, batch_rows).await? {
                Opened::Running => Ok(None),
                Opened::Stream(s) => Ok(Some(s)),
            }
        };
        self.when_done(job, call, fetch).await
    }

    /// `POST /v1/database/query/` with the response's rows streamed as they arrive, in
    /// batches of `batch_rows` (None: as decoded). The timeout bounds the call until the
    /// first rows are in.
    pub async fn stream(
        &self,
        sql: &str,
        opts: &SubmitOptions,
        call: &CallOptions,
        batch_rows: Option<usize>,
    ) -> Result<BatchStream> {
        let req = Request::post(RUN_PATH.into(), self.body(sql, opts)?)
            .query("organization_id", self.org());
        let open = async {
            let (resp, ctx) = self
                .transport
                .send_streaming(&req)
                .await
                .map_err(run_refusal)?;
            match stream::open(resp, self.origin(ctx.clone(), None, call), batch_rows).await? {
                Opened::Stream(s) => Ok(s),
                Opened::Running => Err(Error::malformed(
                    &ctx,
                    "the run endpoint answered 'running'",
                )),
            }
        };
        within(call.timeout, run_ctx("POST", RUN_PATH), open)
            .await
            .map_err(|e| e.with_timeout_advice(RUN_TIMEOUT_ADVICE))
    }

    fn origin(
        &self,
        ctx: RequestContext,
        fallback_id: Option<String>,
        call: &CallOptions,
    ) -> Origin {
        Origin {
            ctx,
            tz: self.cfg.server_timezone.clone(),
            fallback_id,
            progress: call.progress.clone(),
        }
    }

    /// Polls the job's status until it ends; once it succeeded, `fetch` (None: the result is
    /// not ready after all, keep polling).
    async fn when_done<T, F, Fut>(&self, job: &JobRef, call: &CallOptions, fetch: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>>>,
    {
        let ctx = RequestContext {
            service: "Roe",
            method: "GET".into(),
            path: format!("{RUN_PATH}{}/status/", job.segment()),
            query_id: Some(job.id().to_owned()),
            ..Default::default()
        };
        // A submit response that already carried an error (or a failed status) needs no
        // polling to be reported.
        let submitted = job.submitted_status.as_deref().map(JobState::classify);
        if let Some(message) = job.submitted_error.clone().or_else(|| {
            (submitted == Some(JobState::Failed)).then(|| {
                format!(
                    "the query task ended in state {}",
                    job.submitted_status.as_deref().unwrap_or_default()
                )
            })
        }) {
            return Err(Error::query_failed(message, &ctx));
        }
        let watch = JobWatch::new(events::ROE, "query", job.id(), call);
        poll_until(call.timeout, self.poll, ctx.clone(), || async {
            let st = self.status(job).await?;
            watch.saw(&st.status);
            if let Some(message) = st.error.clone() {
                return Err(Error::query_failed(message, &ctx));
            }
            match JobState::classify(&st.status) {
                JobState::Running => Ok(None),
                JobState::Failed => Err(Error::query_failed(
                    format!("the query task ended in state {}", st.status),
                    &ctx,
                )),
                JobState::Succeeded => fetch().await,
            }
        })
        .await
        .map_err(|e| e.with_timeout_advice(WAIT_TIMEOUT_ADVICE))
    }
}

/// Where a call that is not about one job went, for its timeout error.
fn run_ctx(method: &str, path: &str) -> RequestContext {
    RequestContext {
        service: "Roe",
        method: method.into(),
        path: path.into(),
        ..Default::default()
    }
}

/// The run endpoint's documented 400 is the database refusing the SQL.
fn run_refusal(e: Error) -> Error {
    match e {
        e @ Error::Api { status: 400, .. } => e.into_query_failed(),
        other => other,
    }
}
