//! [`Timers`]: an actor's timers and streams, as its context keeps them.

use std::any::{Any, TypeId};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::source::Switch;
use crate::util::{drop_payload, panic_text};

/// The timers and streams of one actor, made on its first timer or stream
/// (in the box its context keeps for its children).
///
/// An incarnation counts the actor's lives: every tick or item carries the
/// one its timer or stream was started in, and is dropped when taken by a
/// later one. So [`cancel_all`](Timers::cancel_all) (the actor's end, or a
/// restart) disowns at once every tick and item still queued, including
/// those of entries this list has already let go of (a stream that ended, a
/// one-shot timer that fired).
#[derive(Default)]
pub(crate) struct Timers {
    incarnation: u64,
    /// Every timer and stream started, pruned of those that are over as the
    /// list grows.
    pub(super) all: Vec<Arc<dyn Switch>>,
    /// The timer started last under each key.
    keyed: HashMap<Key, Arc<dyn Switch>>,
}

impl Timers {
    /// The actor's current incarnation.
    pub(crate) fn incarnation(&self) -> u64 {
        self.incarnation
    }

    pub(crate) fn add(&mut self, entry: Arc<dyn Switch>) {
        crate::util::push_pruned(&mut self.all, entry, |e| !e.is_active());
    }

    /// Adds a timer under `key`, cancelling the one it replaces.
    pub(crate) fn add_keyed(&mut self, key: Key, entry: Arc<dyn Switch>) {
        if self.keyed.len() == self.keyed.capacity() {
            // As `push_pruned` does: keys of timers that are over go, and
            // there is room for as many again as are left.
            self.keyed.retain(|_, e| e.is_active());
            self.keyed.reserve(self.keyed.len());
        }
        // Listed first: if the old one's `Drop` panics, the new one is still
        // ended with the actor.
        self.add(Arc::clone(&entry));
        if let Some(old) = self.keyed.insert(key, entry) {
            old.cancel();
        }
    }

    pub(crate) fn cancel_key(&mut self, key: &dyn DynKey) {
        if let Some(old) = self.keyed.remove(key) {
            old.cancel();
        }
    }

    pub(crate) fn is_active_key(&self, key: &dyn DynKey) -> bool {
        self.keyed.get(key).is_some_and(|e| e.is_active())
    }

    /// Ends every timer and stream: the next incarnation begins, so nothing
    /// queued for this one is handled; tasks are aborted and sources dropped
    /// now. A panic in a source's `Drop` is logged, not let unwind (this runs
    /// in the actor's wind-down).
    pub(crate) fn cancel_all(&mut self) {
        self.incarnation += 1;
        self.keyed.clear();
        for entry in self.all.drain(..) {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| entry.cancel())) {
                tracing::error!(
                    "dropping a timer's message or closure, or a stream, panicked: {}",
                    panic_text(&*payload)
                );
                drop_payload(payload);
            }
        }
    }
}

/// A context dropped any other way than its wind-down (a timer started in
/// `on_stop`, a tokio runtime that went away) still ends its timers.
impl Drop for Timers {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

/// A timer's key: any `Hash + Eq` value, compared with keys of its own type
/// only.
pub(crate) struct Key(Box<dyn DynKey>);

impl Key {
    pub(crate) fn new<K: Hash + Eq + Send + Sync + 'static>(key: K) -> Self {
        Key(Box::new(key))
    }
}

/// A key, type-erased.
pub(crate) trait DynKey: Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
    fn eq_key(&self, other: &dyn DynKey) -> bool;
    fn hash_key(&self, state: &mut dyn Hasher);
}

impl<K: Hash + Eq + Send + Sync + 'static> DynKey for K {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn eq_key(&self, other: &dyn DynKey) -> bool {
        other.as_any().downcast_ref::<K>() == Some(self)
    }

    fn hash_key(&self, mut state: &mut dyn Hasher) {
        TypeId::of::<K>().hash(&mut state);
        self.hash(&mut state);
    }
}

impl PartialEq for dyn DynKey {
    fn eq(&self, other: &Self) -> bool {
        self.eq_key(other)
    }
}

impl Eq for dyn DynKey {}

impl Hash for dyn DynKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.hash_key(state);
    }
}

impl Borrow<dyn DynKey> for Key {
    fn borrow(&self) -> &dyn DynKey {
        &*self.0
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.0).hash(state);
    }
}
