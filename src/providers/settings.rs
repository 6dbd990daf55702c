//! Settings every service client shares: API key, base URL, timeout and retries, taken
//! from explicit arguments first, then `<PREFIX>_API_KEY`, `<PREFIX>_BASE_URL`,
//! `<PREFIX>_TIMEOUT`, `<PREFIX>_MAX_RETRIES`, then documented defaults.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::transport::{RetryPolicy, TransportConfig};

#[derive(Debug, Default, Clone)]
pub struct CommonOptions {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
}

/// How one service names its variables and where it lives by default.
pub struct ServiceDefaults {
    pub service: &'static str,
    pub env_prefix: &'static str,
    pub base_url: &'static str,
}

pub fn nonempty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

pub fn resolve(
    opts: CommonOptions,
    defaults: &ServiceDefaults,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<TransportConfig> {
    let var = |name: &str| nonempty(env(&format!("{}_{name}", defaults.env_prefix)));
    let api_key = nonempty(opts.api_key)
        .or_else(|| var("API_KEY"))
        .ok_or_else(|| {
            Error::Config(format!(
                "no {} API key: pass api_key=... or set {}_API_KEY",
                defaults.service, defaults.env_prefix
            ))
        })?;
    // Users paste whole header values; the transport adds the scheme itself.
    let key = api_key.trim();
    let api_key = key.strip_prefix("Bearer ").unwrap_or(key).trim().to_owned();
    let base_url = nonempty(opts.base_url)
        .or_else(|| var("BASE_URL"))
        .unwrap_or_else(|| defaults.base_url.to_owned());
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(Error::Config(format!(
            "base URL must start with http:// or https://, got {base_url:?}"
        )));
    }
    let timeout = match opts.timeout {
        Some(t) => t,
        None => match var("TIMEOUT") {
            Some(v) => parse_seconds(&v, &format!("{}_TIMEOUT", defaults.env_prefix))?,
            None => Duration::from_secs(60),
        },
    };
    let max_retries = match opts.max_retries {
        Some(n) => n,
        None => match var("MAX_RETRIES") {
            Some(v) => v.trim().parse().map_err(|_| {
                Error::Config(format!(
                    "{}_MAX_RETRIES must be a whole number, got {v:?}",
                    defaults.env_prefix
                ))
            })?,
            None => 3,
        },
    };
    Ok(TransportConfig {
        service: defaults.service,
        base_url: base_url.trim_end_matches('/').to_owned(),
        api_key,
        extra_headers: Vec::new(),
        connect_timeout: Duration::from_secs(10).min(timeout),
        read_timeout: timeout,
        retry: RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        },
    })
}

fn parse_seconds(v: &str, name: &str) -> Result<Duration> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            Error::Config(format!(
                "{name} must be a positive number of seconds, got {v:?}"
            ))
        })
}
