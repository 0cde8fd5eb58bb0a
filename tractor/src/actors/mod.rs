//! Ready-made actors.

mod worker_pool;

pub use worker_pool::{PoolStats, Reservation, Run, Stats, Submit, TrySubmit, WorkerPool};
