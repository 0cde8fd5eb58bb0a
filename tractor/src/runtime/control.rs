//! [`Control`]: an actor's type-erased control block.
//!
//! The runtime and parents hold it to stop actors without keeping their
//! mailboxes open; both sides of the mailbox reach the state word through it.

use std::sync::OnceLock;

use tokio::sync::Notify;

use crate::actor::StopReason;
use crate::handle::ActorId;
use crate::mailbox::{Mailbox, Owner, Shared};
use crate::watch::{self, LinkSlot};

/// Identity, mailbox state and stop reason of one actor.
pub(crate) struct Control {
    pub(crate) id: ActorId,
    /// The actor's type name, as a fn (8 bytes, where a `&str` takes 16).
    type_name: fn() -> &'static str,
    mailbox: Shared,
    /// What no running actor's message path touches, made on first use (at
    /// the latest when the actor finishes): one word while it runs.
    rare: OnceLock<Box<Rare>>,
}

/// The part of a control block that an actor needs only around its end, or
/// for death watch and names.
#[derive(Default)]
struct Rare {
    /// Set once, by [`Control::finish`].
    reason: OnceLock<StopReason>,
    /// Notified once the actor is over, after the reason is set.
    dead: Notify,
    /// Death watch: who watches this actor, and whom it watches (and its names).
    links: LinkSlot,
}

impl Owner for Control {
    fn mailbox(&self) -> &Shared {
        &self.mailbox
    }
}

impl Control {
    pub(crate) fn new(id: ActorId, type_name: fn() -> &'static str, mailbox: Mailbox) -> Self {
        Control { id, type_name, mailbox: Shared::new(mailbox), rare: OnceLock::new() }
    }

    /// The actor's type name (`std::any::type_name`).
    pub(crate) fn type_name(&self) -> &'static str {
        (self.type_name)()
    }

    #[inline]
    pub(crate) fn stop_requested(&self) -> bool {
        self.mailbox.state.stop_requested()
    }

    #[inline]
    pub(crate) fn is_killed(&self) -> bool {
        self.mailbox.state.is_killed()
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.mailbox.state.is_dead()
    }

    /// `true` once new sends are refused: a stop from outside, a drain, or the end.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.mailbox.state.is_closed()
    }

    /// Ends the current instance and keeps the mailbox open: see
    /// [`State::retire`](crate::mailbox::state::State::retire).
    pub(crate) fn retire(&self) {
        self.mailbox.state.retire();
    }

    /// Ends the current instance without waiting for its work in flight,
    /// keeping the mailbox open: see [`State::abort`](crate::mailbox::state::State::abort).
    pub(crate) fn abort(&self) {
        self.mailbox.state.abort();
    }

    /// `true` once the actor was killed from outside (a kill closes the
    /// mailbox; an [`abort`](Control::abort) does not).
    pub(crate) fn is_killed_for_good(&self) -> bool {
        self.is_killed() && self.is_closed()
    }

    /// `fut`, unless the mailbox is closed first (a stop or kill from
    /// outside; `None` then). Either wakes this actor's task, which polls
    /// this again: for the waits between instances and a group's waits on
    /// its children, which must give up when the actor is stopped.
    pub(crate) async fn unless_closed<F: std::future::Future>(&self, fut: F) -> Option<F::Output> {
        let mut fut = std::pin::pin!(fut);
        std::future::poll_fn(|cx| {
            if self.is_closed() {
                return std::task::Poll::Ready(None);
            }
            fut.as_mut().poll(cx).map(Some)
        })
        .await
    }

    /// Lets the next instance receive, unless a stop or kill came: see
    /// [`State::resume`](crate::mailbox::state::State::resume).
    pub(crate) fn resume(&self) -> bool {
        self.mailbox.state.resume()
    }

    /// Takes no more messages: see [`State::abandon`](crate::mailbox::state::State::abandon).
    pub(crate) fn abandon(&self) {
        self.mailbox.state.abandon();
    }

    /// Refuse new sends from now on.
    pub(crate) fn close(&self) {
        self.mailbox.state.close();
    }

    /// Graceful stop: new sends fail, queued messages are still handled.
    pub(crate) fn request_stop(&self) {
        self.mailbox.state.request_stop();
    }

    /// Drop the work in flight and stop.
    pub(crate) fn kill(&self) {
        self.mailbox.state.kill();
    }

    /// The stop reason, once [`finish`](Control::finish) has run.
    pub(crate) fn reason(&self) -> Option<&StopReason> {
        self.rare.get()?.reason.get()
    }

    /// The rarely used part, made on first use. Every path that sets or
    /// reads what is in it goes through this one `OnceLock`, so all of them
    /// see the same box.
    fn rare(&self) -> &Rare {
        self.rare.get_or_init(Box::default)
    }

    /// The actor's death-watch links.
    pub(crate) fn links(&self) -> &LinkSlot {
        &self.rare().links
    }

    /// `true` once [`finish`](Control::finish) has run.
    pub(crate) fn is_finished(&self) -> bool {
        self.reason().is_some()
    }

    /// Refused at spawn: stopped for every sender at once, though `on_stop`
    /// is still to run before [`finish`](Control::finish).
    pub(crate) fn refuse(&self) {
        self.mailbox.state.mark_dead();
    }

    /// Record the end of the actor: sends fail, waiters wake.
    ///
    /// In this order: sends fail (and waiting ones give up); its names are
    /// freed (`names::finished`); the reason is set; watchers are sent their
    /// notices; then `wait()`ers wake. So a name is free before any `on_down`
    /// or `wait()` hears of the end, a watch made at any point sees either
    /// the reason (and is told at once) or is told by `watch::finished`, and
    /// a `stop()` or `wait()` that was already waiting resolves after the
    /// notices are in the watchers' mailboxes (or, for a watcher whose
    /// bounded mailbox is full, handed to a task that waits for room there).
    pub(crate) fn finish(&self, reason: StopReason) {
        self.mailbox.state.mark_dead();
        crate::names::finished(self);
        let rare = self.rare();
        let _ = rare.reason.set(reason);
        if let Some(reason) = rare.reason.get() {
            watch::finished(self, reason);
        }
        rare.dead.notify_waiters();
    }

    /// Resolves once [`finish`](Control::finish) has run.
    pub(crate) async fn wait(&self) -> StopReason {
        let rare = self.rare();
        loop {
            let notified = rare.dead.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = rare.reason.get() {
                return reason.clone();
            }
            notified.await;
        }
    }
}
