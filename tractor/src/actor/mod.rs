//! The [`Actor`] trait, its [`Context`], and the values its lifecycle hooks
//! exchange (`stop.rs`).

mod context;
mod stop;

use std::fmt;
use std::future::Future;

pub use self::context::Context;
pub(crate) use self::stop::RuntimeShutDown;
pub use self::stop::{Panic, StopReason};
use crate::error::BoxError;
use crate::message::Envelope;
use crate::watch::Down;

/// The state of an actor, and the hooks that run around its messages.
///
/// An actor runs on its own tokio task and handles one message at a time.
/// Every hook is optional: `#[derive(Actor)]` writes the empty impl, and a
/// hand-written `impl Actor` overrides only the hooks it needs, as plain
/// `async fn`s.
///
/// The order of events for one actor is: [`on_start`](Actor::on_start), then
/// [`step`](Actor::step) over and over (each step usually yields the next
/// message, which is then handled), then [`on_stop`](Actor::on_stop), which
/// runs exactly once on every way out: graceful stop, kill, crash, failed
/// start and runtime shutdown. A panic anywhere is caught and handed to
/// [`on_panic`](Actor::on_panic).
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
///
/// struct Greeter {
///     greeted: u32,
/// }
///
/// impl Actor for Greeter {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         println!("greeter {} ready", ctx.id());
///         Ok(())
///     }
///
///     async fn on_stop(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
///         println!("greeted {} people, stopping: {reason:?}", self.greeted);
///     }
/// }
///
/// struct Greet(&'static str);
///
/// impl Message<Greeter> for Greet {
///     type Reply = String;
///     async fn handle(self, greeter: &mut Greeter, _: &mut Context<Greeter>) -> String {
///         greeter.greeted += 1;
///         format!("hello, {}", self.0)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let greeter = runtime.spawn(Greeter { greeted: 0 });
/// assert_eq!(greeter.ask(Greet("ada")).await?, "hello, ada");
/// greeter.stop().await?;
/// # Ok(())
/// # }
/// ```
pub trait Actor: Sized + Send + 'static {
    /// Runs once, before any message. An `Err` (or a panic) here is terminal:
    /// the actor stops with [`StopReason::StartFailed`] (or
    /// [`StopReason::Panicked`]) and `on_stop` still runs. A
    /// [supervised](crate::Runtime::supervise) actor counts it as a failure:
    /// a new instance is built and started, under the restart limit.
    fn on_start(&mut self, ctx: &mut Context<Self>) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Runs exactly once when the actor stops, for whatever reason, after its
    /// children have stopped. A panic here is caught and logged. A
    /// [supervised](crate::Runtime::supervise) actor's instance gets it
    /// when it is replaced too: it runs to its end before the next
    /// instance's `on_start`.
    ///
    /// `on_stop` cannot be killed: keep it short.
    fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) -> impl Future<Output = ()> + Send {
        let _ = (ctx, reason);
        async {}
    }

    /// Decides what happens after a panic in a handler, in `step` or in
    /// `on_start`. The default stops the actor.
    ///
    /// [`ControlFlow::Continue`] keeps the actor running with its current
    /// state (after a panic in `on_start` it is ignored: a failed start is
    /// terminal). The runtime's [`CrashPolicy`](crate::CrashPolicy) is told of
    /// every panic and of the decision taken. A panic inside `on_panic`
    /// counts as [`ControlFlow::Stop`].
    fn on_panic(&mut self, ctx: &mut Context<Self>, panic: &Panic) -> impl Future<Output = ControlFlow> + Send {
        let _ = (ctx, panic);
        async { ControlFlow::Stop }
    }

    /// Told that an actor this one [watches](Context::watch) has stopped for
    /// good. Handled like a message (one at a time, panic isolation). The
    /// default, [`ControlFlow::Continue`], keeps running;
    /// [`ControlFlow::Stop`] stops this actor gracefully.
    ///
    /// ```
    /// use tractor::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Room {
    ///     members: Vec<ActorId>,
    /// }
    ///
    /// impl Actor for Room {
    ///     async fn on_down(&mut self, _ctx: &mut Context<Self>, down: Down) -> ControlFlow {
    ///         self.members.retain(|m| *m != down.id());
    ///         ControlFlow::Continue
    ///     }
    /// }
    /// ```
    fn on_down(&mut self, ctx: &mut Context<Self>, down: Down) -> impl Future<Output = ControlFlow> + Send {
        let _ = (ctx, down);
        async { ControlFlow::Continue }
    }

    /// Produces the actor's next piece of work. The default waits for the
    /// next mailbox message: `ctx.recv().await`.
    ///
    /// Override it to await timers, streams or other futures next to the
    /// mailbox, with a `biased` `tokio::select!` that polls `ctx.recv()`
    /// first. Whatever `step` does runs with the same panic isolation as a
    /// message handler.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tractor::prelude::*;
    ///
    /// struct Heart {
    ///     beats: u64,
    ///     ticker: tokio::time::Interval,
    /// }
    ///
    /// impl Actor for Heart {
    ///     async fn step(&mut self, ctx: &mut Context<Self>) -> Step<Self> {
    ///         tokio::select! {
    ///             biased;
    ///             step = ctx.recv() => step,
    ///             _ = self.ticker.tick() => {
    ///                 self.beats += 1;
    ///                 Step::Continue
    ///             }
    ///         }
    ///     }
    /// }
    /// # let _ = Duration::ZERO;
    /// ```
    fn step(&mut self, ctx: &mut Context<Self>) -> impl Future<Output = Step<Self>> + Send {
        ctx.recv()
    }
}

/// What [`Actor::step`] produced.
pub enum Step<A: Actor> {
    /// A message to handle, usually from [`Context::recv`].
    Message(Envelope<A>),
    /// `step` did its own work; call it again.
    Continue,
    /// Stop gracefully: queued messages are handled first, then `on_stop`.
    /// [`Context::recv`] yields this once a stop was asked for, or once every
    /// [`ActorRef`](crate::ActorRef) is dropped and the mailbox is empty.
    Stop,
}

impl<A: Actor> fmt::Debug for Step<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Message(env) => f.debug_tuple("Message").field(env).finish(),
            Step::Continue => f.write_str("Continue"),
            Step::Stop => f.write_str("Stop"),
        }
    }
}

/// The decision [`Actor::on_panic`] takes after a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ControlFlow {
    /// Keep running with the current state.
    Continue,
    /// Stop the actor; it ends with [`StopReason::Panicked`].
    Stop,
}
