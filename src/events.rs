//! What the client tells the user's logging, each kind of event written once. Records go
//! to the `log` crate under targets that are Python logger names (`sqlquarry.http`,
//! `sqlquarry.roe`, ...), which the native module bridges into Python's `logging`. Nothing
//! is logged unless the user turns it on; a disabled level costs a cached comparison.
//!
//! Every message passes through `secrets::redact`: none carries a key, but a path or a
//! server's text might echo one.

use std::time::Duration;

use log::Level;

use crate::error::RequestContext;

/// Every request (DEBUG) and retry (WARNING).
pub const HTTP: &str = "sqlquarry.http";
/// Each service's waits and job states (INFO).
pub const ROE: &str = "sqlquarry.roe";
pub const SLATEO: &str = "sqlquarry.slateo";
pub const AIFORDB: &str = "sqlquarry.aifordb";
pub const TARGETS: [&str; 4] = [HTTP, ROE, SLATEO, AIFORDB];

fn emit(target: &str, level: Level, message: std::fmt::Arguments<'_>) {
    if log::log_enabled!(target: target, level) {
        let text = message.to_string();
        log::log!(target: target, level, "{}", crate::secrets::redact(&text));
    }
}

/// DEBUG: a response's head has arrived.
pub fn response(
    service: &str,
    method: &str,
    path: &str,
    status: u16,
    took: Duration,
    bytes: Option<u64>,
    request_id: Option<&str>,
) {
    let size = bytes.map_or_else(|| "streamed".to_owned(), |b| format!("{b} bytes"));
    let id = request_id.map_or_else(String::new, |id| format!(", request id {id}"));
    emit(
        HTTP,
        Level::Debug,
        format_args!("{service} {method} {path} -> {status} in {took:.1?} ({size}{id})"),
    );
}

/// WARNING: a request failed and is tried again after `wait`.
pub fn retry(ctx: &RequestContext, why: &str, attempt: u32, of: u32, wait: Duration) {
    let (service, method, path) = (ctx.service, &ctx.method, &ctx.path);
    let id = ctx.request_id.as_deref().unwrap_or("-");
    emit(
        HTTP,
        Level::Warn,
        format_args!(
            "{service} {method} {path} failed ({why}, request id {id}); retry {attempt} of \
             {of} in {wait:.1?}"
        ),
    );
}

/// INFO: a job's state changed (or it was first seen) while waiting for it.
pub fn job_state(target: &str, what: &str, id: &str, state: &str, waited: Duration) {
    emit(
        target,
        Level::Info,
        format_args!("{what} {id}: {state} after {waited:.1?}"),
    );
}

/// INFO: a wait for a job begins.
pub fn waiting(target: &str, what: &str, id: &str, timeout: Option<Duration>) {
    let limit = timeout.map_or_else(|| "no time limit".to_owned(), |t| format!("up to {t:.0?}"));
    emit(
        target,
        Level::Info,
        format_args!("waiting for {what} {id} ({limit})"),
    );
}
