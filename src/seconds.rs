//! Numbers of seconds from outside the process (arguments, environment variables, response
//! headers) made into `Duration`s without a panic. `Duration::from_secs_f64` panics on NaN,
//! negatives and values past ~5.8e11 years; nothing from outside reaches it.
//!
//! The rule, for every timeout a user gives: a positive number; NaN, infinities, zero and
//! negatives are refused; anything above [`MAX_TIMEOUT`] (one year) counts as one year.
//! A delay a server asks for saturates instead of failing: it is only ever compared with
//! the longest wait we accept, so "more than we can hold" is as good as its exact value.

use std::time::Duration;

use crate::error::{Error, Result};

/// The longest timeout: larger values are clamped to it (a year is "no limit" in practice,
/// and stays far from `Instant`'s overflow).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// A user's timeout of `value` seconds; `name` says where it came from, for the error.
pub fn timeout(value: f64, name: &str) -> Result<Duration> {
    if value.is_nan() || value <= 0.0 || value.is_infinite() {
        return Err(Error::Config(format!(
            "{name} must be a positive number of seconds, got {value}{}",
            if value.is_infinite() && value > 0.0 {
                " (pass None for no deadline)"
            } else {
                ""
            }
        )));
    }
    Ok(Duration::try_from_secs_f64(value)
        .unwrap_or(MAX_TIMEOUT)
        .min(MAX_TIMEOUT))
}

/// A timeout written as text (an environment variable's value).
pub fn parse_timeout(text: &str, name: &str) -> Result<Duration> {
    match text.trim().parse::<f64>() {
        Ok(value) => timeout(value, name),
        Err(_) => Err(Error::Config(format!(
            "{name} must be a positive number of seconds, got {text:?}"
        ))),
    }
}

/// A delay a server asked for, in seconds: None when it is not a delay at all (NaN,
/// negative); `Duration::MAX` when it is longer than a Duration holds.
pub fn server_delay(value: f64) -> Option<Duration> {
    if value.is_nan() || value < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn timeouts_are_positive_finite_and_clamped() {
        assert_eq!(timeout(2.5, "t").unwrap(), Duration::from_millis(2500));
        assert_eq!(timeout(1e20, "t").unwrap(), MAX_TIMEOUT);
        assert_eq!(timeout(1e300, "t").unwrap(), MAX_TIMEOUT);
        assert_eq!(timeout(f64::MIN_POSITIVE, "t").unwrap(), Duration::ZERO);
        for bad in [0.0, -0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = timeout(bad, "ROE_TIMEOUT").unwrap_err();
            assert!(
                matches!(&e, Error::Config(m) if m.starts_with("ROE_TIMEOUT must be")),
                "{e}"
            );
        }
        assert!(parse_timeout(" 1e20 ", "X").is_ok());
        assert!(parse_timeout("soon", "X").is_err());
        assert!(parse_timeout("nan", "X").is_err());
    }

    #[test]
    fn server_delays_saturate() {
        assert_eq!(server_delay(1e20), Some(Duration::MAX));
        assert_eq!(server_delay(0.5), Some(Duration::from_millis(500)));
        assert_eq!(server_delay(-1.0), None);
        assert_eq!(server_delay(f64::NAN), None);
        assert_eq!(server_delay(f64::INFINITY), Some(Duration::MAX));
    }

    proptest! {
        #[test]
        fn no_number_panics(bits in any::<u64>(), text in ".{0,40}") {
            let value = f64::from_bits(bits);
            let _ = timeout(value, "t");
            let _ = server_delay(value);
            let _ = parse_timeout(&text, "t");
            let _ = parse_timeout(&value.to_string(), "t");
        }
    }
}
