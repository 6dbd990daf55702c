//! Waiting for a remote job: poll fast at first, back off, stop at a deadline. Shared by
//! every provider whose queries run asynchronously.

use std::future::Future;
use std::time::{Duration, Instant};

use std::sync::Mutex;

use crate::error::{Error, RequestContext, Result};
use crate::events;
use crate::providers::options::CallOptions;

#[derive(Debug, Clone, Copy)]
pub struct PollPolicy {
    pub initial: Duration,
    pub factor: f64,
    pub max: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial: Duration::from_millis(50),
            factor: 1.5,
            max: Duration::from_secs(2),
        }
    }
}

/// Where a job stands, in the three states that matter to a waiting caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    /// Reads a service's free-form status word. Unknown words mean "still running": new
    /// intermediate states must not fail a wait, and the deadline bounds it anyway.
    pub fn classify(status: &str) -> JobState {
        match status.to_ascii_uppercase().as_str() {
            "SUCCESS" | "SUCCEEDED" | "COMPLETED" | "COMPLETE" | "DONE" | "FINISHED" => {
                JobState::Succeeded
            }
            "FAILURE" | "FAILED" | "ERROR" | "REVOKED" | "CANCELLED" | "CANCELED" | "ABORTED"
            | "TIMEOUT" => JobState::Failed,
            _ => JobState::Running,
        }
    }
}

/// A job being waited for: each change of its state goes to the log (INFO, under the
/// service's logger) and to the call's progress.
pub struct JobWatch<'a> {
    target: &'static str,
    what: &'static str,
    id: String,
    start: Instant,
    last: Mutex<Option<String>>,
    call: &'a CallOptions,
}

impl<'a> JobWatch<'a> {
    /// Starts watching `what` `id` (a "query", a "run"); `target` is the logger.
    pub fn new(target: &'static str, what: &'static str, id: &str, call: &'a CallOptions) -> Self {
        events::waiting(target, what, id, call.timeout);
        if let Some(p) = &call.progress {
            p.query_id(id);
            p.state("waiting");
        }
        JobWatch {
            target,
            what,
            id: id.to_owned(),
            start: Instant::now(),
            last: Mutex::new(None),
            call,
        }
    }

    /// The job's state now (the service's status word).
    pub fn saw(&self, state: &str) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_deref() == Some(state) {
            return;
        }
        *last = Some(state.to_owned());
        events::job_state(
            self.target,
            self.what,
            &self.id,
            state,
            self.start.elapsed(),
        );
        if let Some(p) = &self.call.progress {
            p.state(state);
        }
    }
}

/// Calls `step` until it returns Some, sleeping between calls with backoff, until
/// `timeout` (None: wait as long as it takes). `ctx` names the job in a timeout error.
///
/// The deadline bounds the whole call, not only the polling: a step under way when it
/// passes (a status request, a result still downloading) is dropped, which cancels it.
pub async fn poll_until<T, F, Fut>(
    timeout: Option<Duration>,
    policy: PollPolicy,
    ctx: RequestContext,
    step: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    within(timeout, ctx.clone(), poll(timeout, policy, ctx, step)).await
}

/// `work`, or a Timeout error once `timeout` has passed.
pub async fn within<T>(
    timeout: Option<Duration>,
    ctx: RequestContext,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(t) = timeout else {
        return work.await;
    };
    match tokio::time::timeout(t, work).await {
        Ok(out) => out,
        Err(_) => Err(Error::Timeout {
            message: "the deadline passed while waiting for the service's answer".into(),
            waited: t,
            ctx: Box::new(ctx),
        }),
    }
}

async fn poll<T, F, Fut>(
    timeout: Option<Duration>,
    policy: PollPolicy,
    ctx: RequestContext,
    mut step: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    let still_running = |waited| Error::Timeout {
        message: "the query was still running".into(),
        waited,
        ctx: Box::new(ctx.clone()),
    };
    let mut interval = policy.initial;
    loop {
        if let Some(done) = step().await? {
            return Ok(done);
        }
        let waited = start.elapsed();
        let sleep = match timeout {
            Some(t) if waited >= t => return Err(still_running(waited)),
            Some(t) => interval.min(t - waited),
            None => interval,
        };
        tokio::time::sleep(sleep).await;
        // Checked here too: the outer deadline fires at the same instant, and the job is
        // better described as still running than as an answer that did not come.
        match timeout {
            Some(t) if start.elapsed() >= t => return Err(still_running(start.elapsed())),
            _ => {}
        }
        interval = interval.mul_f64(policy.factor).min(policy.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states() {
        assert_eq!(JobState::classify("SUCCESS"), JobState::Succeeded);
        assert_eq!(JobState::classify("completed"), JobState::Succeeded);
        assert_eq!(JobState::classify("REVOKED"), JobState::Failed);
        assert_eq!(JobState::classify("PENDING"), JobState::Running);
        assert_eq!(JobState::classify("SOMETHING_NEW"), JobState::Running);
    }

    #[tokio::test]
    async fn polls_until_done_and_times_out() {
        let mut n = 0;
        let got = poll_until(None, PollPolicy::default(), Default::default(), || {
            n += 1;
            let done = n == 3;
            async move { Ok(done.then_some(n)) }
        })
        .await
        .unwrap();
        assert_eq!(got, 3);

        let start = Instant::now();
        let e = poll_until(
            Some(Duration::from_millis(200)),
            PollPolicy::default(),
            Default::default(),
            || async { Ok(None::<()>) },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }));
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn the_deadline_bounds_a_slow_step_too() {
        let start = Instant::now();
        let e = poll_until(
            Some(Duration::from_millis(200)),
            PollPolicy::default(),
            Default::default(),
            || async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(Some(()))
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e}");
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}
