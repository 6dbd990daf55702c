//! The one tokio runtime, and the two ways Python waits on it.
//!
//! Blocking calls detach from the interpreter (other Python threads run) and wake every
//! `SIGNAL_TICK` to let Python handle signals, so Ctrl-C raises KeyboardInterrupt promptly
//! and drops the request. They never start an asyncio loop, so they work inside Jupyter.
//! Async calls hand the same future to pyo3-async-runtimes, which bridges it to asyncio.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

const SIGNAL_TICK: Duration = Duration::from_millis(50);

static CREATED_BY_PID: OnceLock<u32> = OnceLock::new();

/// The process's runtime; an error after `fork()`, whose child inherits no runtime threads.
pub fn runtime() -> PyResult<&'static Runtime> {
    let pid = *CREATED_BY_PID.get_or_init(std::process::id);
    if pid != std::process::id() {
        return Err(PyRuntimeError::new_err(
            "sqlquarry was used before os.fork() and cannot run in the forked child: \
             use the 'spawn' or 'forkserver' start method, or import and use sqlquarry \
             only in the child",
        ));
    }
    Ok(pyo3_async_runtimes::tokio::get_runtime())
}

/// Runs `fut` to completion without holding the GIL, staying interruptible.
pub fn block_on<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = PyResult<T>> + Send,
    T: Send,
{
    let rt = runtime()?;
    let mut fut = std::pin::pin!(fut);
    loop {
        let done = py.detach(|| {
            rt.block_on(async {
                tokio::select! {
                    out = &mut fut => Some(out),
                    _ = tokio::time::sleep(SIGNAL_TICK) => None,
                }
            })
        });
        // Python code can run on this thread while it is detached: the logging bridge
        // (pyo3-log) attaches to hand a record to `logging`. A signal handler that fires
        // there raises inside that code, and pyo3-log leaves the exception set on the thread
        // instead of propagating it, the signal already consumed: without this, a Ctrl-C
        // landing at that moment was lost (the call went on waiting; 2-3 in 20 tries).
        if let Some(raised) = PyErr::take(py) {
            return Err(raised);
        }
        match done {
            Some(out) => return out,
            // KeyboardInterrupt (or any signal handler's exception) propagates from here;
            // returning drops `fut`, which cancels the in-flight request.
            None => py.check_signals()?,
        }
    }
}

/// Wraps `fut` as a Python awaitable on the shared runtime. Needs a running event loop:
/// called from inside a coroutine (`Pending.__await__`), it always has one.
pub fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    runtime()?;
    AWAITED.store(true, Ordering::Relaxed);
    pyo3_async_runtimes::tokio::future_into_py(py, fut)
}

/// Whether any awaitable was made in this process (see `settle_before_exit`).
static AWAITED: AtomicBool = AtomicBool::new(false);

/// How long exit waits, with the interpreter released, for the runtime's threads to leave
/// Python: far longer than the few drops that follow a result's hand-over.
const SETTLE: Duration = Duration::from_millis(50);

// After the last awaited result, a runtime thread is still attached to the interpreter for
// a moment (pyo3-async-runtimes hands the result to the event loop with
// `call_soon_threadsafe`, which releases the GIL to write to the loop's socket). If the
// main thread finalizes the interpreter meanwhile, that thread's release aborts the process
// ("PyGILState_Release: thread state must be current"; seen once in CI after `asyncio.run`
// over `iter_batches_async`). atexit runs before finalization starts, so waiting there,
// detached, lets those threads finish first. Costs nothing in programs that never awaited
// sqlquarry.
/// Registered with `atexit`: lets the runtime's threads leave Python before the
/// interpreter finalizes (see src/python/runtime.rs).
#[pyfunction]
pub fn _settle_before_exit(py: Python<'_>) {
    if AWAITED.load(Ordering::Relaxed) {
        py.detach(|| std::thread::sleep(SETTLE));
    }
}
