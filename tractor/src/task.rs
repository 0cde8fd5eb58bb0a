//! The actor's task: the lifecycle loop, with panic isolation and kill.

use std::any::type_name;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;

use crate::actor::{Actor, ControlFlow, Panic, Step, StopReason};
use crate::cell::{Control, discard};
use crate::context::Context;
use crate::crash::Crash;
use crate::message::{BoxFuture, Envelope};
use crate::util::short_type_name;

/// How a piece of user code ended.
enum Run<T> {
    Done(T),
    Panicked(Panic),
    Killed,
}

/// Polls `fut` with panics caught; if `killable`, gives up as soon as the
/// actor is killed (the kill wakes the task, so this is seen even when `fut`
/// is parked forever). One atomic load per poll.
///
/// A plain fn over a future the caller pinned: an `async fn` would hold
/// `fut` twice in the actor's task.
fn guarded<'a, F: Future + ?Sized>(
    ctl: &'a Control,
    killable: bool,
    mut fut: Pin<&'a mut F>,
) -> impl Future<Output = Run<F::Output>> + 'a {
    poll_fn(move |cx| {
        if killable && ctl.is_killed() {
            return Poll::Ready(Run::Killed);
        }
        match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Run::Done(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Run::Panicked(Panic::from_payload(&*payload))),
        }
    })
}

/// The whole life of one actor.
///
/// An `async` block rather than an `async fn`: an `async fn` would keep the
/// actor and its context twice in the task (as passed and as bound).
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
pub(crate) fn run<A: Actor>(mut actor: A, mut ctx: Context<A>) -> impl Future<Output = ()> + Send {
    async move {
        let ctl = Arc::clone(ctx.control());
        // Register the task's waker once: stop and kill wake it wherever it waits.
        poll_fn(|cx| {
            ctl.set_waker(cx.waker());
            Poll::Ready(())
        })
        .await;

        let reason = lifecycle(&mut actor, &mut ctx, &ctl).await;
        // The once-only phases (start, drain, crash handling, wind-down) are
        // boxed: an idle actor's task is laid out for its largest phase, and the
        // message loop is what should set that size.
        Box::pin(wind_down(&mut actor, &mut ctx, &ctl, &reason)).await;
        drop(actor);
        ctx.runtime().actor_stopped();
        ctl.finish(reason);
        // Anything still queued is answered `is_stopped` now; later arrivals are
        // discarded by their senders (see `cell`).
        discard(ctx.receiver());
    }
}

/// Children first, then `on_stop`.
async fn wind_down<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control, reason: &StopReason) {
    ctx.stop_children(ctl.is_killed()).await;
    ctx.set_sender(None);
    if let Run::Panicked(p) = guarded(ctl, false, pin!(actor.on_stop(ctx, reason))).await {
        tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name), "on_stop panicked: {p}");
    }
}

/// `on_start`, then the message loop. Like the other functions the task
/// always runs through, written as a fn returning an `async` block so that
/// its arguments are not kept twice.
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
        loop {
            if ctl.is_killed() {
                return StopReason::Killed;
            }
            if ctl.stop_requested() {
                return Box::pin(drain(actor, ctx, ctl)).await;
            }
            // Neither the step's future nor its result is kept while the
            // message is handled.
            let env = match next_step(actor, ctx, ctl).await {
                Run::Done(Step::Message(env)) => env,
                Run::Done(Step::Continue) => continue,
                Run::Done(Step::Stop) => return Box::pin(drain(actor, ctx, ctl)).await,
                Run::Panicked(p) => {
                    if Box::pin(crashed(actor, ctx, ctl, p.clone(), None, false)).await == ControlFlow::Stop {
                        return ended_by(ctl, p);
                    }
                    continue;
                }
                Run::Killed => return StopReason::Killed,
            };
            if let Err(reason) = handle(actor, ctx, ctl, env).await {
                return reason;
            }
        }
    }
}

/// The next step, with panics caught.
async fn next_step<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control) -> Run<Step<A>> {
    guarded(ctl, true, pin!(actor.step(ctx))).await
}

/// Runs `on_start`; `Some` if the actor ends there.
async fn start_actor<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control) -> Option<StopReason> {
    let started = guarded(ctl, true, pin!(actor.on_start(ctx))).await;
    match started {
        Run::Done(Ok(())) => None,
        Run::Done(Err(e)) => Some(StopReason::StartFailed(Arc::from(e))),
        Run::Panicked(p) => {
            // A failed start is terminal whatever `on_panic` says.
            crashed(actor, ctx, ctl, p.clone(), None, true).await;
            Some(ended_by(ctl, p))
        }
        Run::Killed => Some(StopReason::Killed),
    }
}

/// Graceful end: refuse new sends, handle what is queued, including what
/// sends already in flight deliver (see `cell`).
async fn drain<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control) -> StopReason {
    ctl.close();
    loop {
        if ctl.is_killed() {
            return StopReason::Killed;
        }
        // Read the in-flight count before the queue: once it is zero no send
        // can start (closed), so an empty queue then is the end.
        let idle = ctl.no_send_in_flight();
        match ctx.receiver().try_recv() {
            Ok(env) => {
                if let Err(reason) = handle(actor, ctx, ctl, env).await {
                    return reason;
                }
            }
            Err(_) if idle => return StopReason::Normal,
            // A send is between its registration and its push (or waits for
            // the room this drain makes): let it finish.
            Err(_) => tokio::task::yield_now().await,
        }
    }
}

/// Handles one message. `Err` ends the actor.
///
/// Only an asynchronous handler awaits here, and what it keeps across the
/// await is its boxed future: a synchronous one (what `#[actor]` generates
/// for a plain `fn`) is done inside `start`.
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
fn handle<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    ctl: &'a Control,
    env: Envelope<A>,
) -> impl Future<Output = Result<(), StopReason>> + 'a {
    async move {
        let message_type = env.message_type();
        let mut started = start(actor, ctx, env);
        let run = match &mut started {
            Ok(None) => Run::Done(()),
            Ok(Some(fut)) => guarded(ctl, true, fut.as_mut()).await,
            Err(p) => Run::Panicked(p.clone()),
        };
        drop(started);
        // `ctx.sender()` speaks of the message being handled, and of no other time.
        ctx.set_sender(None);
        let panic = match run {
            Run::Done(()) => return Ok(()),
            Run::Killed => return Err(StopReason::Killed),
            Run::Panicked(p) => p,
        };
        match Box::pin(crashed(actor, ctx, ctl, panic.clone(), Some(message_type), false)).await {
            ControlFlow::Continue => Ok(()),
            ControlFlow::Stop => Err(ended_by(ctl, panic)),
        }
    }
}

/// Starts handling `env` inside its tracing span, with panics caught: a
/// synchronous handler is done on return, an asynchronous one comes back as
/// its future.
fn start<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    env: Envelope<A>,
) -> Result<Option<BoxFuture<'a>>, Panic> {
    let sender = env.sender();
    ctx.set_sender(sender);
    let span = tracing::info_span!(
        "handle",
        actor.id = %ctx.id(),
        actor.r#type = short_type_name(type_name::<A>()),
        message.r#type = short_type_name(env.message_type()),
        sender = ?sender,
    );
    catch_unwind(AssertUnwindSafe(move || env.handle(actor, ctx, span)))
        .map_err(|payload| Panic::from_payload(&*payload))
}

/// After a panic: ask `on_panic`, tell the crash policy, return the decision.
async fn crashed<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ctl: &Control,
    panic: Panic,
    message_type: Option<&'static str>,
    terminal: bool,
) -> ControlFlow {
    let decision = match guarded(ctl, true, pin!(actor.on_panic(ctx, &panic))).await {
        Run::Done(decision) => decision,
        Run::Panicked(p) => {
            tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name), "on_panic panicked: {p}");
            ControlFlow::Stop
        }
        Run::Killed => ControlFlow::Stop,
    };
    let decision = if terminal { ControlFlow::Stop } else { decision };
    let crash = Crash { actor_id: ctl.id, actor_type: ctl.type_name, message_type, panic, decision };
    ctx.runtime().report_crash(&crash);
    decision
}

fn ended_by(ctl: &Control, panic: Panic) -> StopReason {
    if ctl.is_killed() { StopReason::Killed } else { StopReason::Panicked(panic) }
}
