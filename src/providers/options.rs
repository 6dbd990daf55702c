//! Options every service's query calls take, per call. A new common option is a field here,
//! read where it takes effect (polling, the transport), and passed through the providers
//! untouched: see docs/architecture.md, "Adding an option".

use std::sync::Arc;
use std::time::Duration;

use crate::progress::Progress;

#[derive(Debug, Default, Clone)]
pub struct CallOptions {
    /// Bounds the whole call: sending, waiting for the job, downloading the result.
    pub timeout: Option<Duration>,
    /// Told the job's state, the bytes received and the rows decoded as the call goes.
    pub progress: Option<Arc<Progress>>,
}
