//! Names: [`Runtime::register`], [`Runtime::lookup`] and
//! [`Runtime::unregister`].
//!
//! # Where a name lives
//!
//! Each runtime has its own [`Registry`]: a map from name to the actor's
//! control block and its mailbox handle (its `Cell`, type-erased, held
//! strongly: a name keeps its actor alive like a ref, the way a parent keeps
//! a child). The actor, in turn, lists the names it holds in its links box
//! (see `watch/`), so that it can free them when it finishes, without a scan
//! of any registry. The message path never comes here.
//!
//! # When a name is freed
//!
//! [`Control::finish`] calls [`finished`] right after the actor is marked
//! dead and before its stop reason is set, so before any watcher is sent its
//! notice (hence before any `on_down` runs) and before `stop()` or `wait()`
//! resolve. A restart keeps the control block and does not finish it, so
//! names outlive restarts. Every way an actor ends goes through `finish`,
//! including a start that failed or a spawn refused after shutdown: a name
//! is never left held by an actor that did not start.
//!
//! # Racing a stop
//!
//! Lock order: a registry's lock, then an actor's links lock; `finished`
//! holds one at a time. `register` checks that the actor is not dead under
//! its links lock and only then lists the name there; `finished` marks the
//! actor dead before it takes the list under the same lock. So either the
//! registration is refused, or the name is in the list `finished` takes and
//! is removed as soon as `register` lets go of the registry. Whatever the
//! interleaving, no name stays held by a dead actor once `finish` has
//! returned. A lookup or register in between (the actor marked dead, its
//! names not yet removed) treats the name as free.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

use crate::actor::Actor;
use crate::error::Error;
use crate::handle::{ActorRef, Cell};
use crate::runtime::{Control, Runtime};
use crate::watch;

/// One runtime's names.
#[derive(Default)]
pub(crate) struct Registry {
    map: RwLock<HashMap<Arc<str>, Entry>>,
}

/// A registered name: its actor, kept alive.
struct Entry {
    ctl: Arc<Control>,
    /// The actor's `Cell<A>`, type-erased; `lookup::<A>` downcasts it.
    cell: Arc<dyn Any + Send + Sync>,
}

/// The names one actor holds, in its links box: each with the registry it
/// is in (an actor may be named in a runtime other than its own).
#[derive(Default)]
pub(crate) struct Held {
    names: Vec<(Weak<Registry>, Arc<str>)>,
}

impl Held {
    fn remove(&mut self, registry: &Registry, name: &str) {
        self.names.retain(|(r, n)| !(std::ptr::eq(r.as_ptr(), registry) && &**n == name));
    }
}

impl Registry {
    fn read(&self) -> RwLockReadGuard<'_, HashMap<Arc<str>, Entry>> {
        // No user code runs under the lock: a poisoned one is still coherent.
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<Arc<str>, Entry>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every name (the runtime has shut down). The actors' handles
    /// are dropped after the lock: one may be the last ref to its actor.
    pub(crate) fn clear(&self) {
        let entries: Vec<(Arc<str>, Entry)> = {
            let mut map = self.write();
            let entries: Vec<_> = map.drain().collect();
            for (name, entry) in &entries {
                if let Some(links) = watch::lock(entry.ctl.links()).as_mut() {
                    links.names.remove(self, name);
                }
            }
            entries
        };
        drop(entries);
    }
}

/// Actor `ctl` has finished (it is marked dead): its names are freed, and
/// the handles they kept dropped.
pub(crate) fn finished(ctl: &Control) {
    let held = match watch::lock(ctl.links()).as_mut() {
        Some(links) => std::mem::take(&mut links.names.names),
        None => return,
    };
    let mut freed = Vec::new();
    for (registry, name) in held {
        let Some(registry) = registry.upgrade() else { continue };
        let mut map = registry.write();
        // Only if it is still this actor's: it may have been unregistered
        // and taken by another since.
        if map.get(&name).is_some_and(|e| e.ctl.id == ctl.id) {
            freed.extend(map.remove(&name));
        }
    }
    drop(freed);
}

impl Runtime {
    /// Registers `actor` under `name` in this runtime, so that
    /// [`lookup`](Runtime::lookup) finds it.
    ///
    /// - **Per runtime**: each [`Runtime`] has its own names (clones share
    ///   them); there is no global registry.
    /// - **Keeps the actor alive**, like a ref: a root actor whose every ref
    ///   was dropped goes on running while it is named.
    /// - **Freed when the actor stops** for good (not on a restart: the ref
    ///   is stable), before any watcher's [`on_down`](crate::Actor::on_down)
    ///   runs and before [`stop`](ActorRef::stop) or
    ///   [`wait`](ActorRef::wait) resolve. A name whose actor has stopped is
    ///   free. [`shutdown`](Runtime::shutdown) clears all names.
    /// - **Several names** may name one actor (aliases); registering an
    ///   actor again under a name it already holds is `Ok` and changes
    ///   nothing.
    ///
    /// # Errors
    ///
    /// [`is_name_taken`](Error::is_name_taken) if another live actor holds
    /// `name` (the error's [`actor_id`](Error::actor_id) names it);
    /// [`is_stopped`](Error::is_stopped) if `actor` has stopped (or was never
    /// started). Either way nothing is registered.
    ///
    /// # Examples
    ///
    /// ```
    /// use tractor::prelude::*;
    ///
    /// #[derive(Actor, Default)]
    /// struct Db;
    ///
    /// #[actor]
    /// impl Db {
    ///     #[message]
    ///     fn query(&self) -> &'static str {
    ///         "rows"
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// runtime.register("db", &runtime.spawn(Db))?; // the name keeps it alive
    ///
    /// let db: ActorRef<Db> = runtime.lookup("db").expect("registered");
    /// assert_eq!(db.query().await?, "rows");
    ///
    /// let other = runtime.spawn(Db);
    /// assert!(runtime.register("db", &other).unwrap_err().is_name_taken());
    ///
    /// db.stop().await?; // frees the name
    /// assert!(runtime.lookup::<Db>("db").is_none());
    /// runtime.register("db", &other)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn register<A: Actor>(&self, name: impl Into<Arc<str>>, actor: &ActorRef<A>) -> Result<(), Error> {
        let registry = self.names();
        let name = name.into();
        let ctl = actor.cell().owner();
        let replaced = {
            let mut map = registry.write();
            if let Some(holder) = map.get(&name)
                && !holder.ctl.is_dead()
            {
                return if holder.ctl.id == ctl.id {
                    Ok(())
                } else {
                    Err(Error::name_taken(holder.ctl.id, holder.ctl.type_name()))
                };
            }
            {
                let mut links = watch::lock(ctl.links());
                // Checked under the lock `finished` takes the list with.
                if ctl.is_dead() {
                    return Err(Error::not_running(ctl.id, ctl.type_name()));
                }
                watch::links(&mut links).names.names.push((Arc::downgrade(registry), Arc::clone(&name)));
            }
            map.insert(name, Entry { ctl: Arc::clone(ctl), cell: actor.cell_arc() })
        };
        // A stopped actor's entry, not yet removed by its `finished`: its
        // handle is dropped after the lock.
        drop(replaced);
        Ok(())
    }

    /// The actor registered under `name`, if it is of type `A` and has not
    /// stopped; `None` if there is no such name or it names an actor of
    /// another type.
    ///
    /// The ref may stop right after it is returned (like any ref): its sends
    /// then fail with [`is_stopped`](Error::is_stopped).
    ///
    /// # Examples
    ///
    /// ```
    /// use tractor::prelude::*;
    ///
    /// #[derive(Actor)]
    /// struct Db;
    /// #[derive(Actor)]
    /// struct Cache;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// runtime.register("db", &runtime.spawn(Db))?;
    /// assert!(runtime.lookup::<Db>("db").is_some());
    /// assert!(runtime.lookup::<Cache>("db").is_none(), "another type");
    /// assert!(runtime.lookup::<Db>("cache").is_none(), "no such name");
    /// # Ok(())
    /// # }
    /// ```
    pub fn lookup<A: Actor>(&self, name: &str) -> Option<ActorRef<A>> {
        let map = self.names().read();
        let entry = map.get(name).filter(|e| !e.ctl.is_dead())?;
        let cell = Arc::clone(&entry.cell).downcast::<Cell<A>>().ok()?;
        Some(ActorRef::from_cell(cell))
    }

    /// Removes `name`; `true` if a live actor held it. The name no longer
    /// keeps the actor alive: a root actor for which it was the last handle
    /// then handles what is queued and stops.
    ///
    /// # Examples
    ///
    /// ```
    /// use tractor::prelude::*;
    ///
    /// #[derive(Actor)]
    /// struct Db;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// let db = runtime.spawn(Db);
    /// runtime.register("db", &db)?;
    /// assert!(runtime.unregister("db"));
    /// assert!(!runtime.unregister("db"), "already gone");
    /// assert!(db.is_alive(), "the ref still keeps it");
    /// # Ok(())
    /// # }
    /// ```
    pub fn unregister(&self, name: &str) -> bool {
        let registry = self.names();
        let removed = {
            let mut map = registry.write();
            let Some(entry) = map.remove(name) else { return false };
            if let Some(links) = watch::lock(entry.ctl.links()).as_mut() {
                links.names.remove(registry, name);
            }
            entry
        };
        let live = !removed.ctl.is_dead();
        // Maybe the actor's last handle: dropped after the lock.
        drop(removed);
        live
    }
}
