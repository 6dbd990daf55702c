//! A submitted query, and which of its ids the status and result endpoints accept.
//!
//! The submit endpoint returns a bare task id (older documentation) or an object with both a
//! worksheet query id (`id`) and a `query_task_id`; the documentation does not say which one
//! the status and result URLs want. Our choice: the worksheet query id first (the status
//! response is keyed by `worksheet_query_id`), then the task id if the first gets a 404. The
//! id that worked is remembered so later polls do not pay for the miss.

use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct JobRef {
    pub worksheet_query_id: Option<String>,
    pub task_id: Option<String>,
    /// The status the submit response reported, if any.
    pub submitted_status: Option<String>,
    /// An error the submit response already carried.
    pub submitted_error: Option<String>,
    ids: Vec<String>,
    working: AtomicUsize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    pub status: String,
    pub error: Option<String>,
}

impl JobRef {
    pub fn new(
        worksheet_query_id: Option<String>,
        task_id: Option<String>,
        submitted_status: Option<String>,
        submitted_error: Option<String>,
    ) -> Self {
        let mut ids: Vec<String> = worksheet_query_id.iter().chain(&task_id).cloned().collect();
        ids.dedup();
        JobRef {
            worksheet_query_id,
            task_id,
            submitted_status,
            submitted_error,
            ids,
            working: AtomicUsize::new(0),
        }
    }

    /// A job known only by one id (from an earlier session, say).
    pub fn from_id(id: String) -> Self {
        JobRef::new(Some(id), None, None, None)
    }

    /// The id to show users: the one that works, else the first we have.
    pub fn id(&self) -> &str {
        let i = self.working.load(Ordering::Relaxed);
        self.ids
            .get(i)
            .or(self.ids.first())
            .map_or("", String::as_str)
    }

    /// Ids in the order to try them: the one that worked last, then the others.
    pub fn ids_to_try(&self) -> impl Iterator<Item = (usize, &str)> {
        let first = self.working.load(Ordering::Relaxed);
        let rest = (0..self.ids.len()).filter(move |&i| i != first);
        std::iter::once(first)
            .filter(|&i| i < self.ids.len())
            .chain(rest)
            .map(|i| (i, self.ids[i].as_str()))
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
        let j = JobRef::new(Some("w".into()), Some("t".into()), None, None);
        assert_eq!(
            j.ids_to_try().map(|(_, id)| id).collect::<Vec<_>>(),
            ["w", "t"]
        );
        j.remember_working_id(1);
        assert_eq!(j.id(), "t");
        assert_eq!(
            j.ids_to_try().map(|(_, id)| id).collect::<Vec<_>>(),
            ["t", "w"]
        );
        let only_task = JobRef::new(None, Some("t".into()), None, None);
        assert_eq!(only_task.ids_to_try().count(), 1);
    }
}
