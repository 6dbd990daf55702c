//! One error type for the whole core. Every variant carries what a user needs to act on it
//! (which request, which query, which row and column) and never a credential: request paths
//! are stored without the host or query string, and headers are never copied in.

use std::fmt;
use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a failing request went. Built by the transport, enriched by the providers.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub service: &'static str,
    pub method: String,
    /// Path only (`/v1/database/query/`): no host, no query string, nothing secret.
    pub path: String,
    /// The URL requested, without its query string (a base URL carries no credentials:
    /// they are refused), for the messages that need it (a 404 says where it looked).
    pub url: String,
    pub request_id: Option<String>,
    pub query_id: Option<String>,
    /// The `X-RateLimit-*` headers of the response, when it had them.
    pub rate_limit: Option<RateLimit>,
}

/// A service's `X-RateLimit-Limit`, `-Remaining` and `-Reset` (unix seconds) headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub reset: Option<u64>,
}

/// Everything an HTTP error response said, beyond its status.
#[derive(Debug, Clone, Default)]
pub struct ApiErrorInfo {
    pub message: String,
    /// Machine-readable error code or type (`not_found`, `invalid_request`).
    pub code: Option<String>,
    /// Structured details as JSON text, when the service sent them.
    pub details: Option<String>,
    pub documentation_url: Option<String>,
    /// Seconds the service asked us to wait (429), when it said.
    pub retry_after: Option<f64>,
}

impl fmt::Display for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.service, self.method, self.path)?;
        if let Some(id) = &self.query_id {
            write!(f, ", query id {id}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        Ok(())
    }
}

/// What an HTTP error status means to the caller; decides the Python exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    Authentication,
    Permission,
    NotFound,
    Conflict,
    BadRequest,
    RateLimited,
    /// 402: the account is out of credits (Roe's SDK: insufficient credits).
    InsufficientCredits,
    Server,
    /// A redirect to another origin, not followed.
    Redirect,
    Other,
}

impl ApiErrorKind {
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Authentication,
            402 => Self::InsufficientCredits,
            403 => Self::Permission,
            404 | 410 => Self::NotFound,
            409 => Self::Conflict,
            429 => Self::RateLimited,
            400 | 405..=408 | 411..=428 => Self::BadRequest,
            500..=599 => Self::Server,
            _ => Self::Other,
        }
    }

    /// What to do next. A 404 says where it looked: the usual cause is a base URL that
    /// repeats the API's prefix or points elsewhere, not the id.
    fn advice(self, ctx: &RequestContext) -> String {
        if self == Self::NotFound {
            let doubled = ["/v1/v1/", "/api/api/", "/api/v1/api/"]
                .iter()
                .any(|d| ctx.url.contains(d));
            return if doubled {
                format!(
                    "the request went to {}, whose path repeats the API's prefix: check the \
                     base URL (the service's address, without the prefix)",
                    ctx.url
                )
            } else if ctx.query_id.is_some() {
                format!(
                    "check the id (results of old queries may have expired), or the base URL: \
                     the request went to {}",
                    ctx.url
                )
            } else {
                format!(
                    "nothing there at {}: check the base URL (or the id, if the path has one)",
                    ctx.url
                )
            };
        }
        self.static_advice().to_owned()
    }

    fn static_advice(self) -> &'static str {
        match self {
            Self::Authentication => "check the API key (argument or environment variable)",
            Self::Permission => {
                "the key lacks access: check the organization id and the key's scope"
            }
            Self::NotFound => "check the id; results of old queries may have expired",
            Self::Conflict => "the resource is busy; wait for it and try again",
            Self::BadRequest => "the service rejected the request's parameters",
            Self::RateLimited => "too many requests: retry after the delay the service asked for",
            Self::InsufficientCredits => {
                "the account has no credits left for this: add credits or check the plan in \
                 the service's console, then run it again"
            }
            Self::Server => "the service failed; retry later",
            Self::Redirect => "check the base URL: it should be the service's own address",
            Self::Other => "unexpected response",
        }
    }
}

/// A value that does not fit where it must go, with its coordinates.
#[derive(Debug, Clone, Default)]
pub struct DecodeError {
    pub message: String,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub column_type: Option<String>,
    /// At most a few dozen characters of the offending value.
    pub excerpt: Option<String>,
    pub query_id: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(row) = self.row {
            place.push(format!("row {row}"));
        }
        if let Some(col) = &self.column {
            match &self.column_type {
                Some(t) => place.push(format!("column '{col}' ({t})")),
                None => place.push(format!("column '{col}'")),
            }
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(", "))?;
        }
        f.write_str(&self.message)?;
        if let Some(v) = &self.excerpt {
            write!(f, " (value: {v})")?;
        }
        if let Some(id) = &self.query_id {
            write!(f, "; query id {id}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an HTTP error status.
    #[error("{} (HTTP {status} from {ctx}; {advice})", info.message, advice = kind.advice(ctx))]
    Api {
        kind: ApiErrorKind,
        status: u16,
        info: Box<ApiErrorInfo>,
        ctx: Box<RequestContext>,
    },
    /// The query ran and failed (bad SQL, a failed task, an `error` in the result).
    /// `info` holds the service's message and, when it sent them, its code and details.
    #[error("query failed: {} ({ctx})", info.message)]
    QueryFailed {
        info: Box<ApiErrorInfo>,
        status: Option<u16>,
        ctx: Box<RequestContext>,
    },
    /// A deadline passed; `message` says what was under way and what to do next.
    #[error("{message} after {waited:.1?} ({ctx})")]
    Timeout {
        message: String,
        waited: Duration,
        ctx: Box<RequestContext>,
    },
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// The network failed or the response was not what the protocol promises.
    #[error("{message} ({ctx})")]
    Transport {
        message: String,
        ctx: Box<RequestContext>,
    },
    /// Bad client configuration or arguments, found before anything was sent.
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// A failed query, with the service's message.
    pub fn query_failed(message: impl Into<String>, ctx: &RequestContext) -> Self {
        Error::QueryFailed {
            info: Box::new(ApiErrorInfo {
                message: message.into(),
                ..Default::default()
            }),
            status: None,
            ctx: Box::new(ctx.clone()),
        }
    }

    /// An HTTP error that means the query itself failed (a service's rule, applied by its
    /// provider): a QueryFailed keeping the status, code and details.
    pub fn into_query_failed(self) -> Self {
        match self {
            Error::Api {
                status, info, ctx, ..
            } => Error::QueryFailed {
                info,
                status: Some(status),
                ctx,
            },
            other => other,
        }
    }

    /// A Timeout told what the caller can do next, in the service's own terms.
    pub fn with_timeout_advice(mut self, advice: &str) -> Self {
        if let Error::Timeout { message, .. } = &mut self {
            message.push_str("; ");
            message.push_str(advice);
        }
        self
    }

    pub fn decode(message: impl Into<String>) -> Self {
        Error::Decode(Box::new(DecodeError {
            message: message.into(),
            ..Default::default()
        }))
    }

    /// A response that breaks the protocol (invalid JSON, a missing field): a data error,
    /// not a network one, since retrying gets the same bytes.
    pub fn malformed(ctx: &RequestContext, why: &str) -> Self {
        Error::Decode(Box::new(DecodeError {
            message: format!(
                "the service sent a malformed response to {} {}: {why}",
                ctx.method, ctx.path
            ),
            query_id: ctx.query_id.clone(),
            ..Default::default()
        }))
    }

    /// The query id this error concerns, if any.
    pub fn query_id(&self) -> Option<&str> {
        match self {
            Error::Api { ctx, .. }
            | Error::QueryFailed { ctx, .. }
            | Error::Timeout { ctx, .. }
            | Error::Transport { ctx, .. } => ctx.query_id.as_deref(),
            Error::Decode(d) => d.query_id.as_deref(),
            Error::Config(_) => None,
        }
    }

    /// This error with every registered API key removed from its texts (see `secrets`):
    /// what a server sent may echo the key.
    pub fn redacted(mut self) -> Self {
        use crate::secrets::redact_in_place as r;
        fn ctx_texts(ctx: &mut RequestContext) {
            r(&mut ctx.path);
            r(&mut ctx.url);
            ctx.request_id
                .iter_mut()
                .chain(&mut ctx.query_id)
                .for_each(r);
        }
        match &mut self {
            Error::Api { info, ctx, .. } | Error::QueryFailed { info, ctx, .. } => {
                r(&mut info.message);
                [
                    &mut info.code,
                    &mut info.details,
                    &mut info.documentation_url,
                ]
                .into_iter()
                .flatten()
                .for_each(r);
                ctx_texts(ctx);
            }
            Error::Timeout { message, ctx, .. } | Error::Transport { message, ctx } => {
                r(message);
                ctx_texts(ctx);
            }
            Error::Decode(d) => {
                r(&mut d.message);
                [
                    &mut d.column,
                    &mut d.column_type,
                    &mut d.excerpt,
                    &mut d.query_id,
                ]
                .into_iter()
                .flatten()
                .for_each(r);
            }
            Error::Config(message) => r(message),
        }
        self
    }

    /// Attach a query id to an error raised below the provider, which knows the id.
    pub fn with_query_id(mut self, id: &str) -> Self {
        match &mut self {
            Error::Api { ctx, .. }
            | Error::QueryFailed { ctx, .. }
            | Error::Timeout { ctx, .. }
            | Error::Transport { ctx, .. } => {
                ctx.query_id.get_or_insert_with(|| id.to_owned());
            }
            Error::Decode(d) => {
                d.query_id.get_or_insert_with(|| id.to_owned());
            }
            Error::Config(_) => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_names_row_column_type_and_value() {
        let e = DecodeError {
            message: "not an integer".into(),
            row: Some(3),
            column: Some("qty".into()),
            column_type: Some("Nullable(Int32)".into()),
            excerpt: Some("\"abc\"".into()),
            query_id: Some("q1".into()),
        };
        assert_eq!(
            e.to_string(),
            "row 3, column 'qty' (Nullable(Int32)): not an integer (value: \"abc\"); query id q1"
        );
    }

    #[test]
    fn status_kinds() {
        assert_eq!(ApiErrorKind::from_status(401), ApiErrorKind::Authentication);
        assert_eq!(ApiErrorKind::from_status(422), ApiErrorKind::BadRequest);
        assert_eq!(ApiErrorKind::from_status(503), ApiErrorKind::Server);
    }
}
