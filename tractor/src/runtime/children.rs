//! [`Children`]: the actors an actor spawned, stopped before it.

use std::sync::Arc;

use super::Control;
use crate::util::push_pruned;

/// An actor's children, oldest first.
#[derive(Default)]
pub(crate) struct Children {
    /// Boxed: most actors have none, and every actor's task holds this.
    #[allow(clippy::box_collection, reason = "8 bytes in every task instead of 24")]
    list: Option<Box<Vec<Arc<Control>>>>,
}

impl Children {
    pub(crate) fn push(&mut self, child: Arc<Control>) {
        push_pruned(self.list.get_or_insert_default(), child, |c| c.is_dead());
    }

    pub(crate) fn len(&self) -> usize {
        self.list.as_ref().map_or(0, |c| c.len())
    }

    /// Stops (or kills) the children, newest first, and waits for each.
    pub(crate) async fn stop_all(&mut self, kill: bool) {
        while let Some(child) = self.list.as_mut().and_then(|c| c.pop()) {
            if kill {
                child.kill();
            } else {
                child.request_stop();
            }
            child.wait().await;
        }
    }
}
