//! CPU-bound work (decoding a response held in memory) runs on tokio's blocking pool, never
//! on a runtime worker: under the `_async` twins the workers are shared by every request in
//! flight, and a decode of a large result would stall them all for its whole length.

use crate::error::{Error, Result};

/// Runs `work` on the blocking pool and waits for it without occupying a worker.
pub async fn off_the_workers<T, F>(work: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::decode(format!("a decoder stopped unexpectedly: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// On a one-worker runtime, a ticker keeps ticking while a long decode runs: the
    /// decode is not on the worker.
    #[test]
    fn long_work_leaves_the_worker_free() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let ticker = tokio::spawn(async {
                let mut longest = Duration::ZERO;
                for _ in 0..20 {
                    let t = Instant::now();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    longest = longest.max(t.elapsed());
                }
                longest
            });
            let work = off_the_workers(|| {
                std::thread::sleep(Duration::from_millis(300));
                Ok(7)
            });
            assert_eq!(work.await.unwrap(), 7);
            let longest = ticker.await.unwrap();
            assert!(longest < Duration::from_millis(150), "{longest:?}");
        });
    }
}
