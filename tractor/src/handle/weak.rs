//! [`WeakActorRef`]: a handle that names an actor without keeping it alive.

use std::any::type_name;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Weak};

use super::{ActorId, ActorRef, Cell};
use crate::actor::Actor;
use crate::runtime::Control;
use crate::util::short_type_name;

/// A weak handle to an actor of type `A`: made with
/// [`ActorRef::downgrade`], turned back into an [`ActorRef`] with
/// [`upgrade`](WeakActorRef::upgrade).
///
/// It does not keep the actor alive: a root actor whose strong refs are all
/// dropped drains and stops even while weak refs to it remain. Use it where
/// an actor should be reachable but not owned (a cache of subscribers, a
/// back-reference from a child to its parent).
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Counter;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let counter = runtime.spawn(Counter);
/// let weak: WeakActorRef<Counter> = counter.downgrade();
/// assert_eq!(weak.id(), counter.id());
/// assert!(weak.upgrade().is_some());
///
/// counter.stop().await?;
/// assert!(weak.upgrade().is_none(), "a stopped actor does not upgrade");
/// # Ok(())
/// # }
/// ```
pub struct WeakActorRef<A: Actor> {
    pub(super) cell: Weak<Cell<A>>,
    /// Kept strongly: it is small, and it still knows the id and, once the
    /// actor stopped, why (for a watch made through this ref).
    pub(super) ctl: Arc<Control>,
}

impl<A: Actor> WeakActorRef<A> {
    /// A strong ref again, if the actor is still running and some strong
    /// ref (or its parent, or its name) still keeps it; `None` once it has
    /// stopped or nothing keeps it.
    pub fn upgrade(&self) -> Option<ActorRef<A>> {
        let cell = self.cell.upgrade()?;
        if cell.ctl().is_dead() {
            return None;
        }
        Some(ActorRef::from_cell(cell))
    }

    /// The actor's id, even after it stopped.
    pub fn id(&self) -> ActorId {
        self.ctl.id
    }

    pub(crate) fn control(&self) -> &Arc<Control> {
        &self.ctl
    }
}

impl<A: Actor> Clone for WeakActorRef<A> {
    fn clone(&self) -> Self {
        WeakActorRef { cell: Weak::clone(&self.cell), ctl: Arc::clone(&self.ctl) }
    }
}

impl<A: Actor> PartialEq for WeakActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<A: Actor> Eq for WeakActorRef<A> {}

impl<A: Actor> Hash for WeakActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<A: Actor> fmt::Debug for WeakActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeakActorRef<{}>({})", short_type_name(type_name::<A>()), self.id())
    }
}
