//! [`Children`]: the actors an actor spawned, owned by it and stopped before it,
//! and (in the same box) its timers and attached streams.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;

use super::Control;
use crate::timers::Timers;
use crate::util::push_pruned;

/// An actor's children, oldest first.
///
/// A child is owned by its parent: the parent holds a ref to it, so it lives
/// until it stops itself, is stopped, or its parent stops, whether or not
/// anyone else still holds a ref to it.
///
/// The same box holds the actor's [`Timers`]: like children, they are owned
/// by the actor and end with it, and most actors have neither, so one
/// pointer in every actor's context serves both.
#[derive(Default)]
pub(crate) struct Children {
    /// Boxed: most actors have none, and every actor's task holds this.
    owned: Option<Box<Owned>>,
}

/// What an actor owns besides its state.
#[derive(Default)]
struct Owned {
    list: Vec<Child>,
    /// Boxed again: an actor with children but no timers pays 8 bytes here.
    timers: Option<Box<Timers>>,
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
        push_pruned(&mut self.owned.get_or_insert_default().list, Child { ctl, _owned: owned }, |c| c.ctl.is_dead());
    }

    pub(crate) fn len(&self) -> usize {
        self.owned.as_ref().map_or(0, |o| o.list.len())
    }

    /// The actor's timers and streams, made on first use.
    pub(crate) fn timers(&mut self) -> &mut Timers {
        self.owned.get_or_insert_default().timers.get_or_insert_default()
    }

    /// The actor's timers and streams, if it ever had any.
    pub(crate) fn timers_if_any(&mut self) -> Option<&mut Timers> {
        self.owned.as_mut()?.timers.as_deref_mut()
    }

    /// Kills the children, newest first, and waits for each to end.
    pub(crate) async fn kill_all(&mut self) {
        while let Some(Child { ctl, .. }) = self.owned.as_mut().and_then(|o| o.list.pop()) {
            ctl.kill();
            ctl.wait().await;
        }
    }

    /// Stops the children, newest first, and waits for each; kills them if
    /// `parent` is killed, before or while it waits.
    pub(crate) async fn stop_all(&mut self, parent: &Control) {
        while let Some(Child { ctl, .. }) = self.owned.as_mut().and_then(|o| o.list.pop()) {
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
