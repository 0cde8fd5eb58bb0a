//! Which actor's code this thread is running right now, so that an actor
//! that asks itself fails at once instead of waiting forever.

use std::cell::Cell;

use crate::handle::ActorId;

thread_local! {
    static CURRENT: Cell<Option<ActorId>> = const { Cell::new(None) };
}

/// The actor whose hook, step or handler this thread is polling, if any.
pub(crate) fn current_actor() -> Option<ActorId> {
    CURRENT.with(Cell::get)
}

/// Marks `id` as running until dropped (then the previous one again: a
/// runtime's `block_on` inside a handler nests).
pub(crate) struct Running(Option<ActorId>);

impl Running {
    pub(crate) fn enter(id: ActorId) -> Self {
        Running(CURRENT.with(|c| c.replace(Some(id))))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}
