//! [`Supervise`]: one supervised actor, as a root or as a child.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use super::Restart;
use super::limit::{Backoff, Limit, Log};
use super::run::{Boss, Own, Plan, Unspawned};
use crate::actor::Actor;
use crate::handle::ActorRef;
use crate::mailbox::Mailbox;
use crate::runtime::{Children, Runtime};

/// Builds one supervised actor: `runtime.supervise(factory)` or, as a child,
/// `ctx.supervise(factory)`; then [`spawn`](Supervise::spawn).
///
/// The actor is built by `factory`, and built again by it after each
/// failure, behind the same mailbox: its [`ActorRef`], every clone,
/// [`Sender`](crate::Sender) and [`WeakActorRef`](crate::WeakActorRef) stay
/// valid, its id does not change, and messages queued before or during a
/// restart are handled by the new instance, in order.
///
/// - A *failure* is a panic after which `on_panic` chose `Stop` (the
///   default), or an `on_start` that failed or panicked. The asker of the
///   message that failed gets an [`is_panicked`](crate::Error::is_panicked)
///   error; the crash policy is told, and [`Crash::will_restart`](crate::Crash::will_restart)
///   says whether a restart follows.
/// - A restart runs the failed instance's `on_stop` to its end, kills that
///   instance's children, then builds a new instance and runs its
///   `on_start`. Nothing of the old instance reaches the new one.
/// - [`wait`](ActorRef::wait) and watchers see only the final stop, with the
///   last instance's reason. A stop or kill from outside is never undone by
///   a restart, even one racing it; one that comes between two instances
///   ends the actor there (what is still queued is answered
///   [`is_stopped`](crate::Error::is_stopped)).
/// - What belongs to the actor rather than to an instance carries over: its
///   mailbox, its id, the watches others hold on it and those it made
///   (a new instance may get the `on_down` of a watch an old one made).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Flaky {
///     calls: u32,
/// }
///
/// #[actor]
/// impl Flaky {
///     #[message]
///     pub fn call(&mut self) -> u32 {
///         self.calls += 1;
///         if self.calls == 2 {
///             panic!("the second call fails");
///         }
///         self.calls
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::builder().crash_policy(|_: &Crash| {}).build();
/// let flaky = runtime
///     .supervise(Flaky::default)
///     .restart(Restart::OnFailure)
///     .max_restarts(5, Duration::from_secs(10))
///     .spawn();
/// assert_eq!(flaky.call().await?, 1);
/// assert!(flaky.call().await.unwrap_err().is_panicked()); // the instance fails...
/// assert_eq!(flaky.call().await?, 1);                     // ...a new one answers
/// # Ok(())
/// # }
/// ```
#[must_use = "nothing is spawned until `.spawn()`"]
pub struct Supervise<'a, A: Actor> {
    runtime: &'a Runtime,
    /// A child's parent, to own it.
    parent: Option<&'a mut Children>,
    /// The factory and the options so far, boxed as the actor's task will
    /// keep them (its boss is always `Boss::Own`).
    plan: Box<dyn Unspawned<A>>,
    mailbox: Option<Mailbox>,
}

impl<'a, A: Actor> Supervise<'a, A> {
    pub(crate) fn new(
        runtime: &'a Runtime,
        parent: Option<&'a mut Children>,
        factory: impl Fn() -> A + Send + Sync + 'static,
    ) -> Self {
        let own = Own { limit: Limit::DEFAULT, backoff: None, log: Mutex::new(Log::default()) };
        Supervise { runtime, parent, plan: Plan::new(factory, Restart::default(), Boss::Own(own)), mailbox: None }
    }

    fn own(&mut self) -> &mut Own {
        match self.plan.rules_mut().1 {
            Boss::Own(own) => own,
            Boss::Group(_) => unreachable!("an actor supervised alone has no group"),
        }
    }

    /// When to restart (default [`Restart::OnFailure`]).
    pub fn restart(mut self, restart: Restart) -> Self {
        *self.plan.rules_mut().0 = restart;
        self
    }

    /// More than `max` restarts within `window` and the actor stops for
    /// good, with its last failure as the reason. The default is 3 within 5
    /// seconds; `max_restarts(0, ..)` never restarts.
    pub fn max_restarts(mut self, max: u32, window: Duration) -> Self {
        self.own().limit = Limit { max, window };
        self
    }

    /// Waits before each restart: `min` before the first one within the
    /// window, doubling with each further one, at most `max`. Messages sent
    /// meanwhile wait in the mailbox. By default a restart follows at once.
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.own().backoff = Some(Backoff { min, max: max.max(min) });
        self
    }

    /// The actor's mailbox (default: the runtime's).
    pub fn mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailbox = Some(mailbox);
        self
    }

    /// Spawns the actor; its first instance is built on its own task, and
    /// `on_start` runs before any message.
    ///
    /// A root actor lives as [`Runtime::spawn`]'s do (until it is stopped,
    /// killed, fails for good, the runtime shuts down, or its last ref is
    /// dropped); a child as [`Context::spawn`](crate::Context::spawn)'s do
    /// (until it stops, is stopped, or its parent stops).
    #[must_use = "dropping the returned ref stops a root actor once it has handled its queue; keep it (or a clone, or a Sender made from it) for as long as the actor should run"]
    pub fn spawn(self) -> ActorRef<A> {
        let mailbox = self.mailbox.unwrap_or_else(|| self.runtime.default_mailbox());
        let (actor, ctl) = self.plan.spawn(self.runtime, mailbox);
        if let Some(children) = self.parent {
            children.push(ctl, actor.cell_arc());
        }
        actor
    }
}

impl<A: Actor> fmt::Debug for Supervise<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (restart, Boss::Own(own)) = self.plan.rules() else {
            unreachable!("an actor supervised alone has no group")
        };
        f.debug_struct("Supervise")
            .field("actor", &crate::util::short_type_name(std::any::type_name::<A>()))
            .field("child", &self.parent.is_some())
            .field("restart", &restart)
            .field("max_restarts", &own.limit.max)
            .field("window", &own.limit.window)
            .field("backoff", &own.backoff.map(|b| (b.min, b.max)))
            .field("mailbox", &self.mailbox)
            .finish()
    }
}
