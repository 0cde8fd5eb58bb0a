//! The actor's task: the lifecycle loop, with panic isolation and kill.

use std::any::type_name;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;

use super::current::Running;
use super::{Control, Crash, PanicSite};
use crate::actor::{Actor, Context, ControlFlow, Panic, Step, StopReason};
use crate::message::{BoxFuture, Envelope};
use crate::util::{drop_quietly, short_type_name};

/// How a piece of user code ended.
enum Run<T> {
    Done(T),
    Panicked(Panic),
    Killed,
}

/// How [`guarded`] runs a piece of user code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guard {
    /// `step`: given up on a kill. Not marked as the actor's code (see
    /// `current.rs`): every message goes through it, and a `step` that asks
    /// itself through `ctx.ask` is caught by its sender anyway.
    Step,
    /// A hook or an asynchronous handler: given up on a kill, and marked.
    Killable,
    /// `on_stop`: runs to its end, marked.
    ToTheEnd,
}

/// Polls the future in `slot` with panics caught; unless `ToTheEnd`, gives up
/// as soon as the actor is killed (the kill wakes the task, so this is seen
/// even when the future is parked forever). One atomic load per poll.
///
/// When it is done (or given up) it drops the future in place, also under
/// the guard: a `Drop` of user state that panics (a handler's locals dropped
/// by a kill, say) ends the run as a panic instead of unwinding the task.
///
/// A plain fn over a pinned slot the caller owns: an `async fn` would hold
/// the future twice in the actor's task.
fn guarded<'a, F: Future + 'a>(
    ctl: &'a Control,
    guard: Guard,
    mut slot: Pin<&'a mut Option<F>>,
) -> impl Future<Output = Run<F::Output>> + 'a {
    poll_fn(move |cx| {
        let run = match slot.as_mut().as_pin_mut() {
            _ if guard != Guard::ToTheEnd && ctl.is_killed() => Run::Killed,
            Some(fut) => {
                let _running = (guard != Guard::Step).then(|| Running::enter(ctl.id));
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
    })
}

/// The whole life of one actor.
///
/// An `async` block rather than an `async fn`: an `async fn` would keep the
/// actor and its context twice in the task (as passed and as bound).
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
pub(crate) fn run<A: Actor>(mut actor: A, mut ctx: Context<A>) -> impl Future<Output = ()> + Send {
    async move {
        // Register the task's waker once: stop and kill wake it wherever it waits.
        ctx.set_task_waker(poll_fn(|cx| Poll::Ready(cx.waker().clone())).await);
        let ctl = Arc::clone(ctx.control());

        let reason = lifecycle(&mut actor, &mut ctx, &ctl).await;
        // The once-only phases (start, drain, crash handling, wind-down) are
        // boxed: an idle actor's task is laid out for its largest phase, and the
        // message loop is what should set that size.
        Box::pin(wind_down(actor, ctx, ctl, reason)).await;
    }
}

/// Children first (a kill meanwhile reaches them too), then `on_stop`, then
/// children `on_stop` spawned, then the actor is dead.
async fn wind_down<A: Actor>(mut actor: A, mut ctx: Context<A>, ctl: Arc<Control>, reason: StopReason) {
    // No more messages will be taken: after a crash the mailbox is still open,
    // and a child stuck sending to it would never let `stop_all` end.
    ctl.abandon();
    ctx.children().stop_all(&ctl).await;
    // A kill that came while the children stopped ends a graceful stop.
    let reason = if reason.is_normal() && ctl.is_killed() { StopReason::Killed } else { reason };
    ctx.set_sender(None);
    on_stop(&mut actor, &mut ctx, &ctl, &reason).await;
    // Children spawned by `on_stop` itself do not outlive it.
    ctx.children().stop_all(&ctl).await;
    drop_actor(actor, &ctx, &ctl);
    ctx.finish(reason);
}

/// `on_stop`, to its end, with a panic in it caught and logged.
async fn on_stop<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control, reason: &StopReason) {
    if let Run::Panicked(p) = guarded(ctl, Guard::ToTheEnd, pin!(Some(actor.on_stop(ctx, reason)))).await {
        tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name), "on_stop panicked: {p}");
    }
}

/// Drops the actor's state; a panic in its `Drop` is reported, not let unwind.
fn drop_actor<A: Actor>(actor: A, ctx: &Context<A>, ctl: &Control) {
    if let Some(text) = drop_quietly(actor) {
        report_drop_panic(ctx, ctl, Panic::from_text(text));
    }
}

/// Tells the crash policy of a panic in a `Drop`: the actor ends as it would
/// have, so the decision is `Stop`.
fn report_drop_panic<A: Actor>(ctx: &Context<A>, ctl: &Control, panic: Panic) {
    let crash = Crash {
        actor_id: ctl.id,
        actor_type: ctl.type_name,
        site: PanicSite::Drop,
        panic,
        decision: ControlFlow::Stop,
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

/// `on_start`, then the message loop, then (on a graceful stop) the drain.
///
/// Written as a fn returning an `async` block, like the other functions
/// every message goes through, so that its arguments are not kept twice;
/// and the handling of a message is inline, so that an idle actor's task
/// holds no more than the step or the handler in flight.
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
fn lifecycle<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    ctl: &'a Control,
) -> impl Future<Output = StopReason> + 'a {
    async move {
        if let Some(reason) = Box::pin(start_actor(actor, ctx, ctl)).await {
            return reason;
        }
        // A graceful stop refuses new sends, then handles what is queued,
        // including what sends already in flight deliver (see `mailbox::state`).
        let mut draining = false;
        loop {
            if ctl.is_killed() {
                return StopReason::Killed;
            }
            if !draining && ctl.stop_requested() {
                ctl.close();
                draining = true;
            }
            // Neither the step's future nor its result is kept while the
            // message is handled.
            let env = if draining {
                match ctx.receiver().drain_next().await {
                    Some(env) => env,
                    None if ctl.is_killed() => return StopReason::Killed,
                    None => return StopReason::Normal,
                }
            } else {
                match next_step(actor, ctx, ctl).await {
                    Run::Done(Step::Message(env)) => env,
                    Run::Done(Step::Continue) => continue,
                    Run::Done(Step::Stop) => {
                        ctl.close();
                        draining = true;
                        continue;
                    }
                    Run::Panicked(p) => {
                        if Box::pin(crashed(actor, ctx, ctl, p.clone(), PanicSite::Step)).await == ControlFlow::Stop {
                            return ended_by(ctl, p);
                        }
                        continue;
                    }
                    Run::Killed => return StopReason::Killed,
                }
            };
            // Only an asynchronous handler awaits here, and what it keeps
            // across the await is its boxed future: a synchronous one (what
            // `#[actor]` generates for a plain `fn`) is done inside `start`.
            let (message_type, run) = match start(actor, ctx, env) {
                (message_type, Started::Done) => (message_type, Run::Done(())),
                (message_type, Started::Running(fut)) => {
                    (message_type, guarded(ctl, Guard::Killable, pin!(Some(fut))).await)
                }
                (message_type, Started::Panicked(p)) => (message_type, Run::Panicked(p)),
            };
            // `ctx.sender()` speaks of the message being handled, and of no other time.
            ctx.set_sender(None);
            match run {
                Run::Done(()) => {}
                Run::Killed => return StopReason::Killed,
                Run::Panicked(p) => {
                    let decision =
                        Box::pin(crashed(actor, ctx, ctl, p.clone(), PanicSite::Handler(message_type))).await;
                    if decision == ControlFlow::Stop {
                        return ended_by(ctl, p);
                    }
                }
            }
        }
    }
}

/// The next step, with panics caught.
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
fn next_step<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    ctl: &'a Control,
) -> impl Future<Output = Run<Step<A>>> + 'a {
    async move { guarded(ctl, Guard::Step, pin!(Some(actor.step(ctx)))).await }
}

/// Runs `on_start`; `Some` if the actor ends there.
async fn start_actor<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control) -> Option<StopReason> {
    let started = guarded(ctl, Guard::Killable, pin!(Some(actor.on_start(ctx)))).await;
    match started {
        Run::Done(Ok(())) => None,
        Run::Done(Err(e)) => Some(StopReason::StartFailed(Arc::from(e))),
        Run::Panicked(p) => {
            // A failed start is terminal whatever `on_panic` says.
            crashed(actor, ctx, ctl, p.clone(), PanicSite::OnStart).await;
            Some(ended_by(ctl, p))
        }
        Run::Killed => Some(StopReason::Killed),
    }
}

/// How [`start`] left a message.
enum Started<'a> {
    /// Handled: the handler was synchronous.
    Done,
    /// The handler's future, to poll until it is done.
    Running(BoxFuture<'a>),
    Panicked(Panic),
}

/// Starts handling `env` inside its tracing span, with panics caught: a
/// synchronous handler is done on return, an asynchronous one comes back as
/// its future. Also returns the message's type name.
///
/// (The caller awaits right after; it takes the type name from here rather
/// than borrowing `env` itself, which would keep `env`'s slot in the actor's
/// task.)
fn start<'a, A: Actor>(actor: &'a mut A, ctx: &'a mut Context<A>, env: Envelope<A>) -> (&'static str, Started<'a>) {
    let message_type = env.message_type();
    let sender = env.sender();
    ctx.set_sender(sender);
    let span = tracing::info_span!(
        "handle",
        actor.id = %ctx.id(),
        actor.r#type = short_type_name(type_name::<A>()),
        message.r#type = short_type_name(message_type),
        sender = ?sender,
    );
    let started = match catch_unwind(AssertUnwindSafe(move || env.handle(actor, ctx, span))) {
        Ok(None) => Started::Done,
        Ok(Some(fut)) => Started::Running(fut),
        Err(payload) => Started::Panicked(Panic::caught(payload)),
    };
    (message_type, started)
}

/// After a panic: ask `on_panic`, tell the crash policy, return the decision.
async fn crashed<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ctl: &Control,
    panic: Panic,
    site: PanicSite,
) -> ControlFlow {
    let decision = match guarded(ctl, Guard::Killable, pin!(Some(actor.on_panic(ctx, &panic)))).await {
        Run::Done(decision) => decision,
        Run::Panicked(p) => {
            tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name), "on_panic panicked: {p}");
            ControlFlow::Stop
        }
        Run::Killed => ControlFlow::Stop,
    };
    // A failed start is terminal, whatever `on_panic` said.
    let decision = if site == PanicSite::OnStart { ControlFlow::Stop } else { decision };
    let crash = Crash { actor_id: ctl.id, actor_type: ctl.type_name, site, panic, decision };
    ctx.runtime().report_crash(&crash);
    decision
}

fn ended_by(ctl: &Control, panic: Panic) -> StopReason {
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

    /// BENCHMARKS.md's memory figures rest on this: with tokio's task header
    /// and trailer around it, a 264-byte future fits the 384-byte size class
    /// (0.91 KiB per idle actor, all allocations counted). A bigger future
    /// moves every idle actor to the next class.
    #[test]
    fn an_idle_actors_task_future_is_at_most_264_bytes() {
        let ctl = Arc::new(Control::new(ActorId::next(), "Idle", false));
        let (tx, rx) = mailbox::channel::<Envelope<Idle>, _>(Mailbox::unbounded(), &ctl);
        let tx = Arc::new(tx);
        let ctx = Context::new(rx, Arc::downgrade(&tx), Runtime::new());
        assert!(size_of::<Context<Idle>>() <= 72, "Context<Idle> is {} bytes", size_of::<Context<Idle>>());
        let fut = run(Idle(0), ctx);
        assert!(size_of_val(&fut) <= 264, "the task future of an 8-byte actor is {} bytes", size_of_val(&fut));
    }
}
