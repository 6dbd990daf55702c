//! JSON requests for resource endpoints (lists, gets, creates, updates, deletes), shared
//! by the services whose APIs are mostly that.

use reqwest::Method;
use serde_json::Value;

use crate::error::{Error, RequestContext, Result};
use crate::transport::{Request, Transport};

/// A JSON request described without the transport: what Python asks for.
pub struct JsonCall {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl JsonCall {
    /// A call as the Python resource classes describe it: a method name and a path.
    pub fn new(
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Result<Self> {
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PATCH" => Method::PATCH,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            _ => return Err(Error::Config(format!("unsupported HTTP method {method:?}"))),
        };
        if !path.starts_with('/') {
            return Err(Error::Config(format!(
                "a path must start with '/', got {path:?}"
            )));
        }
        Ok(JsonCall {
            method,
            path: path.to_owned(),
            query,
            body,
        })
    }
}

/// Sends `call` and returns the parsed body (`null` for an empty one, such as a 204) with
/// the context of the response (request id, rate-limit headers).
pub async fn send_json(t: &Transport, call: &JsonCall) -> Result<(Value, RequestContext)> {
    let mut req = match &call.body {
        Some(b) => Request::with_body(call.method.clone(), call.path.clone(), b.clone()),
        None if call.method == Method::DELETE => Request::delete(call.path.clone()),
        None if call.method == Method::GET => Request::get(call.path.clone()),
        None => Request::with_body(call.method.clone(), call.path.clone(), Value::Null),
    };
    if req.body.as_ref().is_some_and(Value::is_null) {
        req.body = None;
    }
    for (k, v) in &call.query {
        req.query.push((k.as_str(), v.clone()));
    }
    let resp = t.send(&req).await?;
    let value = if resp.body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        resp.json()?
    };
    Ok((value, resp.ctx))
}
