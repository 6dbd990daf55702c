//! When to try again and how long to wait first.

use std::time::{Duration, SystemTime};

use rand::Rng;

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// A Retry-After longer than this is not waited out: the error is raised at once, with
    /// the delay on it, so a caller never hangs for minutes inside one call.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt + 1`, or None when the server asked for more
    /// than we are willing to wait.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(ra) = retry_after {
            return (ra <= self.max_retry_after).then_some(ra);
        }
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_backoff);
        // "Equal jitter": half fixed, half random, so concurrent clients spread out but
        // never retry instantly.
        let half = exp / 2;
        let jitter = rand::rng().random_range(0.0..=1.0);
        Some(half + half.mul_f64(jitter))
    }
}

/// `Retry-After` as delay-seconds (integer or fractional) or as an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return crate::seconds::server_delay(secs);
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let d = parse_retry_after(&soon).unwrap();
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
        for huge in ["1e20", "99999999999999999999999", "inf"] {
            assert_eq!(parse_retry_after(huge), Some(Duration::MAX), "{huge}");
        }
        assert_eq!(parse_retry_after("NaN"), None);
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, parse_retry_after("1e20")), None);
    }

    proptest::proptest! {
        #[test]
        fn no_header_value_panics(value in ".{0,64}", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let p = RetryPolicy::default();
            for v in [value.clone(), String::from_utf8_lossy(&bytes).into_owned()] {
                let d = parse_retry_after(&v);
                let _ = p.delay(3, d);
                let _ = d.map(|d| d.as_secs_f64());
            }
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_the_server() {
        let p = RetryPolicy::default();
        for attempt in 0..10 {
            let d = p.delay(attempt, None).unwrap();
            let full = (p.initial_backoff * 2u32.pow(attempt)).min(p.max_backoff);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(p.delay(0, Some(Duration::from_secs(3600))), None);
    }
}
