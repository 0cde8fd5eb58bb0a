//! The actor's task: the lifecycle loop, with panic isolation and kill.

use std::any::type_name;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use tracing::Instrument;

use crate::actor::{Actor, ControlFlow, Panic, Step, StopReason};
use crate::cell::{Control, discard};
use crate::context::Context;
use crate::crash::Crash;
use crate::message::Envelope;
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
async fn guarded<F: Future>(ctl: &Control, killable: bool, fut: F) -> Run<F::Output> {
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        if killable && ctl.is_killed() {
            return Poll::Ready(Run::Killed);
        }
        match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Run::Done(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Run::Panicked(Panic::from_payload(&*payload))),
        }
    })
    .await
}

/// The whole life of one actor.
pub(crate) async fn run<A: Actor>(mut actor: A, mut ctx: Context<A>) {
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

/// Children first, then `on_stop`.
async fn wind_down<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control, reason: &StopReason) {
    ctx.stop_children(ctl.is_killed()).await;
    ctx.set_sender(None);
    if let Run::Panicked(p) = guarded(ctl, false, actor.on_stop(ctx, reason)).await {
        tracing::error!(actor.id = %ctl.id, actor.r#type = short_type_name(ctl.type_name), "on_stop panicked: {p}");
    }
}

async fn lifecycle<A: Actor>(actor: &mut A, ctx: &mut Context<A>, ctl: &Control) -> StopReason {
    match guarded(ctl, true, Box::pin(actor.on_start(ctx))).await {
        Run::Done(Ok(())) => {}
        Run::Done(Err(e)) => return StopReason::StartFailed(Arc::from(e)),
        Run::Panicked(p) => {
            // A failed start is terminal whatever `on_panic` says.
            Box::pin(crashed(actor, ctx, ctl, p.clone(), None, true)).await;
            return ended_by(ctl, p);
        }
        Run::Killed => return StopReason::Killed,
    }
    loop {
        if ctl.is_killed() {
            return StopReason::Killed;
        }
        if ctl.stop_requested() {
            return Box::pin(drain(actor, ctx, ctl)).await;
        }
        match guarded(ctl, true, actor.step(ctx)).await {
            Run::Done(Step::Message(env)) => {
                if let Err(reason) = handle(actor, ctx, ctl, env).await {
                    return reason;
                }
            }
            Run::Done(Step::Continue) => {}
            Run::Done(Step::Stop) => return Box::pin(drain(actor, ctx, ctl)).await,
            Run::Panicked(p) => {
                if Box::pin(crashed(actor, ctx, ctl, p.clone(), None, false)).await == ControlFlow::Stop {
                    return ended_by(ctl, p);
                }
            }
            Run::Killed => return StopReason::Killed,
        }
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
async fn handle<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ctl: &Control,
    env: Envelope<A>,
) -> Result<(), StopReason> {
    let result = handle_in_span(actor, ctx, ctl, env).await;
    // `ctx.sender()` speaks of the message being handled, and of no other time.
    ctx.set_sender(None);
    result
}

/// Handles one message inside its tracing span; a panic goes to `on_panic`.
async fn handle_in_span<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ctl: &Control,
    env: Envelope<A>,
) -> Result<(), StopReason> {
    let message_type = env.message_type();
    let sender = env.sender();
    ctx.set_sender(sender);
    let span = tracing::info_span!(
        "handle",
        actor.id = %ctl.id,
        actor.r#type = short_type_name(type_name::<A>()),
        message.r#type = short_type_name(message_type),
        sender = ?sender,
    );
    let panic = {
        let started = {
            let _entered = span.enter();
            let (a, c) = (&mut *actor, &mut *ctx);
            catch_unwind(AssertUnwindSafe(move || env.handle(a, c)))
        };
        match started {
            Ok(None) => return Ok(()),
            Ok(Some(fut)) => match guarded(ctl, true, fut.instrument(span)).await {
                Run::Done(()) => return Ok(()),
                Run::Killed => return Err(StopReason::Killed),
                Run::Panicked(p) => p,
            },
            Err(payload) => Panic::from_payload(&*payload),
        }
    };
    match Box::pin(crashed(actor, ctx, ctl, panic.clone(), Some(message_type), false)).await {
        ControlFlow::Continue => Ok(()),
        ControlFlow::Stop => Err(ended_by(ctl, panic)),
    }
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
    let decision = match guarded(ctl, true, actor.on_panic(ctx, &panic)).await {
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
