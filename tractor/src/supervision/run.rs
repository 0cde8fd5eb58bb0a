//! A supervised actor's task: instance after instance over one mailbox.
//!
//! Each instance runs the ordinary actor loop (`task::lifecycle`). When it
//! ends, what comes next decides how it ends: for good (the mailbox is
//! abandoned, children stop gracefully, `on_stop`, then the actor is over),
//! or replaced (the mailbox stays open, children are killed, `on_stop`, then
//! the next instance, after the backoff or once the group says so). Only the
//! last end reaches `wait()`, watchers and names.

use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;

use super::Restart;
use super::group::{Command, Seat};
use super::limit::{Backoff, Limit, Log};
use crate::actor::{Actor, Context, Panic, StopReason};
use crate::runtime::task::{self, End, Supervised};
use crate::runtime::{Control, Launch};
use crate::util::short_type_name;

/// What builds a new instance.
pub(crate) type Factory<A> = Arc<dyn Fn() -> A + Send + Sync>;

/// Everything a supervised actor's task needs besides its context.
pub(crate) struct Plan<A> {
    pub(crate) factory: Factory<A>,
    pub(crate) restart: Restart,
    pub(crate) boss: Boss,
}

/// Who decides whether a failed actor comes back.
pub(crate) enum Boss {
    /// Supervised alone: its own limit and backoff.
    Own { limit: Limit, backoff: Option<Backoff>, log: Mutex<Log> },
    /// A child of a group: the group does, under its strategy.
    Group(Seat),
}

/// What one instance's end leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Restart, the `n`th time within the window.
    Restart(u32),
    /// Stop for good.
    Stop,
    /// A group child over its group's limit: the group fails.
    Escalate,
}

/// The supervision of one instance, as the actor loop asks it.
struct Instance<'p, A> {
    plan: &'p Plan<A>,
    /// Decided once, at the failure (or the self-stop) that ends the instance.
    verdict: OnceLock<Verdict>,
}

impl<A> Instance<'_, A> {
    fn verdict(&self, ctl: &Control) -> Verdict {
        *self.verdict.get_or_init(|| {
            // A kill from outside closes the mailbox too.
            if ctl.is_closed() || self.plan.restart == Restart::Never {
                return Verdict::Stop;
            }
            match &self.plan.boss {
                Boss::Own { limit, log, .. } => {
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.restart(*limit).map_or(Verdict::Stop, Verdict::Restart)
                }
                Boss::Group(seat) => seat.restart().map_or(Verdict::Escalate, Verdict::Restart),
            }
        })
    }
}

impl<A: Send> Supervised for Instance<'_, A> {
    fn retires(&self, ctl: &Control) -> bool {
        if let Boss::Group(seat) = &self.plan.boss
            && seat.retiring()
        {
            return true;
        }
        // Under `Always`, only when a restart (or the group's failure)
        // follows: at the limit, stopping itself drains and ends as usual.
        self.plan.restart == Restart::Always && self.verdict(ctl) != Verdict::Stop
    }

    fn failed(&self, ctl: &Control) -> bool {
        matches!(self.verdict(ctl), Verdict::Restart(_))
    }

    fn started(&self) {
        if let Boss::Group(seat) = &self.plan.boss {
            seat.started();
        }
    }
}

/// How an instance that ended goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// The actor is over.
    ForGood,
    /// Restart after the backoff (supervised alone): restart number `n`.
    Restart(u32),
    /// Wait for the group; `report`: tell it (it did not ask for this end).
    Group { report: bool },
}

impl<A: Actor> Launch<A> for Plan<A> {
    fn run(self, ctx: Context<A>) -> impl Future<Output = ()> + Send + 'static {
        run(self, ctx)
    }

    fn refused(self, ctx: Context<A>, reason: StopReason) -> Option<impl Future<Output = ()> + Send + 'static> {
        // No instance was built: nothing to stop.
        ctx.control().finish(reason);
        if let Boss::Group(seat) = &self.boss {
            seat.finished();
        }
        None::<std::future::Ready<()>>
    }
}

/// The whole life of a supervised actor.
async fn run<A: Actor>(plan: Plan<A>, mut ctx: Context<A>) {
    ctx.set_task_waker(poll_fn(|cx| Poll::Ready(cx.waker().clone())).await);
    let ctl = Arc::clone(ctx.control());
    let reason = Box::pin(lives(&plan, &mut ctx, &ctl)).await;
    if let Boss::Group(seat) = &plan.boss {
        // A group inside a group: its children end with it.
        seat.stop_subgroup(&ctl).await;
    }
    ctx.finish(reason);
    if let Boss::Group(seat) = &plan.boss {
        seat.finished();
    }
}

/// Instance after instance; returns the last one's reason once the actor is
/// over (every instance has ended by then).
async fn lives<A: Actor>(plan: &Plan<A>, ctx: &mut Context<A>, ctl: &Control) -> StopReason {
    if let Boss::Group(seat) = &plan.boss {
        // A group's child waits for its group to start it, in order.
        if seat.command(ctl).await == Command::Stop {
            return seat.never_started(ctl);
        }
    }
    let mut restarts = 0u32;
    loop {
        let instance = Instance { plan, verdict: OnceLock::new() };
        let (reason, next) = match catch_unwind(AssertUnwindSafe(|| (plan.factory)())) {
            Ok(mut actor) => {
                let reason = task::lifecycle(&mut actor, ctx, ctl, &instance).await;
                let next = next(plan, &instance, ctl, &reason);
                let end = if next == Next::ForGood { End::ForGood } else { End::Replaced };
                (task::end_instance(actor, ctx, ctl, reason, end).await, next)
            }
            Err(payload) => {
                // No instance: nothing to stop, only the failed start to tell.
                let panic = Panic::caught(payload);
                task::factory_panicked(ctx, ctl, &instance, panic.clone());
                let reason = task::ended_by(ctl, panic);
                (reason.clone(), next(plan, &instance, ctl, &reason))
            }
        };
        match next {
            Next::ForGood => return reason,
            Next::Restart(n) => {
                let delay = match &plan.boss {
                    Boss::Own { backoff: Some(b), .. } => b.delay(n),
                    _ => std::time::Duration::ZERO,
                };
                if !task::pause(ctl, delay).await || !ctl.resume() {
                    return final_reason(ctl, reason);
                }
            }
            Next::Group { report } => {
                let Boss::Group(seat) = &plan.boss else { unreachable!("only a group's child waits for its group") };
                seat.ended(&reason, report);
                if seat.command(ctl).await == Command::Stop || !ctl.resume() {
                    return final_reason(ctl, reason);
                }
            }
        }
        restarts += 1;
        tracing::info!(
            actor.id = %ctl.id,
            actor.r#type = short_type_name(ctl.type_name()),
            restart = restarts,
            "restarting after: {reason}",
        );
    }
}

/// What comes after an instance that ended with `reason`.
fn next<A>(plan: &Plan<A>, instance: &Instance<'_, A>, ctl: &Control, reason: &StopReason) -> Next {
    let verdict = match reason {
        // Aborted by its group (a retire whose shutdown timeout ran out).
        StopReason::Killed if !ctl.is_killed_for_good() => match &plan.boss {
            Boss::Group(seat) if seat.retiring() => return Next::Group { report: false },
            _ => return Next::ForGood,
        },
        StopReason::Killed => return Next::ForGood,
        // Drained after a stop from outside, or every ref dropped.
        StopReason::Normal if ctl.is_closed() => return Next::ForGood,
        // Retired: by its group, or it stopped itself under `Always`.
        StopReason::Normal => match &plan.boss {
            Boss::Group(seat) if seat.retiring() => return Next::Group { report: false },
            _ => instance.verdict(ctl),
        },
        StopReason::Panicked(_) | StopReason::StartFailed(_) => instance.verdict(ctl),
        // Only a remote ref's stand-in ends this way; never an instance.
        StopReason::NodeLost(_) => return Next::ForGood,
    };
    match (verdict, &plan.boss) {
        (Verdict::Stop, _) => Next::ForGood,
        (Verdict::Restart(n), Boss::Own { .. }) => Next::Restart(n),
        (Verdict::Restart(_) | Verdict::Escalate, Boss::Group(_)) => Next::Group { report: true },
        (Verdict::Escalate, Boss::Own { .. }) => unreachable!("only a group's child escalates"),
    }
}

/// The reason an actor that was between instances ends with: a kill says
/// so; a stop from outside leaves the last instance's reason.
fn final_reason(ctl: &Control, last: StopReason) -> StopReason {
    if ctl.is_killed_for_good() { StopReason::Killed } else { last }
}
