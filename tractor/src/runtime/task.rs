//! The actor's task: the lifecycle loop, with panic isolation and kill.

use std::any::type_name;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use super::current::Running;
use super::{Control, Crash, PanicSite};
use crate::actor::{Actor, Context, ControlFlow, Panic, StopReason};
use crate::message::{BoxFuture, Envelope};
use crate::util::{ShortName, drop_quietly, short_type_name};

/// How a piece of user code ended.
pub(crate) enum Run<T> {
    Done(T),
    Panicked(Panic),
    Killed,
}

/// How [`guarded`] runs a piece of user code: a zero-sized type each, so that
/// the guarded future holds nothing for it (every idle actor's task holds one).
pub(crate) trait Guard: Copy + Send {
    /// Given up as soon as the actor is killed.
    const KILLABLE: bool;
    /// Marked as the actor's own code while polled (see `current.rs`).
    const MARKED: bool;
}

/// `step`: given up on a kill. Not marked as the actor's code (see
/// `current.rs`): every message goes through it, and a `step` that asks
/// itself through `ctx.ask` is caught by its sender anyway.
#[derive(Clone, Copy)]
pub(crate) struct StepGuard;

/// A hook or an asynchronous handler: given up on a kill, and marked.
#[derive(Clone, Copy)]
struct Killable;

/// `on_stop`: runs to its end, marked.
#[derive(Clone, Copy)]
struct ToTheEnd;

impl Guard for StepGuard {
    const KILLABLE: bool = true;
    const MARKED: bool = false;
}

impl Guard for Killable {
    const KILLABLE: bool = true;
    const MARKED: bool = true;
}

impl Guard for ToTheEnd {
    const KILLABLE: bool = false;
    const MARKED: bool = true;
}

/// Polls the future in `slot` with panics caught; when `G` is killable, gives
/// up as soon as the actor is killed (the kill wakes the task, so this is
/// seen even when the future is parked forever). One atomic load per poll.
///
/// When it is done (or given up) it drops the future in place, also under
/// the guard: a `Drop` of user state that panics (a handler's locals dropped
/// by a kill, say) ends the run as a panic instead of unwinding the task.
///
/// A plain fn over a pinned slot the caller owns: an `async fn` would hold
/// the future twice in the actor's task.
pub(crate) fn guarded<'a, G: Guard, F: Future + 'a>(
    ctl: &'a Control,
    _guard: G,
    mut slot: Pin<&'a mut Option<F>>,
) -> impl Future<Output = Run<F::Output>> + 'a {
    poll_fn(move |cx| poll_guarded::<G, F>(ctl, slot.as_mut(), cx))
}

/// One poll of a guarded future (see [`guarded`]).
#[inline]
fn poll_guarded<G: Guard, F: Future>(
    ctl: &Control,
    mut slot: Pin<&mut Option<F>>,
    cx: &mut std::task::Context<'_>,
) -> Poll<Run<F::Output>> {
    let run = match slot.as_mut().as_pin_mut() {
        _ if G::KILLABLE && ctl.is_killed() => Run::Killed,
        Some(fut) => {
            let _running = G::MARKED.then(|| Running::enter(ctl.id));
            match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
                Ok(Poll::Ready(v)) => Run::Done(v),
                Ok(Poll::Pending) => return Poll::Pending,
                Err(payload) => Run::Panicked(Panic::caught(payload)),
            }
        }
        None => unreachable!("a guarded future is not polled after it is done"),
    };
    Poll::Ready(match catch_unwind(AssertUnwindSafe(|| slot.as_mut().set(None))) {
        Ok(()) => run,
        Err(payload) => Run::Panicked(Panic::caught(payload)),
    })
}

/// What the actor loop asks of a supervised actor's supervision, at the
/// few points where an instance can end (never per message). An actor that
/// is not supervised passes `None` and pays nothing for it.
pub(crate) trait Supervised: Sync {
    /// A stop without `CLOSED` came (`ctx.stop()`, or the supervisor
    /// retiring this instance), or this instance's `step` returned `Stop`:
    /// `true` ends only this instance and keeps the mailbox for the next;
    /// `false` makes it a graceful stop for good.
    fn retires(&self, ctl: &Control) -> bool;
    /// This instance failed (`on_panic` chose `Stop`): records the failure,
    /// and says whether a restart follows. Asked once per instance.
    fn failed(&self, ctl: &Control) -> bool;
    /// This instance's `on_start` succeeded.
    fn started(&self);
}

/// How the actor loop reaches an instance's supervision: [`Unsupervised`]
/// (a zero-sized nothing, so a plain actor's task is not one byte bigger),
/// or a [`Supervised`] by reference.
pub(crate) trait Supervision: Copy + Send + Sync {
    fn retires(self, ctl: &Control) -> bool;
    fn failed(self, ctl: &Control) -> bool;
    fn started(self);
}

/// A plain actor: every answer is "not supervised".
#[derive(Clone, Copy)]
pub(crate) struct Unsupervised;

impl Supervision for Unsupervised {
    fn retires(self, _: &Control) -> bool {
        false
    }

    fn failed(self, _: &Control) -> bool {
        false
    }

    fn started(self) {}
}

impl<T: Supervised + ?Sized> Supervision for &T {
    fn retires(self, ctl: &Control) -> bool {
        Supervised::retires(self, ctl)
    }

    fn failed(self, ctl: &Control) -> bool {
        Supervised::failed(self, ctl)
    }

    fn started(self) {
        Supervised::started(self)
    }
}

/// The end of the actor: its instance, then the actor itself.
async fn wind_down<A: Actor>(actor: A, mut ctx: Context<A>, ctl: Arc<Control>, reason: StopReason) {
    let reason = end_instance(actor, &mut ctx, &ctl, reason, End::ForGood).await;
    ctx.finish(reason);
}

/// Whether the mailbox outlives the instance that ends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The actor ends with it.
    ForGood,
    /// A supervised restart follows (or may): the mailbox stays open for
    /// the next instance.
    Replaced,
}

/// The end of one instance: children first (a kill meanwhile reaches them
/// too), then `on_stop`, then children `on_stop` spawned, then the state is
/// dropped. Returns the reason `on_stop` was given.
///
/// For good, children stop gracefully, after the mailbox is abandoned: after a
/// crash it is still open, and a child stuck sending to it would never let
/// the stop end. Replaced, the mailbox must stay open (what is queued is the
/// next instance's), so the old instance's children are killed instead, as
/// a crashed Erlang process's links are: none of them can hold the restart up.
pub(crate) async fn end_instance<A: Actor>(
    mut actor: A,
    ctx: &mut Context<A>,
    ctl: &Control,
    reason: StopReason,
    end: End,
) -> StopReason {
    // Nothing of this instance's timers and streams is handled from now on.
    ctx.cancel_timers();
    if end == End::ForGood {
        ctl.abandon();
    }
    stop_children(ctx, ctl, end).await;
    // A kill that came while the children stopped ends a graceful stop.
    let reason = if reason.is_normal() && ctl.is_killed() { StopReason::Killed } else { reason };
    ctx.set_sender(None);
    on_stop(&mut actor, ctx, ctl, &reason).await;
    // Neither do timers and children `on_stop` itself started.
    ctx.cancel_timers();
    stop_children(ctx, ctl, end).await;
    drop_actor(actor, ctx, ctl);
    reason
}

async fn stop_children<A: Actor>(ctx: &mut Context<A>, ctl: &Control, end: End) {
    match end {
        End::ForGood => ctx.children().stop_all(ctl).await,
        End::Replaced => ctx.children().kill_all().await,
    }
}

/// `on_stop`, to its end, with a panic in it caught and logged.
async fn on_stop<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control, reason: &StopReason) {
    if let Run::Panicked(p) = guarded(ctl, ToTheEnd, pin!(Some(actor.on_stop(ctx, reason)))).await {
        tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name()), "on_stop panicked: {p}");
    }
}

/// Drops the actor's state; a panic in its `Drop` is reported, not let unwind.
pub(crate) fn drop_actor<A: Actor>(actor: A, ctx: &Context<A>, ctl: &Control) {
    if let Some(text) = drop_quietly(actor) {
        report_drop_panic(ctx, ctl, Panic::from_text(text));
    }
}

/// Tells the crash policy of a panic in a `Drop`: the actor ends as it would
/// have, so the decision is `Stop`.
fn report_drop_panic<A: Actor>(ctx: &Context<A>, ctl: &Control, panic: Panic) {
    let crash = Crash {
        actor_id: ctl.id,
        actor_type: ctl.type_name(),
        site: PanicSite::Drop,
        panic,
        decision: ControlFlow::Stop,
        restart: false,
    };
    ctx.runtime().report_crash(&crash);
}

/// The actor was refused at spawn (the runtime is shut down) and is already
/// stopped for every sender: all that is left of its life is `on_stop`,
/// exactly once, and then `wait()` resolves.
pub(crate) async fn stillborn<A: Actor>(mut actor: A, mut ctx: Context<A>, reason: StopReason) {
    let ctl = Arc::clone(ctx.control());
    on_stop(&mut actor, &mut ctx, &ctl, &reason).await;
    drop_actor(actor, &ctx, &ctl);
    // Never counted as live: only the reason is left to record.
    ctl.finish(reason);
}

/// `on_start`, then the message loop, then (on a graceful stop) the drain:
/// one instance's life, as an expression of the `async` block it is
/// expanded in, evaluating to the instance's stop reason.
///
/// `$actor`, `$ctx` and `$ctl` name the actor, its context and its control
/// block, owned or as references (each use borrows them anew); `$sup` the
/// instance's [`Supervision`]. A macro rather than a fn: the plain actor's
/// task ([`run`]) expands it inline, so that its future holds the actor and
/// the context once, and so does a supervised actor's (`supervision/run.rs`),
/// instance after instance.
///
/// The handling of a message is inline, so that an idle actor's task holds
/// no more than the step or the handler in flight, and what the slow paths
/// keep (a panic, the once-only phases) is in boxes or in locals of their
/// own arm, never in a temporary that lives across the next wait.
///
/// Supervised, a stop that [`Supervised::retires`] ends the instance with
/// `Normal` and leaves the mailbox open (`STOP` without `CLOSED`, see
/// `mailbox::state`, "Restarts"); the caller tells the two apart by
/// `CLOSED`.
macro_rules! instance_loop {
    ($actor:expr, $ctx:expr, $ctl:expr, $sup:expr) => {
        'instance: {
            #[allow(unused_imports, reason = "some are in scope where it is expanded")]
            use ::std::pin::pin;
            #[allow(unused_imports, reason = "some are in scope where it is expanded")]
            use $crate::actor::{ControlFlow, Step, StopReason};
            #[allow(unused_imports, reason = "some are in scope where it is expanded")]
            use $crate::runtime::PanicSite;
            #[allow(unused_imports, reason = "some are in scope where it is expanded")]
            use $crate::runtime::task::{
                Handling, Run, StepGuard, crashed, ended_by, guarded, retires, start, start_actor,
            };
            if let Some(reason) = Box::pin(start_actor($actor, $ctx, $ctl, $sup)).await {
                break 'instance reason;
            }
            // A graceful stop refuses new sends, then handles what is queued,
            // including what sends already in flight deliver (see `mailbox::state`).
            let mut draining = false;
            'messages: loop {
                if $ctl.is_killed() {
                    break 'instance StopReason::Killed;
                }
                if !draining && $ctl.stop_requested() {
                    if retires(&*$ctx, $ctl, $sup) {
                        break 'instance StopReason::Normal;
                    }
                    $ctl.close();
                    draining = true;
                }
                // A panic in the step or the handler comes out of this block,
                // to the one place that handles it: nothing of the step's
                // future or result, or of the handling, is kept meanwhile.
                let (panic, message_type) = 'crash: {
                    let env = if draining {
                        match $ctx.receiver().drain_next().await {
                            Some(env) => env,
                            None if $ctl.is_killed() => break 'instance StopReason::Killed,
                            None => break 'instance StopReason::Normal,
                        }
                    } else {
                        let step = guarded($ctl, StepGuard, pin!(Some($actor.step($ctx)))).await;
                        match step {
                            Run::Done(Step::Message(env)) => env,
                            Run::Done(Step::Continue) => continue 'messages,
                            Run::Done(Step::Stop) => {
                                if retires(&*$ctx, $ctl, $sup) {
                                    $ctl.retire();
                                    break 'instance StopReason::Normal;
                                }
                                $ctl.close();
                                draining = true;
                                continue 'messages;
                            }
                            Run::Panicked(p) => break 'crash (p, None),
                            Run::Killed => break 'instance StopReason::Killed,
                        }
                    };
                    // Only an asynchronous handler awaits here, and what it
                    // keeps across the await is its boxed future: a synchronous
                    // one (what `#[actor]` generates for a plain `fn`) is done
                    // inside `start`.
                    let (message_type, handling) = start($actor, $ctx, $ctl, env);
                    // Each arm moves the handling whole (and none borrows it),
                    // so nothing of it is kept besides its own await.
                    let run = match handling {
                        over @ Handling::Over(_) => over.into_run(),
                        running @ Handling::Running(..) => running.await,
                    };
                    // `ctx.sender()` speaks of the message being handled, and of no other time.
                    $ctx.set_sender(None);
                    match run {
                        Run::Done(()) => continue 'messages,
                        Run::Killed => break 'instance StopReason::Killed,
                        Run::Panicked(p) => (p, Some(message_type)),
                    }
                };
                let site = match message_type {
                    Some(message_type) => PanicSite::Handler(message_type()),
                    None => PanicSite::Step,
                };
                if Box::pin(crashed($actor, $ctx, $ctl, $sup, panic.clone(), site)).await == ControlFlow::Stop {
                    break 'instance ended_by($ctl, panic);
                }
            }
        }
    };
}
pub(crate) use instance_loop;

/// The whole life of one actor.
///
/// An `async` block rather than an `async fn`: an `async fn` would keep the
/// actor and its context twice in the task (as passed and as bound). The
/// message loop is expanded right here ([`instance_loop!`]), so that the
/// actor and its context are this future's own fields and nothing holds a
/// second reference to them across the wait for the next message: every
/// byte of this future is in every idle actor's task.
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
pub(crate) fn run<A: Actor>(mut actor: A, mut ctx: Context<A>) -> impl Future<Output = ()> + Send {
    async move {
        // Register the task's waker once: stop and kill wake it wherever it waits.
        ctx.set_task_waker(poll_fn(|cx| Poll::Ready(cx.waker().clone())).await);
        let ctl = Arc::clone(ctx.control());
        let sup = Unsupervised;

        let reason = instance_loop!(&mut actor, &mut ctx, &*ctl, sup);
        // The once-only phases (start, drain, crash handling, wind-down) are
        // boxed: an idle actor's task is laid out for its largest phase, and the
        // message loop is what should set that size.
        Box::pin(wind_down(actor, ctx, ctl, reason)).await;
    }
}

/// A stop that is not from outside (no `CLOSED`), or a `Step::Stop` while
/// every ref is still there: does it end only this instance? Never for an
/// actor that is not supervised.
#[cold]
pub(crate) fn retires<A: Actor, S: Supervision>(ctx: &Context<A>, ctl: &Control, sup: S) -> bool {
    !ctl.is_closed() && !ctx.receiver().is_disconnected() && sup.retires(ctl)
}

/// Runs `on_start`; `Some` if the actor ends there.
pub(crate) async fn start_actor<A: Actor, S: Supervision>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ctl: &Control,
    sup: S,
) -> Option<StopReason> {
    let started = guarded(ctl, Killable, pin!(Some(actor.on_start(ctx)))).await;
    match started {
        Run::Done(Ok(())) => {
            sup.started();
            None
        }
        Run::Done(Err(e)) => Some(StopReason::StartFailed(Arc::from(e))),
        Run::Panicked(p) => {
            // A failed start ends this instance whatever `on_panic` says.
            crashed(actor, ctx, ctl, sup, p.clone(), PanicSite::OnStart).await;
            Some(ended_by(ctl, p))
        }
        Run::Killed => Some(StopReason::Killed),
    }
}

/// A message being handled, as [`start`] left it: over already, or an
/// asynchronous handler's future, guarded as [`Killable`]: a future
/// (`Unpin`, and small: the actor's task holds it while the handler runs).
pub(crate) enum Handling<'a> {
    /// A synchronous handler returned, or the start panicked.
    Over(Run<()>),
    /// An asynchronous handler's future (`None` once it is done).
    Running(&'a Control, Option<BoxFuture<'a>>),
}

impl Handling<'_> {
    /// The outcome of a handling that is over (a synchronous handler's).
    #[inline]
    pub(crate) fn into_run(self) -> Run<()> {
        match self {
            Handling::Over(run) => run,
            Handling::Running(..) => unreachable!("a running handling is awaited"),
        }
    }
}

impl Future for Handling<'_> {
    type Output = Run<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Run<()>> {
        match self.get_mut() {
            // (Not awaited by the loop, which takes the outcome at once.)
            Handling::Over(run) => Poll::Ready(std::mem::replace(run, Run::Killed)),
            Handling::Running(ctl, slot) => poll_guarded::<Killable, _>(ctl, Pin::new(slot), cx),
        }
    }
}

/// Starts handling `env` inside its tracing span, with panics caught: a
/// synchronous handler is done on return, an asynchronous one comes back as
/// its future, guarded. Also returns the message's type name.
///
/// (The caller awaits right after; it takes the type name from here rather
/// than borrowing `env` itself, which would keep `env`'s slot in the actor's
/// task.)
#[inline(always)]
pub(crate) fn start<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    ctl: &'a Control,
    env: Envelope<A>,
) -> (fn() -> &'static str, Handling<'a>) {
    let (message_type, sender) = env.header();
    ctx.set_sender(sender);
    let span = tracing::info_span!(
        "handle",
        actor.id = %ctx.id(),
        actor.r#type = %ShortName(type_name::<A>()),
        message.r#type = %ShortName(message_type()),
        sender = ?sender,
    );
    let handling = match catch_unwind(AssertUnwindSafe(move || env.handle(actor, ctx, span))) {
        Ok(None) => Handling::Over(Run::Done(())),
        Ok(Some(fut)) => Handling::Running(ctl, Some(fut)),
        Err(payload) => Handling::Over(Run::Panicked(Panic::caught(payload))),
    };
    (message_type, handling)
}

/// After a panic: ask `on_panic`, then (supervised, when it chose `Stop`)
/// whether a restart follows, tell the crash policy, return the decision.
pub(crate) async fn crashed<A: Actor, S: Supervision>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ctl: &Control,
    sup: S,
    panic: Panic,
    site: PanicSite,
) -> ControlFlow {
    let decision = match guarded(ctl, Killable, pin!(Some(actor.on_panic(ctx, &panic)))).await {
        Run::Done(decision) => decision,
        Run::Panicked(p) => {
            tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name()), "on_panic panicked: {p}");
            ControlFlow::Stop
        }
        Run::Killed => ControlFlow::Stop,
    };
    // A failed start is terminal, whatever `on_panic` said.
    let decision = if site == PanicSite::OnStart { ControlFlow::Stop } else { decision };
    let restart = decision == ControlFlow::Stop && sup.failed(ctl);
    let crash = Crash { actor_id: ctl.id, actor_type: ctl.type_name(), site, panic, decision, restart };
    ctx.runtime().report_crash(&crash);
    decision
}

/// A supervised actor's factory panicked: a failed start, told to the crash
/// policy as a panic in `on_start`. `true` if a restart follows.
pub(crate) fn factory_panicked<A: Actor, S: Supervision>(
    ctx: &Context<A>,
    ctl: &Control,
    sup: S,
    panic: Panic,
) -> bool {
    let restart = sup.failed(ctl);
    let crash = Crash {
        actor_id: ctl.id,
        actor_type: ctl.type_name(),
        site: PanicSite::OnStart,
        panic,
        decision: ControlFlow::Stop,
        restart,
    };
    ctx.runtime().report_crash(&crash);
    restart
}

/// Waits `delay` (a restart's backoff), giving up early on a stop or kill
/// from outside: `false` then.
pub(crate) async fn pause(ctl: &Control, delay: Duration) -> bool {
    // A kill closes the mailbox too.
    if delay.is_zero() {
        return !ctl.is_closed();
    }
    ctl.unless_closed(tokio::time::sleep(delay)).await.is_some()
}

pub(crate) fn ended_by(ctl: &Control, panic: Panic) -> StopReason {
    if ctl.is_killed() { StopReason::Killed } else { StopReason::Panicked(panic) }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;

    use super::run;
    use crate::actor::{Actor, Context};
    use crate::handle::ActorId;
    use crate::mailbox::{self, Mailbox};
    use crate::message::Envelope;
    use crate::runtime::{Control, Runtime};

    /// The benchmarks' idle actor: 8 bytes of state.
    struct Idle(#[allow(dead_code, reason = "only its size matters")] u64);
    impl Actor for Idle {}

    /// BENCHMARKS.md's memory figures rest on this: tokio lays a task out
    /// as a 32-byte header, 16 bytes of scheduler and id, the future behind
    /// an 8-byte stage tag, and a 48-byte trailer, in a multiple of 128
    /// bytes. A future of at most 152 bytes makes the task 256 bytes; one
    /// byte more and every idle actor's task is 384.
    #[test]
    fn an_idle_actors_task_future_is_at_most_136_bytes() {
        let ctl = Arc::new(Control::new(ActorId::next(), || "Idle", Mailbox::unbounded()));
        let (tx, rx) = mailbox::channel::<Envelope<Idle>, _>(Mailbox::unbounded(), &ctl);
        let tx = Arc::new(tx);
        let ctx = Context::new(rx, Arc::downgrade(&tx), Runtime::new());
        assert!(size_of::<Context<Idle>>() <= 72, "Context<Idle> is {} bytes", size_of::<Context<Idle>>());
        let fut = run(Idle(0), ctx);
        assert!(size_of_val(&fut) <= 136, "the task future of an 8-byte actor is {} bytes", size_of_val(&fut));
    }

    /// The control block, in an `Arc` (16 bytes more), fits glibc's
    /// 112-byte chunk: 88 bytes, with the room signal boxed for bounded
    /// mailboxes only, the type name as a fn, and the end signal, reason,
    /// watches and names in one box made on first use.
    #[test]
    fn a_control_block_is_at_most_88_bytes() {
        assert!(size_of::<Control>() <= 88, "Control is {} bytes", size_of::<Control>());
    }
}
