//! Progress of one call, for a bar or the user's callback: the job's state, the time since
//! the call began, the bytes received and the rows decoded. Counters are updated where the
//! work happens (polling, reading the body, decoding chunks); the sink hears a state change
//! at once and counters at most every `EVERY`, so a fast download does not call into Python
//! per network read.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often counters may reach the sink.
const EVERY: Duration = Duration::from_millis(100);

/// Where a call stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// `sending`, the service's own status word while a job runs (`PENDING`, `STARTED`,
    /// ...), `downloading`, then `done` or `failed`.
    pub state: String,
    pub elapsed: Duration,
    pub bytes: u64,
    pub rows: u64,
    pub query_id: Option<String>,
}

pub type Sink = Arc<dyn Fn(&Snapshot) + Send + Sync>;

pub struct Progress {
    sink: Sink,
    start: Instant,
    inner: Mutex<Inner>,
}

struct Inner {
    state: String,
    bytes: u64,
    rows: u64,
    query_id: Option<String>,
    last_emit: Option<Instant>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress").finish_non_exhaustive()
    }
}

impl Progress {
    pub fn new(sink: Sink) -> Arc<Self> {
        Arc::new(Progress {
            sink,
            start: Instant::now(),
            inner: Mutex::new(Inner {
                state: "sending".into(),
                bytes: 0,
                rows: 0,
                query_id: None,
                last_emit: None,
            }),
        })
    }

    fn update(&self, change: impl FnOnce(&mut Inner) -> bool) {
        let snapshot = {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let urgent = change(&mut inner);
            let now = Instant::now();
            let due = inner.last_emit.is_none_or(|t| now - t >= EVERY);
            if !urgent && !due {
                return;
            }
            inner.last_emit = Some(now);
            Snapshot {
                state: inner.state.clone(),
                elapsed: self.start.elapsed(),
                bytes: inner.bytes,
                rows: inner.rows,
                query_id: inner.query_id.clone(),
            }
        };
        (self.sink)(&snapshot);
    }

    /// A new state, told at once if it changed.
    pub fn state(&self, state: &str) {
        self.update(|i| {
            let changed = i.state != state;
            if changed {
                i.state = state.to_owned();
            }
            changed
        });
    }

    /// The job's id, told with the next update.
    pub fn query_id(&self, id: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.query_id = Some(id.to_owned());
    }

    /// `n` more bytes of a response arrived (the state becomes `downloading`).
    pub fn bytes(&self, n: u64) {
        self.update(|i| {
            i.bytes += n;
            let started = i.state != "downloading";
            if started {
                i.state = "downloading".into();
            }
            started
        });
    }

    /// `n` more rows were decoded.
    pub fn rows(&self, n: u64) {
        self.update(|i| {
            i.rows += n;
            false
        });
    }

    /// The call ended: `done` or `failed`, told at once.
    pub fn finish(&self, ok: bool) {
        self.state(if ok { "done" } else { "failed" });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_at_once_counters_throttled() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let p = Progress::new(Arc::new(move |s: &Snapshot| {
            log.lock().unwrap().push(s.clone())
        }));
        p.state("PENDING");
        for _ in 0..1000 {
            p.bytes(10);
        }
        p.rows(5);
        p.finish(true);
        let seen = seen.lock().unwrap();
        let states: Vec<&str> = seen.iter().map(|s| s.state.as_str()).collect();
        assert_eq!(states, ["PENDING", "downloading", "done"]);
        assert_eq!((seen[2].bytes, seen[2].rows), (10_000, 5));
    }
}
