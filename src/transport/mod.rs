//! HTTP for every provider: one reqwest client, bearer auth, timeouts, retries with
//! exponential backoff and jitter, and errors with context. Knows nothing of Arrow.

mod error_body;
pub mod network;
pub mod path;
mod retry;

use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER,
    USER_AGENT,
};

/// The Accept-Encoding of every request (reqwest decodes each on the fly).
pub const ACCEPTED_ENCODINGS: &str = "zstd, br, gzip, deflate";
use reqwest::{Method, StatusCode, Url};

use crate::error::{ApiErrorInfo, ApiErrorKind, Error, RateLimit, RequestContext, Result};
use crate::events;
use crate::progress::Progress;
pub use error_body::ErrorBody;
pub use network::NetworkOptions;
pub use retry::RetryPolicy;

/// The header carrying the id of each request we send, for the service's support.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Clone)]
pub struct TransportConfig {
    pub service: &'static str,
    /// Without a trailing slash.
    pub base_url: String,
    pub api_key: String,
    pub extra_headers: Vec<(&'static str, String)>,
    pub connect_timeout: Duration,
    /// Longest silence allowed while waiting for response bytes.
    pub read_timeout: Duration,
    pub retry: RetryPolicy,
    pub network: NetworkOptions,
}

/// One request, described without the host or credentials.
pub struct Request<'a> {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'a str, String)>,
    pub body: Option<serde_json::Value>,
    /// Whether sending it twice is harmless. Non-idempotent requests are re-sent only when
    /// the server certainly did not act on them (connect failures, 429).
    pub idempotent: bool,
    /// Told the bytes of the response body as they arrive (`send` only; the streaming
    /// readers tell it themselves).
    pub progress: Option<Arc<Progress>>,
}

impl<'a> Request<'a> {
    pub fn get(path: String) -> Self {
        Request {
            method: Method::GET,
            path,
            query: Vec::new(),
            body: None,
            idempotent: true,
            progress: None,
        }
    }

    pub fn post(path: String, body: serde_json::Value) -> Self {
        Request::with_body(Method::POST, path, body)
    }

    /// A request with a JSON body; only PUT and DELETE count as safe to repeat.
    pub fn with_body(method: Method, path: String, body: serde_json::Value) -> Self {
        let idempotent = method == Method::PUT || method == Method::DELETE;
        Request {
            method,
            path,
            query: Vec::new(),
            body: Some(body),
            idempotent,
            progress: None,
        }
    }

    pub fn delete(path: String) -> Self {
        Request {
            method: Method::DELETE,
            path,
            query: Vec::new(),
            body: None,
            idempotent: true,
            progress: None,
        }
    }

    /// `progress` hears of the response body's bytes.
    pub fn progress(mut self, progress: Option<Arc<Progress>>) -> Self {
        self.progress = progress;
        self
    }

    pub fn query(mut self, key: &'a str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.query.push((key, v.to_owned()));
        }
        self
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub ctx: RequestContext,
}

impl Response {
    /// The body as JSON.
    pub fn json<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T> {
        serde_json::from_str(self.text()?).map_err(|e| self.malformed(&e.to_string()))
    }

    /// The body as text, after the byte-order mark some servers send (it is not JSON).
    pub fn text(&self) -> Result<&str> {
        let body =
            std::str::from_utf8(&self.body).map_err(|_| self.malformed("body is not UTF-8"))?;
        Ok(body.strip_prefix('\u{feff}').unwrap_or(body))
    }

    pub fn malformed(&self, why: &str) -> Error {
        Error::malformed(&self.ctx, why)
    }
}

pub struct Transport {
    client: reqwest::Client,
    cfg: TransportConfig,
    /// The base URL's own path (`/api/v1`), which every request path extends.
    base_path: String,
    /// Keeps the key (and a proxy's password) in the process's redaction list while this
    /// transport lives.
    _secrets: Vec<crate::secrets::Registered>,
}

impl std::fmt::Debug for Transport {
    /// No key, ever: only where requests go.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("service", &self.cfg.service)
            .field("base_url", &self.cfg.base_url)
            .finish_non_exhaustive()
    }
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    // Err means another part of the process installed one first, which serves as well.
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Redirects are followed only within the origin the request went to: a 307 to another host
/// would re-send the query and the organization id there. One to another origin comes back
/// as the 3xx response itself, which `check` reports with its location.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same {
            attempt.stop()
        } else if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects")
        } else {
            attempt.follow()
        }
    })
}

impl Transport {
    pub fn new(cfg: TransportConfig) -> Result<Self> {
        install_crypto_provider();
        let base_path = Url::parse(&cfg.base_url)
            .map_err(|e| Error::Config(format!("invalid base URL {:?}: {e}", cfg.base_url)))?
            .path()
            .trim_end_matches('/')
            .to_owned();
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", cfg.api_key)).map_err(|_| {
            Error::Config("the API key contains characters not allowed in an HTTP header".into())
        })?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("sqlquarry/", env!("CARGO_PKG_VERSION"))),
        );
        // Every encoding reqwest decodes as the body arrives, fastest to decode first.
        headers.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static(ACCEPTED_ENCODINGS),
        );
        for (name, value) in &cfg.extra_headers {
            let v = HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
            headers.insert(*name, v);
        }
        let mut secrets = vec![crate::secrets::register(&cfg.api_key)];
        let builder = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(same_origin_redirects());
        let tls = cfg.base_url.starts_with("https:");
        let env = |name: &str| std::env::var(name).ok();
        let client = network::configure(builder, &cfg.network, tls, &env, &mut secrets)?
            .build()
            .map_err(|e| {
                Error::Config(format!(
                    "cannot build the HTTP client: {}",
                    network::chain(&e)
                ))
            })?;
        Ok(Transport {
            client,
            cfg,
            base_path,
            _secrets: secrets,
        })
    }

    pub fn config(&self) -> &TransportConfig {
        &self.cfg
    }

    /// Sends `req`, retrying what is safe to retry, and returns a 2xx response or an error.
    /// A body cut short counts as a failed attempt, retried when the request is safe to
    /// repeat.
    pub async fn send(&self, req: &Request<'_>) -> Result<Response> {
        self.send_read(req, |resp, ctx| async move {
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = read_body(resp, req.progress.as_deref()).await?;
            Ok(Response {
                status,
                headers,
                body,
                ctx,
            })
        })
        .await
    }

    /// Sends `req` and hands each 2xx response to `read`, which reads the body as it
    /// arrives (decoding it meanwhile, say). A body cut short (`read` failing with a
    /// reqwest error) is retried as `send` retries it.
    pub async fn send_read<T, F, Fut>(&self, req: &Request<'_>, read: F) -> Result<T>
    where
        F: Fn(reqwest::Response, RequestContext) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, reqwest::Error>>,
    {
        self.send_with(req, |resp, ctx| {
            let reading = read(resp, ctx);
            async move { reading.await.map_err(|e| Failure::network(&e)) }
        })
        .await
    }

    /// Sends `req` like `send` but returns a 2xx response as soon as its headers arrive,
    /// for the caller to read the body as it comes. Failures while reading it are the
    /// caller's (`streaming_error` words them).
    pub async fn send_streaming(
        &self,
        req: &Request<'_>,
    ) -> Result<(reqwest::Response, RequestContext)> {
        self.send_with(req, |resp, ctx| async move { Ok((resp, ctx)) })
            .await
    }

    /// The retry loop: `on_success` takes each 2xx response; its failure is retried like
    /// any other network failure.
    async fn send_with<T, F, Fut>(&self, req: &Request<'_>, on_success: F) -> Result<T>
    where
        F: Fn(reqwest::Response, RequestContext) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, Failure>>,
    {
        let url = self.url(&req.path)?;
        let mut ctx = RequestContext {
            service: self.cfg.service,
            method: req.method.to_string(),
            path: req.path.clone(),
            url: url.to_string(),
            ..Default::default()
        };
        let mut attempt = 0u32;
        loop {
            let sent = Instant::now();
            // A new id for each attempt: each is its own request to the service.
            let request_id = uuid::Uuid::new_v4().to_string();
            ctx.request_id = Some(request_id.clone());
            let mut rb = self
                .client
                .request(req.method.clone(), url.clone())
                .header(REQUEST_ID_HEADER, &request_id)
                .query(&req.query);
            if let Some(body) = &req.body {
                rb = rb
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            let outcome = match rb.send().await {
                Ok(resp) => match self.check(resp, &mut ctx, sent).await {
                    Ok(resp) => on_success(resp, ctx.clone()).await,
                    Err(f) => Err(f),
                },
                Err(e) => Err(Failure::network(&e)),
            };
            let failure = match outcome {
                Ok(out) => return Ok(out),
                Err(f) => f,
            };
            let retryable = match &failure {
                Failure::Status { status, .. } => {
                    *status == 429 || (req.idempotent && matches!(status, 502..=504))
                }
                // A certificate that failed verification fails again.
                Failure::Network { tls: true, .. } => false,
                Failure::Network { before_sending, .. } => *before_sending || req.idempotent,
                Failure::Redirect { .. } => false,
            };
            let wait = self.cfg.retry.delay(attempt, failure.retry_after());
            match wait {
                Some(w) if retryable && attempt < self.cfg.retry.max_retries => {
                    let (max, why) = (self.cfg.retry.max_retries, failure.reason());
                    events::retry(&ctx, &why, attempt + 1, max, w);
                    tokio::time::sleep(w).await;
                    attempt += 1;
                }
                _ => return Err(failure.into_error(ctx, attempt)),
            }
        }
    }

    /// The URL of `path`, which must come out of URL parsing exactly as built: an id that
    /// escaped its segment (see `path::segment`) would send the request elsewhere.
    fn url(&self, path: &str) -> Result<Url> {
        let url = Url::parse(&format!("{}{path}", self.cfg.base_url))
            .map_err(|e| Error::Config(format!("cannot build a URL for {path:?}: {e}")))?;
        if !path::path_is_intact(&url, &self.base_path, path) {
            return Err(Error::Config(format!(
                "the request path {path:?} does not stay as built (an id must be one path \
                 segment: no '.', '..', '?' or '#' of its own)"
            )));
        }
        Ok(url)
    }

    /// Records the response's request id (the service's own, when it sends one, replaces
    /// ours) and rate limits in `ctx`; a 2xx response comes back unread, any other becomes a
    /// failure carrying its parsed error body.
    async fn check(
        &self,
        resp: reqwest::Response,
        ctx: &mut RequestContext,
        sent: Instant,
    ) -> Result<reqwest::Response, Failure> {
        let status = resp.status();
        let headers = resp.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let service_id = ["x-request-id", "request-id", "x-amzn-requestid"]
            .iter()
            .find_map(|h| header(h))
            .map(str::to_owned);
        let ours_only = service_id.is_none();
        if service_id.is_some() {
            ctx.request_id = service_id;
        }
        events::response(
            ctx.service,
            &ctx.method,
            &ctx.path,
            status.as_u16(),
            sent.elapsed(),
            resp.content_length(),
            ctx.request_id.as_deref(),
        );
        let number = |name: &str| header(name).and_then(|v| v.trim().parse::<u64>().ok());
        let rate_limit = RateLimit {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
        };
        ctx.rate_limit = (rate_limit != RateLimit::default()).then_some(rate_limit);
        if status.is_success() {
            return Ok(resp);
        }
        if status.is_redirection() {
            let location = header(LOCATION.as_str()).map(str::to_owned);
            return Err(Failure::Redirect {
                status: status.as_u16(),
                location,
            });
        }
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = read_body(resp, None)
            .await
            .map_err(|e| Failure::network(&e))?;
        let body = ErrorBody::parse(&body, status.canonical_reason().unwrap_or("error"));
        if ours_only && body.request_id.is_some() {
            ctx.request_id.clone_from(&body.request_id);
        }
        Err(Failure::Status {
            status: status.as_u16(),
            retry_after,
            body,
        })
    }
}

/// A failure while reading a streamed body, worded like the transport's own.
pub fn streaming_error(e: &reqwest::Error, ctx: &RequestContext) -> Error {
    Failure::network(e).into_error(ctx.clone(), 0)
}

/// Preallocating beyond this on the word of a Content-Length header is not worth the risk.
const MAX_PREALLOCATION: u64 = 1 << 30;

/// The whole body in one buffer sized from Content-Length up front. `Response::bytes`
/// gathers the chunks and then copies them into a second buffer: twice the memory at the
/// peak, and (measured, 1M rows) three times urllib's download time.
async fn read_body(
    mut resp: reqwest::Response,
    progress: Option<&Progress>,
) -> Result<Bytes, reqwest::Error> {
    let expected = resp.content_length().unwrap_or(0).min(MAX_PREALLOCATION);
    let mut buf = Vec::with_capacity(expected as usize);
    while let Some(chunk) = resp.chunk().await? {
        if let Some(p) = progress {
            p.bytes(chunk.len() as u64);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// Whether rustls refused the connection: its error sits in the chain, possibly inside an
/// `io::Error` (whose `source` skips the error it wraps).
fn is_tls_failure(e: &reqwest::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        if s.is::<rustls::Error>() || inner.is_some_and(|i| i.is::<rustls::Error>()) {
            return true;
        }
        src = s.source();
    }
    false
}

/// Why one attempt failed, before deciding whether to try again.
enum Failure {
    Status {
        status: u16,
        retry_after: Option<Duration>,
        body: ErrorBody,
    },
    Network {
        message: String,
        /// The request certainly never reached the server (connection refused, DNS).
        before_sending: bool,
        timeout: bool,
        /// TLS refused the connection (a certificate that does not verify, say).
        tls: bool,
    },
    /// A redirect we do not follow: to another origin, or without a location.
    Redirect {
        status: u16,
        location: Option<String>,
    },
}

impl Failure {
    fn network(e: &reqwest::Error) -> Self {
        // The whole chain: reqwest's own message is terse ("error sending request").
        let mut message = network::chain(e);
        let tls = is_tls_failure(e);
        if tls {
            message.push_str(
                "; if a proxy or a corporate CA signs this service's certificate, pass \
                 ca_cert=PATH (or set REQUESTS_CA_BUNDLE or SSL_CERT_FILE to a PEM file)",
            );
        }
        Failure::Network {
            message,
            before_sending: e.is_connect(),
            timeout: e.is_timeout(),
            tls,
        }
    }

    /// Why this attempt failed, in a few words (for the retry's log record).
    fn reason(&self) -> String {
        match self {
            Failure::Status { status, .. } => format!("HTTP {status}"),
            Failure::Network { message, .. } => message.clone(),
            Failure::Redirect { status, .. } => format!("HTTP {status}"),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            Failure::Network { .. } | Failure::Redirect { .. } => None,
        }
    }

    fn into_error(self, ctx: RequestContext, retries: u32) -> Error {
        let ctx = Box::new(ctx);
        match self {
            Failure::Status {
                status,
                retry_after,
                body,
            } => {
                let mut ctx = ctx;
                if ctx.request_id.is_none() {
                    ctx.request_id = body.request_id;
                }
                Error::Api {
                    kind: ApiErrorKind::from_status(status),
                    status,
                    info: Box::new(ApiErrorInfo {
                        message: body.message,
                        code: body.code,
                        details: body.details,
                        documentation_url: body.documentation_url,
                        retry_after: retry_after.map(|d| d.as_secs_f64()),
                    }),
                    ctx,
                }
            }
            Failure::Redirect { status, location } => {
                let message = match location {
                    Some(to) => format!(
                        "the service redirected to another origin ({to}); not followed, so \
                         the key, the organization id and the request body stay where they were sent"
                    ),
                    None => "the service answered with a redirect but no location".to_owned(),
                };
                Error::Api {
                    kind: ApiErrorKind::Redirect,
                    status,
                    info: Box::new(ApiErrorInfo {
                        message,
                        ..Default::default()
                    }),
                    ctx,
                }
            }
            Failure::Network {
                message, timeout, ..
            } => {
                let tries = if retries > 0 {
                    format!(" (after {retries} retries)")
                } else {
                    String::new()
                };
                let message = if timeout {
                    format!("the request timed out{tries}: {message}")
                } else {
                    format!("network error{tries}: {message}")
                };
                Error::Transport { message, ctx }
            }
        }
    }
}
