//! Ready-made actors.

mod pub_sub;
mod worker_pool;

pub use pub_sub::{Delivery, PubSub, PubSubStats, Publish, Subscribe, SubscriberStats, Unsubscribe};
pub use worker_pool::{PoolStats, Reservation, Run, Stats, Submit, TrySubmit, WorkerPool};
