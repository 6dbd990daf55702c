//! Roe client settings: explicit arguments first, then the environment variables the
//! official Roe SDKs read, then documented defaults.

use crate::error::{Error, Result};
use crate::providers::settings::{nonempty, resolve, CommonOptions, Prefix, ServiceDefaults};
use crate::transport::TransportConfig;

pub const DEFAULT_BASE_URL: &str = "https://api.roe-ai.com";

#[derive(Debug, Default, Clone)]
pub struct RoeOptions {
    pub organization_id: Option<String>,
    pub worksheet_id: Option<String>,
    /// Zone for DateTime columns that declare none (ClickHouse renders them in the
    /// server's zone). Default UTC.
    pub server_timezone: Option<String>,
    /// What every client takes: key, base URL, timeout, retries.
    pub common: CommonOptions,
}

#[derive(Clone)]
pub struct RoeConfig {
    pub organization_id: Option<String>,
    pub worksheet_id: Option<String>,
    pub server_timezone: String,
    pub transport: TransportConfig,
}

impl std::fmt::Debug for RoeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoeConfig")
            .field("base_url", &self.transport.base_url)
            .field("organization_id", &self.organization_id)
            .finish_non_exhaustive()
    }
}

const DEFAULTS: ServiceDefaults = ServiceDefaults {
    service: "Roe",
    env_prefix: "ROE",
    base_url: DEFAULT_BASE_URL,
    prefix: Prefix::InPaths("/v1"),
};

impl RoeConfig {
    /// `env` looks up an environment variable (injected so tests need not touch the real one).
    pub fn resolve(opts: RoeOptions, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut transport = resolve(opts.common, &DEFAULTS, &env)?;
        let organization_id =
            nonempty(opts.organization_id).or_else(|| nonempty(env("ROE_ORGANIZATION_ID")));
        let server_timezone = opts.server_timezone.unwrap_or_else(|| "UTC".into());
        crate::types::zone::Zone::named(&server_timezone).map_err(Error::Config)?;
        if let Some(org) = &organization_id {
            transport
                .extra_headers
                .push(("x-organization-id", org.clone()));
        }
        Ok(RoeConfig {
            organization_id,
            worksheet_id: nonempty(opts.worksheet_id),
            server_timezone,
            transport,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn arguments_beat_environment_and_bearer_is_stripped() {
        let c = RoeConfig::resolve(
            RoeOptions {
                common: CommonOptions {
                    api_key: Some("Bearer sk-arg".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            env(&[
                ("ROE_API_KEY", "sk-env"),
                ("ROE_TIMEOUT", "5"),
                ("ROE_BASE_URL", "https://x/"),
            ]),
        )
        .unwrap();
        assert_eq!(c.transport.api_key, "sk-arg");
        assert_eq!(c.transport.read_timeout, Duration::from_secs(5));
        assert_eq!(c.transport.base_url, "https://x");
        assert!(!format!("{c:?}").contains("sk-arg"));
    }

    #[test]
    fn missing_key_and_bad_values_are_config_errors() {
        assert!(RoeConfig::resolve(RoeOptions::default(), env(&[])).is_err());
        for bad in [
            &[("ROE_API_KEY", "k"), ("ROE_TIMEOUT", "soon")][..],
            &[("ROE_API_KEY", "k"), ("ROE_BASE_URL", "ftp://x")],
        ] {
            let owned: Vec<(String, String)> = bad
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            let e = RoeConfig::resolve(RoeOptions::default(), |k| {
                owned.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
            });
            assert!(matches!(e, Err(Error::Config(_))));
        }
    }
}
