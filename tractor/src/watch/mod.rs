//! Death watch: [`Context::watch`](crate::Context::watch) and the [`Down`]
//! notice that [`Actor::on_down`](crate::Actor::on_down) handles.
//!
//! # How a notice travels
//!
//! Each actor's control block has its [`Links`] (boxed, `None` until the
//! actor watches, is watched or is named): the watches on it, each with a
//! way to reach its watcher, and the watches it holds. When an actor finishes, after its
//! stop reason is set, it takes the watches on it and sends each watcher a
//! `DownNotice`, an ordinary message of the watcher's mailbox. So:
//!
//! - it is handled like a message: one at a time, with panic isolation;
//! - it comes after every message the dead actor had sent to the watcher
//!   (they are ahead of it in the same mailbox);
//! - an actor that never watches pays nothing on its message path: there is
//!   no check in the loop, only a message type it never receives.
//!
//! The notice names its watch; the watcher handles it only if it still holds
//! that watch, and drops the watch as it does. That makes it exactly once,
//! and lets `unwatch` cancel a notice already queued.
//!
//! A watch registered on an actor that has already finished is answered at
//! once, from the watcher's own call. Two link locks are never held at once.

use std::any::type_name;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::actor::{Actor, Context, ControlFlow, StopReason};
use crate::handle::cell::{self, Sending};
use crate::handle::{ActorId, ActorRef, Sender, WeakActorRef};
use crate::message::{Envelope, Message};
use crate::runtime::Control;
use crate::util::short_type_name;

/// A watched actor has stopped for good: what
/// [`Actor::on_down`](crate::Actor::on_down) is given.
#[derive(Clone)]
pub struct Down {
    id: ActorId,
    reason: StopReason,
}

impl Down {
    /// The actor that stopped.
    pub fn id(&self) -> ActorId {
        self.id
    }

    /// Why it stopped.
    pub fn reason(&self) -> &StopReason {
        &self.reason
    }
}

impl fmt::Debug for Down {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Down").field("id", &self.id).field("reason", &self.reason).finish()
    }
}

/// What [`Context::watch`](crate::Context::watch) accepts: an
/// [`ActorRef`], a [`WeakActorRef`] or a [`Sender`] (and, from
/// `tractor-remote`, a `RemoteRef` or a `RemoteSender`). Its one method is not public API.
pub trait Watchable {
    /// The control block a watch on this handle registers with.
    #[doc(hidden)]
    fn watch_target(&self) -> WatchTarget<'_>;
}

/// The control block of a watchable handle. Not public API: only tractor's
/// handles (and `tractor-remote`'s stand-ins) make one.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct WatchTarget<'a>(pub(crate) &'a Arc<Control>);

impl fmt::Debug for WatchTarget<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WatchTarget").field(&self.0.id).finish()
    }
}

impl<A: Actor> Watchable for ActorRef<A> {
    fn watch_target(&self) -> WatchTarget<'_> {
        WatchTarget(self.cell().owner())
    }
}

impl<A: Actor> Watchable for WeakActorRef<A> {
    fn watch_target(&self) -> WatchTarget<'_> {
        WatchTarget(WeakActorRef::control(self))
    }
}

impl<M: Send + 'static, R: Send + 'static> Watchable for Sender<M, R> {
    fn watch_target(&self) -> WatchTarget<'_> {
        WatchTarget(Sender::control(self))
    }
}

/// One actor's watches: kept in its control block.
///
/// The box also holds the names the actor is registered under (`names/`):
/// both are rare, so they share one optional box rather than a word each
/// in every control block. The names are taken out before the watches, when
/// the actor finishes.
#[derive(Default)]
pub(crate) struct Links {
    /// Watches on this actor.
    watchers: Vec<Watcher>,
    /// Watches this actor holds.
    watching: Vec<Watching>,
    /// The names this actor is registered under; not for this module.
    pub(crate) names: crate::names::Held,
}

/// A watch on this actor, and how to tell its watcher.
struct Watcher {
    watch: u64,
    notify: Box<dyn FnOnce(Down) + Send>,
}

/// A watch this actor holds.
struct Watching {
    watch: u64,
    target: ActorId,
    /// To take the watch back off the target (`unwatch`, or this actor's end).
    control: Weak<Control>,
}

/// The links of one control block, created on first use.
pub(crate) type LinkSlot = Mutex<Option<Box<Links>>>;

pub(crate) fn lock(slot: &LinkSlot) -> MutexGuard<'_, Option<Box<Links>>> {
    slot.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn links<'a>(guard: &'a mut MutexGuard<'_, Option<Box<Links>>>) -> &'a mut Links {
    guard.get_or_insert_default()
}

/// `watcher` (the context's actor) watches `target`. Idempotent; watching
/// oneself does nothing (its notice could never be handled).
pub(crate) fn watch<W: Actor>(ctx: &Context<W>, target: &Arc<Control>) {
    let me = ctx.control();
    if target.id == me.id {
        return;
    }
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let watch = NEXT.fetch_add(1, Ordering::Relaxed);
    {
        let mut mine = lock(me.links());
        let mine = links(&mut mine);
        if mine.watching.iter().any(|w| w.target == target.id) {
            return;
        }
        mine.watching.push(Watching { watch, target: target.id, control: Arc::downgrade(target) });
    }
    let notify = notifier(ctx, watch, target.id);
    let mut theirs = lock(target.links());
    match target.reason() {
        // Finished already (and its watchers taken, or about to be, under
        // this lock): tell the watcher now, outside the lock.
        Some(reason) => {
            let reason = reason.clone();
            drop(theirs);
            notify(Down { id: target.id, reason });
        }
        None => links(&mut theirs).watchers.push(Watcher { watch, notify }),
    }
}

/// Takes back the watch `ctx`'s actor holds on `target`, and any notice of it
/// already queued.
pub(crate) fn unwatch<W: Actor>(ctx: &Context<W>, target: ActorId) {
    let taken = {
        let mut mine = lock(ctx.control().links());
        let Some(mine) = mine.as_mut() else { return };
        let Some(at) = mine.watching.iter().position(|w| w.target == target) else { return };
        mine.watching.swap_remove(at)
    };
    if let Some(control) = taken.control.upgrade()
        && let Some(theirs) = lock(control.links()).as_mut()
    {
        theirs.watchers.retain(|w| w.watch != taken.watch);
    }
}

/// A notice is being handled: `true` (and the watch is dropped) if the
/// watcher still holds `watch`.
fn take_watch(me: &Control, watch: u64) -> bool {
    let mut mine = lock(me.links());
    let Some(mine) = mine.as_mut() else { return false };
    match mine.watching.iter().position(|w| w.watch == watch) {
        Some(at) => {
            mine.watching.swap_remove(at);
            true
        }
        None => false,
    }
}

/// Actor `me` has finished (its reason is set): tells its watchers, and takes
/// its own watches off the actors it watched.
pub(crate) fn finished(me: &Control, reason: &StopReason) {
    let Some(links) = lock(me.links()).take() else { return };
    let Links { watchers, watching, .. } = *links;
    for w in watchers {
        (w.notify)(Down { id: me.id, reason: reason.clone() });
    }
    for w in watching {
        if let Some(control) = w.control.upgrade()
            && let Some(theirs) = lock(control.links()).as_mut()
        {
            theirs.watchers.retain(|x| x.watch != w.watch);
        }
    }
}

/// How to send watcher `ctx` the notice of `watch`: into its mailbox, from
/// `target` (so `ctx.sender()` names the dead actor), waiting for room on a
/// task of its own if the mailbox is full. Holds the watcher weakly.
fn notifier<W: Actor>(ctx: &Context<W>, watch: u64, target: ActorId) -> Box<dyn FnOnce(Down) + Send> {
    let watcher = ctx.cell_weak();
    Box::new(move |down| {
        let Some(cell) = watcher.upgrade() else { return };
        let env = Envelope::new(DownNotice { watch, down }, None, Some(target));
        if let Sending::Waiting(room) = cell::send(cell, env, |_| ())
            && let Ok(tokio) = tokio::runtime::Handle::try_current()
        {
            drop(tokio.spawn(async move {
                let _ = room.await;
            }));
        }
    })
}

/// The notice of a watched actor's end, as a message of its watcher.
pub(crate) struct DownNotice {
    watch: u64,
    down: Down,
}

impl<W: Actor> Message<W> for DownNotice {
    type Reply = ();

    async fn handle(self, actor: &mut W, ctx: &mut Context<W>) {
        if !take_watch(ctx.control(), self.watch) {
            return; // unwatched meanwhile
        }
        if actor.on_down(ctx, self.down).await == ControlFlow::Stop {
            ctx.stop();
        }
    }
}

impl fmt::Debug for DownNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(short_type_name(type_name::<Self>())).field("down", &self.down).finish()
    }
}
