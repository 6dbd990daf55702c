//! Settings every service client shares: API key, base URL, timeout and retries, taken
//! from explicit arguments first, then `<PREFIX>_API_KEY`, `<PREFIX>_BASE_URL`,
//! `<PREFIX>_TIMEOUT`, `<PREFIX>_MAX_RETRIES`, then documented defaults.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::seconds;
use crate::transport::{NetworkOptions, RetryPolicy, TransportConfig};

#[derive(Debug, Default, Clone)]
pub struct CommonOptions {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    /// Allows a plain `http://` base URL to a host other than this machine.
    pub allow_insecure_http: bool,
    /// Proxy, roots and client certificate.
    pub network: NetworkOptions,
}

/// Set to 1 (or true) to allow plain HTTP to hosts other than this machine, for every client.
pub const ALLOW_INSECURE_HTTP_ENV: &str = "SQLQUARRY_ALLOW_INSECURE_HTTP";

/// How one service names its variables and where it lives by default.
pub struct ServiceDefaults {
    pub service: &'static str,
    pub env_prefix: &'static str,
    pub base_url: &'static str,
    /// The API's path prefix, and where it belongs: in the request paths (Roe's `/v1`,
    /// Slateo's `/api`: a base URL ending in it is trimmed) or in the base URL (AI for
    /// Database's `/v1`, also `/api/v1` self-hosted: one lacking it gets it).
    pub prefix: Prefix,
}

pub enum Prefix {
    InPaths(&'static str),
    InBase(&'static str),
}

/// `base_url` as the service needs it: without a trailing slash, with or without its API
/// prefix as the service's paths expect (users paste either).
pub fn normalise_base_url(base_url: &str, prefix: &Prefix) -> String {
    let base = base_url.trim().trim_end_matches('/');
    match *prefix {
        Prefix::InPaths(p) => base.strip_suffix(p).unwrap_or(base).to_owned(),
        Prefix::InBase(p) if base.ends_with(p) => base.to_owned(),
        Prefix::InBase(p) => format!("{base}{p}"),
    }
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
    let allow_http = opts.allow_insecure_http
        || env(ALLOW_INSECURE_HTTP_ENV).is_some_and(|v| {
            matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
        });
    check_base_url(&base_url, allow_http)?;
    let timeout = match opts.timeout {
        Some(t) => t,
        None => match var("TIMEOUT") {
            Some(v) => seconds::parse_timeout(&v, &format!("{}_TIMEOUT", defaults.env_prefix))?,
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
        base_url: normalise_base_url(&base_url, &defaults.prefix),
        api_key,
        extra_headers: Vec::new(),
        connect_timeout: Duration::from_secs(10).min(timeout),
        read_timeout: timeout,
        retry: RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        },
        network: opts.network,
    })
}

/// A base URL we may send the key to: http(s), no credentials, query or fragment of its own,
/// and HTTPS unless the host is this machine or the user opted in.
fn check_base_url(base_url: &str, allow_insecure_http: bool) -> Result<()> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "refusing to send the API key in clear text to {base_url}: use https://, or \
                 pass allow_insecure_http=True (or set {ALLOW_INSECURE_HTTP_ENV}=1) on a \
                 network you trust"
            )))
        }
        _ => {
            return Err(Error::Config(format!(
                "base URL must start with http:// or https://, got {base_url:?}"
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "the base URL must not carry credentials: pass the key as api_key=...".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "the base URL must not have a query string or fragment, got {base_url:?}"
        )));
    }
    Ok(())
}

/// `localhost` or a loopback address: traffic that never leaves this machine.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_with_or_without_the_prefix() {
        let roe = Prefix::InPaths("/v1");
        for url in [
            "https://api.roe-ai.com",
            "https://api.roe-ai.com/",
            "https://api.roe-ai.com/v1",
            "https://api.roe-ai.com/v1/",
        ] {
            assert_eq!(normalise_base_url(url, &roe), "https://api.roe-ai.com");
        }
        let slateo = Prefix::InPaths("/api");
        assert_eq!(normalise_base_url("http://h:1/api/", &slateo), "http://h:1");
        let aifordb = Prefix::InBase("/v1");
        for url in ["https://h", "https://h/", "https://h/v1", "https://h/v1/"] {
            assert_eq!(normalise_base_url(url, &aifordb), "https://h/v1");
        }
        assert_eq!(
            normalise_base_url("https://h/api", &aifordb),
            "https://h/api/v1"
        );
        assert_eq!(
            normalise_base_url("https://h/api/v1", &aifordb),
            "https://h/api/v1"
        );
    }

    #[test]
    fn https_unless_loopback_or_allowed() {
        for ok in [
            "https://api.roe-ai.com",
            "http://127.0.0.1:8000",
            "http://localhost:1",
            "http://[::1]:9/api",
            "http://127.8.9.1",
        ] {
            assert!(check_base_url(ok, false).is_ok(), "{ok}");
        }
        for bad in ["http://api.roe-ai.com", "http://10.0.0.1", "http://[::2]"] {
            let e = check_base_url(bad, false).unwrap_err().to_string();
            assert!(e.contains("clear text"), "{e}");
            assert!(check_base_url(bad, true).is_ok());
        }
        for bad in [
            "ftp://x",
            "https://user:pw@h",
            "https://h/?organization_id=1",
            "https://h/#x",
            "not a url",
        ] {
            assert!(check_base_url(bad, true).is_err(), "{bad}");
        }
    }
}
