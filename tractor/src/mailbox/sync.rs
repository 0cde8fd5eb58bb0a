//! The synchronisation primitives the mailbox protocol uses: std's and
//! tokio's, or loom's when the crate is built with `--cfg loom` to model-check
//! it (tokio's `Notify` is not loom-aware: the models use a loom copy of what
//! the protocol relies on, `model_notify`).

#[cfg(all(test, loom))]
pub(crate) use super::model_notify::{Notified, Notify};
#[cfg(all(test, loom))]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64};
#[cfg(all(test, loom))]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::atomic::{AtomicU32, AtomicU64};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::{Mutex, MutexGuard};
#[cfg(not(all(test, loom)))]
pub(crate) use tokio::sync::{Notify, futures::Notified};
