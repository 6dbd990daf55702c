//! The message in an error response, whichever of the services' shapes it comes in.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorBody {
    pub message: String,
    pub code: Option<String>,
    /// JSON text of a `details` object.
    pub details: Option<String>,
    pub documentation_url: Option<String>,
    /// `meta.request_id` of an enveloped error.
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// Understands `{message}`, DRF's `{detail}`, `{error: "..."}`,
    /// `{error: {code, message, details}}`, `{type, message}`, and a bare list of strings.
    /// Anything else becomes a short excerpt of the body, or `fallback` when it is empty.
    pub fn parse(body: &[u8], fallback: &str) -> Self {
        let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        if let Some(found) = parsed.as_ref().and_then(from_json) {
            return found;
        }
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        ErrorBody {
            message: if text.is_empty() {
                fallback.to_owned()
            } else {
                crate::decode::scanner::truncate(text, 300)
            },
            ..Default::default()
        }
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

fn details(v: Option<&Value>) -> Option<String> {
    v.filter(|d| !d.is_null()).map(Value::to_string)
}

fn from_json(v: &Value) -> Option<ErrorBody> {
    match v {
        Value::Object(map) => {
            let request_id = map
                .get("meta")
                .and_then(|m| m.get("request_id"))
                .and_then(text);
            if let Some(Value::Object(inner)) = map.get("error") {
                return Some(ErrorBody {
                    message: inner.get("message").and_then(text)?,
                    code: inner.get("code").and_then(text),
                    details: details(inner.get("details")),
                    documentation_url: None,
                    request_id,
                });
            }
            let message = ["message", "detail", "error", "errors"]
                .iter()
                .find_map(|k| map.get(*k).and_then(text))?;
            let code = ["code", "type"]
                .iter()
                .find_map(|k| map.get(*k).and_then(text));
            Some(ErrorBody {
                message,
                code,
                details: details(map.get("details")),
                documentation_url: map.get("documentation_url").and_then(text),
                request_id,
            })
        }
        Value::Array(_) | Value::String(_) => text(v).map(|message| ErrorBody {
            message,
            ..Default::default()
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_documentation_and_request_id_are_kept() {
        let b = ErrorBody::parse(
            br#"{"error": {"code": "validation_error", "message": "bad", "details": {"field": "role"}}, "meta": {"request_id": "req_1"}}"#,
            "",
        );
        assert_eq!(b.details.as_deref(), Some(r#"{"field":"role"}"#));
        assert_eq!(b.request_id.as_deref(), Some("req_1"));
        let b = ErrorBody::parse(
            br#"{"type": "invalid_request", "message": "m", "documentation_url": "https://d"}"#,
            "",
        );
        assert_eq!(b.documentation_url.as_deref(), Some("https://d"));
    }

    fn msg(body: &str) -> (String, Option<String>) {
        let b = ErrorBody::parse(body.as_bytes(), "Bad Request");
        (b.message, b.code)
    }

    #[test]
    fn every_documented_shape() {
        assert_eq!(msg(r#"{"message": "bad sql"}"#).0, "bad sql");
        assert_eq!(msg(r#"{"detail": "Invalid token."}"#).0, "Invalid token.");
        assert_eq!(
            msg(r#"["Worksheet query has been cancelled and cannot be executed"]"#).0,
            "Worksheet query has been cancelled and cannot be executed"
        );
        assert_eq!(
            msg(r#"{"error": {"code": "not_found", "message": "no such query", "details": {}}}"#),
            ("no such query".into(), Some("not_found".into()))
        );
        assert_eq!(
            msg(
                r#"{"type": "invalid_request", "message": "already running", "documentation_url": "x"}"#
            ),
            ("already running".into(), Some("invalid_request".into()))
        );
        assert_eq!(msg("").0, "Bad Request");
        assert_eq!(msg("<html>oops</html>").0, "<html>oops</html>");
    }
}
