//! [`Children`]: the actors an actor spawned, owned by it and stopped before it.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;

use super::Control;
use crate::util::push_pruned;

/// An actor's children, oldest first.
///
/// A child is owned by its parent: the parent holds a ref to it, so it lives
/// until it stops itself, is stopped, or its parent stops, whether or not
/// anyone else still holds a ref to it.
#[derive(Default)]
pub(crate) struct Children {
    /// Boxed: most actors have none, and every actor's task holds this.
    #[allow(clippy::box_collection, reason = "8 bytes in every task instead of 24")]
    list: Option<Box<Vec<Child>>>,
}

struct Child {
    ctl: Arc<Control>,
    /// The child's mailbox handle (its `Cell`), type-erased: while the
    /// parent holds it, the child's refs are never all gone.
    _owned: Arc<dyn Any + Send + Sync>,
}

impl Children {
    /// Adds a child; `owned` is its mailbox handle, kept until it stops.
    pub(crate) fn push(&mut self, ctl: Arc<Control>, owned: Arc<dyn Any + Send + Sync>) {
        push_pruned(self.list.get_or_insert_default(), Child { ctl, _owned: owned }, |c| c.ctl.is_dead());
    }

    pub(crate) fn len(&self) -> usize {
        self.list.as_ref().map_or(0, |c| c.len())
    }

    /// Kills the children, newest first, and waits for each to end.
    pub(crate) async fn kill_all(&mut self) {
        while let Some(Child { ctl, .. }) = self.list.as_mut().and_then(|c| c.pop()) {
            ctl.kill();
            ctl.wait().await;
        }
    }

    /// Stops the children, newest first, and waits for each; kills them if
    /// `parent` is killed, before or while it waits.
    pub(crate) async fn stop_all(&mut self, parent: &Control) {
        while let Some(Child { ctl, .. }) = self.list.as_mut().and_then(|c| c.pop()) {
            let mut killed = parent.is_killed();
            if killed {
                ctl.kill();
            } else {
                ctl.request_stop();
            }
            // A kill of the parent wakes its task, which polls this again.
            let mut wait = pin!(ctl.wait());
            poll_fn(|cx| {
                if !killed && parent.is_killed() {
                    killed = true;
                    ctl.kill();
                }
                wait.as_mut().poll(cx).map(drop)
            })
            .await;
        }
    }
}
