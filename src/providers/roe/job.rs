//! A submitted query, and which of its ids the status and result endpoints accept.
//!
//! The submit endpoint returns a bare task id (older documentation) or an object with both a
//! worksheet query id (`id`) and a `query_task_id`; the documentation does not say which one
//! the status and result URLs want. Our choice: the worksheet query id first (the status
//! response is keyed by `worksheet_query_id`), then the task id if the first gets a 404. The
//! id that worked is remembered so later polls do not pay for the miss.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::transport::path::segment;

#[derive(Debug)]
pub struct JobRef {
    pub worksheet_query_id: Option<String>,
    pub task_id: Option<String>,
    /// The status the submit response reported, if any.
    pub submitted_status: Option<String>,
    /// An error the submit response already carried.
    pub submitted_error: Option<String>,
    ids: Vec<String>,
    /// Each id as a URL path segment.
    segments: Vec<String>,
    working: AtomicUsize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    pub status: String,
    pub error: Option<String>,
}

impl JobRef {
    /// A job by the ids the service gave it; Err says why an id cannot go into a URL (an
    /// empty one, `..`): the caller reports it as the service's fault or the user's.
    pub fn new(
        worksheet_query_id: Option<String>,
        task_id: Option<String>,
        submitted_status: Option<String>,
        submitted_error: Option<String>,
    ) -> std::result::Result<Self, String> {
        let mut ids: Vec<String> = worksheet_query_id.iter().chain(&task_id).cloned().collect();
        ids.dedup();
        if ids.is_empty() {
            return Err("the job has no id".into());
        }
        let segments = ids
            .iter()
            .map(|id| segment(id))
            .collect::<std::result::Result<_, _>>()?;
        Ok(JobRef {
            worksheet_query_id,
            task_id,
            submitted_status,
            submitted_error,
            ids,
            segments,
            working: AtomicUsize::new(0),
        })
    }

    /// A job known only by one id (from an earlier session, say).
    pub fn from_id(id: String) -> Result<Self> {
        JobRef::new(Some(id), None, None, None)
            .map_err(|why| Error::Config(format!("job id: {why}")))
    }

    /// The id to show users: the one that works, else the first we have.
    pub fn id(&self) -> &str {
        let i = self.working.load(Ordering::Relaxed);
        self.ids
            .get(i)
            .or(self.ids.first())
            .map_or("", String::as_str)
    }

    /// `id()` as a path segment.
    pub fn segment(&self) -> &str {
        let i = self.working.load(Ordering::Relaxed);
        self.segments
            .get(i)
            .or(self.segments.first())
            .map_or("", String::as_str)
    }

    /// Ids as path segments, in the order to try them: the one that worked last, then the
    /// others.
    pub fn segments_to_try(&self) -> impl Iterator<Item = (usize, &str)> {
        let first = self.working.load(Ordering::Relaxed);
        let rest = (0..self.ids.len()).filter(move |&i| i != first);
        std::iter::once(first)
            .filter(|&i| i < self.ids.len())
            .chain(rest)
            .map(|i| (i, self.segments[i].as_str()))
    }

    pub fn remember_working_id(&self, index: usize) {
        self.working.store(index, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_worksheet_id_then_task_id_and_remembers() {
        let j = JobRef::new(Some("w".into()), Some("t/1".into()), None, None).unwrap();
        assert_eq!(
            j.segments_to_try().map(|(_, id)| id).collect::<Vec<_>>(),
            ["w", "t%2F1"]
        );
        j.remember_working_id(1);
        assert_eq!(j.id(), "t/1");
        assert_eq!(
            j.segments_to_try().map(|(_, id)| id).collect::<Vec<_>>(),
            ["t%2F1", "w"]
        );
        let only_task = JobRef::new(None, Some("t".into()), None, None).unwrap();
        assert_eq!(only_task.segments_to_try().count(), 1);
    }

    #[test]
    fn unusable_ids_are_refused() {
        for bad in ["", "  ", ".", ".."] {
            assert!(
                JobRef::new(Some(bad.into()), None, None, None).is_err(),
                "{bad:?}"
            );
            assert!(JobRef::new(Some("ok".into()), Some(bad.into()), None, None).is_err());
            assert!(matches!(JobRef::from_id(bad.into()), Err(Error::Config(_))));
        }
        assert!(JobRef::new(None, None, None, None).is_err());
    }
}
