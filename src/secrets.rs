//! The API keys of the clients alive in this process, and their removal from every text we
//! hand to the user. A key travels only in the Authorization header, but a server (or a
//! proxy in front of it) may echo it back in an error body, a status message or a row; the
//! errors we raise and the log records we emit pass through [`redact`] on their way out.
//!
//! A process-wide registry rather than a key threaded through every call: an error can
//! carry text from deep inside a decode, far from the client that knows the key, and one
//! exit point (the Python error conversion) then covers them all.

use std::borrow::Cow;
use std::sync::Mutex;

/// Shorter "keys" cannot be told from ordinary words (the tests' "k"); they are not
/// redacted, so messages stay readable. Real keys are far longer.
const MIN_SECRET_CHARS: usize = 6;

/// Shown in place of a secret.
pub const REDACTED: &str = "***";

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A secret kept in the registry while this lives (a client holds one per key).
#[derive(Debug)]
pub struct Registered(Option<String>);

/// Adds `secret` to the registry until the returned guard is dropped.
pub fn register(secret: &str) -> Registered {
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Registered(None);
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(|p| p.into_inner());
    secrets.push(secret.to_owned());
    // Longest first: a key that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    Registered(Some(secret.to_owned()))
}

impl Drop for Registered {
    fn drop(&mut self) {
        let Some(secret) = self.0.take() else { return };
        let mut secrets = SECRETS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = secrets.iter().position(|s| *s == secret) {
            secrets.remove(i);
        }
    }
}

/// `text` with every registered secret replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.lock().unwrap_or_else(|p| p.into_inner());
    let mut out = Cow::Borrowed(text);
    for s in secrets.iter() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), REDACTED));
        }
    }
    out
}

/// Redacts `text` in place.
pub fn redact_in_place(text: &mut String) {
    if let Cow::Owned(clean) = redact(text) {
        *text = clean;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_redacted_until_dropped() {
        let key = "sk-registry-test-0123456789";
        let guard = register(key);
        let long = register("sk-registry-test-0123456789-and-more");
        let echoed =
            format!("Invalid token: Bearer {key}; also sk-registry-test-0123456789-and-more");
        assert_eq!(redact(&echoed), "Invalid token: Bearer ***; also ***");
        drop(long);
        drop(guard);
        assert_eq!(redact(&echoed), echoed);
        let _short = register("k");
        assert_eq!(redact("keep the k"), "keep the k");
    }
}
