//! A supervised actor's task: instance after instance over one mailbox.
//!
//! Each instance runs the ordinary actor loop (`task::instance_loop!`,
//! expanded right in this task's future, as in a plain actor's). When it
//! ends, what comes next decides how it ends: for good (the mailbox is
//! abandoned, children stop gracefully, `on_stop`, then the actor is over),
//! or replaced (the mailbox stays open, children are killed, `on_stop`, then
//! the next instance, after the backoff or once the group says so). Only the
//! last end reaches `wait()`, watchers and names.
//!
//! What an idle supervised actor holds besides a plain one's is its [`Plan`],
//! in one box: the task future keeps a pointer to it, and every phase that
//! is not the message loop (the wait for the group, the end of an instance,
//! the backoff, the end of the actor) is boxed while it runs, so the loop
//! sets the task's size, as in a plain actor's.

use std::future::poll_fn;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use super::Restart;
use super::group::{Command, Seat};
use super::limit::{Backoff, Limit, Log};
use crate::actor::{Actor, Context, Panic, StopReason};
use crate::handle::ActorRef;
use crate::mailbox::Mailbox;
use crate::runtime::task::{self, End, Supervised, instance_loop};
use crate::runtime::{Control, Launch, Runtime};
use crate::util::short_type_name;

/// Everything a supervised actor's task needs besides its context, in one
/// box (the task keeps a thin pointer to it, 8 bytes). Generic over the
/// factory, so the factory is neither a second allocation nor a call through
/// a pointer. 104 bytes with a factory that captures nothing: glibc's
/// 112-byte chunk (a unit test pins it).
pub(crate) struct Plan<A, F> {
    restart: Restart,
    boss: Boss,
    /// Restarts so far, for the log.
    restarts: u32,
    /// The current instance's verdict; reset before each instance.
    verdict: Decided,
    factory: F,
    _builds: PhantomData<fn() -> A>,
}

impl<A: Actor, F: Fn() -> A + Send + Sync + 'static> Plan<A, F> {
    /// A plan for `factory`, boxed (the only allocation it makes).
    pub(crate) fn new(factory: F, restart: Restart, boss: Boss) -> Box<Self> {
        Box::new(Plan { restart, boss, restarts: 0, verdict: Decided::default(), factory, _builds: PhantomData })
    }
}

impl<A, F> Plan<A, F> {
    /// This instance's verdict, decided at the first question (the failure
    /// or the self-stop that ends it).
    fn verdict(&self, ctl: &Control) -> Verdict {
        if let Some(verdict) = self.verdict.get() {
            return verdict;
        }
        let verdict = if ctl.is_closed() || self.restart == Restart::Never {
            // A kill from outside closes the mailbox too.
            Verdict::Stop
        } else {
            match &self.boss {
                Boss::Own(own) => {
                    let mut log = own.log.lock().unwrap_or_else(|e| e.into_inner());
                    log.restart(own.limit).map_or(Verdict::Stop, Verdict::Restart)
                }
                Boss::Group(seat) => seat.restart().map_or(Verdict::Escalate, Verdict::Restart),
            }
        };
        self.verdict.set(verdict);
        verdict
    }
}

/// A [`Verdict`] decided once per instance, or not yet: in one atomic
/// rather than a `OnceLock` (8 bytes, not 12, which keeps the plan in its
/// malloc chunk). Only the actor's own task asks or decides it, so no two
/// decisions race.
#[derive(Default)]
struct Decided(AtomicU64);

impl Decided {
    const UNDECIDED: u64 = 0;
    const STOP: u64 = 1;
    const ESCALATE: u64 = 2;
    /// `Restart(n)` is `RESTART + n`.
    const RESTART: u64 = 3;

    fn get(&self) -> Option<Verdict> {
        match self.0.load(Ordering::Relaxed) {
            Self::UNDECIDED => None,
            Self::STOP => Some(Verdict::Stop),
            Self::ESCALATE => Some(Verdict::Escalate),
            n => Some(Verdict::Restart((n - Self::RESTART) as u32)),
        }
    }

    fn set(&self, verdict: Verdict) {
        let code = match verdict {
            Verdict::Stop => Self::STOP,
            Verdict::Escalate => Self::ESCALATE,
            Verdict::Restart(n) => Self::RESTART + u64::from(n),
        };
        self.0.store(code, Ordering::Relaxed);
    }

    /// Undecided again, for the next instance.
    fn reset(&mut self) {
        *self.0.get_mut() = Self::UNDECIDED;
    }
}

/// A plan not yet spawned, with its factory's type erased: what
/// [`Supervise`](super::Supervise) keeps while its options are set.
pub(crate) trait Unspawned<A: Actor>: Send + Sync {
    /// The options: when to restart, and who decides.
    fn rules(&self) -> (Restart, &Boss);
    fn rules_mut(&mut self) -> (&mut Restart, &mut Boss);
    /// Spawns the actor with a new mailbox of shape `mailbox`.
    fn spawn(self: Box<Self>, runtime: &Runtime, mailbox: Mailbox) -> (ActorRef<A>, Arc<Control>);
}

impl<A: Actor, F: Fn() -> A + Send + Sync + 'static> Unspawned<A> for Plan<A, F> {
    fn rules(&self) -> (Restart, &Boss) {
        (self.restart, &self.boss)
    }

    fn rules_mut(&mut self) -> (&mut Restart, &mut Boss) {
        (&mut self.restart, &mut self.boss)
    }

    fn spawn(self: Box<Self>, runtime: &Runtime, mailbox: Mailbox) -> (ActorRef<A>, Arc<Control>) {
        runtime.launch(self, mailbox)
    }
}

/// Who decides whether a failed actor comes back.
pub(crate) enum Boss {
    /// Supervised alone: its own limit and backoff.
    Own(Own),
    /// A child of a group: the group does, under its strategy.
    Group(Seat),
}

/// The rules of an actor supervised alone, and its restarts so far.
pub(crate) struct Own {
    pub(crate) limit: Limit,
    pub(crate) backoff: Option<Backoff>,
    pub(crate) log: Mutex<Log>,
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

/// The supervision of the current instance, as the actor loop asks it.
impl<A, F: Sync> Supervised for Plan<A, F> {
    fn retires(&self, ctl: &Control) -> bool {
        if let Boss::Group(seat) = &self.boss
            && seat.retiring()
        {
            return true;
        }
        // Under `Always`, only when a restart (or the group's failure)
        // follows: at the limit, stopping itself drains and ends as usual.
        self.restart == Restart::Always && self.verdict(ctl) != Verdict::Stop
    }

    fn failed(&self, ctl: &Control) -> bool {
        matches!(self.verdict(ctl), Verdict::Restart(_))
    }

    fn started(&self) {
        if let Boss::Group(seat) = &self.boss {
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

impl<A: Actor, F: Fn() -> A + Send + Sync + 'static> Launch<A> for Box<Plan<A, F>> {
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

/// The whole life of a supervised actor: instance after instance, then its
/// end, with the last instance's reason.
///
/// An `async` block rather than an `async fn`, and the message loop expanded
/// inline, for the reasons `task::run` gives: every byte of this future is
/// in every idle supervised actor's task.
#[allow(clippy::manual_async_fn, reason = "an `async fn` keeps its arguments twice")]
fn run<A, F>(mut plan: Box<Plan<A, F>>, mut ctx: Context<A>) -> impl Future<Output = ()> + Send + 'static
where
    A: Actor,
    F: Fn() -> A + Send + Sync + 'static,
{
    async move {
        ctx.set_task_waker(poll_fn(|cx| Poll::Ready(cx.waker().clone())).await);
        let ctl = Arc::clone(ctx.control());
        // Across the instance's loop this future holds the plan, the context,
        // the control block and the actor, and nothing else: what an
        // instance's end leads to is decided and waited for in boxes.
        let reason = 'actor: {
            // A group's child waits for its group to start it, in order.
            if let Boss::Group(seat) = &plan.boss
                && Box::pin(seat.command(&ctl)).await == Command::Stop
            {
                break 'actor seat.never_started(&ctl);
            }
            loop {
                plan.verdict.reset();
                let mut actor = match catch_unwind(AssertUnwindSafe(|| (plan.factory)())) {
                    Ok(actor) => actor,
                    Err(payload) => match Box::pin(unbuilt(&mut plan, &ctx, &ctl, Panic::caught(payload))).await {
                        Some(reason) => break 'actor reason,
                        None => continue,
                    },
                };
                let reason = instance_loop!(&mut actor, &mut ctx, &*ctl, &*plan);
                if let Some(reason) = Box::pin(ended(&mut plan, actor, &mut ctx, &ctl, reason)).await {
                    break 'actor reason;
                }
            }
        };
        Box::pin(finish(plan, ctx, ctl, reason)).await;
    }
}

/// An instance ended with `reason`: its end (for good, or replaced), then
/// what follows. `Some` with the actor's last reason once it is over,
/// `None` when the next instance is to be built.
async fn ended<A: Actor, F: Sync>(
    plan: &mut Plan<A, F>,
    actor: A,
    ctx: &mut Context<A>,
    ctl: &Control,
    reason: StopReason,
) -> Option<StopReason> {
    let next = next(plan, ctl, &reason);
    let end = if next == Next::ForGood { End::ForGood } else { End::Replaced };
    let reason = task::end_instance(actor, ctx, ctl, reason, end).await;
    go_on(plan, ctl, reason, next).await
}

/// The factory panicked: no instance, nothing to stop, only the failed
/// start to tell; then what follows, as in [`ended`].
async fn unbuilt<A: Actor, F: Sync>(
    plan: &mut Plan<A, F>,
    ctx: &Context<A>,
    ctl: &Control,
    panic: Panic,
) -> Option<StopReason> {
    task::factory_panicked(ctx, ctl, &*plan, panic.clone());
    let reason = task::ended_by(ctl, panic);
    let next = next(plan, ctl, &reason);
    go_on(plan, ctl, reason, next).await
}

/// After an instance's end: the actor is over (`Some`, its last reason),
/// or the next instance follows (`None`) after the backoff or once the
/// group says so.
async fn go_on<A, F>(plan: &mut Plan<A, F>, ctl: &Control, reason: StopReason, next: Next) -> Option<StopReason> {
    match next {
        Next::ForGood => return Some(reason),
        Next::Restart(n) => {
            let delay = match &plan.boss {
                Boss::Own(Own { backoff: Some(b), .. }) => b.delay(n),
                _ => std::time::Duration::ZERO,
            };
            if !task::pause(ctl, delay).await || !ctl.resume() {
                return Some(final_reason(ctl, reason));
            }
        }
        Next::Group { report } => {
            let Boss::Group(seat) = &plan.boss else { unreachable!("only a group's child waits for its group") };
            seat.ended(&reason, report);
            if seat.command(ctl).await == Command::Stop || !ctl.resume() {
                return Some(final_reason(ctl, reason));
            }
        }
    }
    plan.restarts += 1;
    tracing::info!(
        actor.id = %ctl.id,
        actor.r#type = short_type_name(ctl.type_name()),
        restart = plan.restarts,
        "restarting after: {reason}",
    );
    None
}

/// The end of the actor, once its last instance has ended.
async fn finish<A: Actor, F>(plan: Box<Plan<A, F>>, ctx: Context<A>, ctl: Arc<Control>, reason: StopReason) {
    if let Boss::Group(seat) = &plan.boss {
        // A group inside a group: its children end with it.
        seat.stop_subgroup(&ctl).await;
    }
    ctx.finish(reason);
    if let Boss::Group(seat) = &plan.boss {
        seat.finished();
    }
}

/// What comes after an instance that ended with `reason`.
fn next<A, F>(plan: &Plan<A, F>, ctl: &Control, reason: &StopReason) -> Next {
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
            _ => plan.verdict(ctl),
        },
        StopReason::Panicked(_) | StopReason::StartFailed(_) => plan.verdict(ctl),
        // Only a remote ref's stand-in ends this way; never an instance.
        StopReason::NodeLost(_) => return Next::ForGood,
    };
    match (verdict, &plan.boss) {
        (Verdict::Stop, _) => Next::ForGood,
        (Verdict::Restart(n), Boss::Own(_)) => Next::Restart(n),
        (Verdict::Restart(_) | Verdict::Escalate, Boss::Group(_)) => Next::Group { report: true },
        (Verdict::Escalate, Boss::Own(_)) => unreachable!("only a group's child escalates"),
    }
}

/// The reason an actor that was between instances ends with: a kill says
/// so; a stop from outside leaves the last instance's reason.
fn final_reason(ctl: &Control, last: StopReason) -> StopReason {
    if ctl.is_killed_for_good() { StopReason::Killed } else { last }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::{Boss, Own, Plan, run};
    use crate::actor::{Actor, Context};
    use crate::handle::ActorId;
    use crate::mailbox::{self, Mailbox};
    use crate::message::Envelope;
    use crate::runtime::{Control, Runtime};
    use crate::supervision::Restart;
    use crate::supervision::limit::{Limit, Log};

    /// The benchmarks' idle actor: 8 bytes of state.
    #[derive(Default)]
    struct Idle(#[allow(dead_code, reason = "only its size matters")] u64);
    impl Actor for Idle {}

    /// BENCHMARKS.md's supervised memory figure rests on this: a supervised
    /// actor's task future holds what a plain one's does (the actor, its
    /// context, the control block, the message loop's locals) and a thin
    /// pointer to its plan. At most 152 bytes keeps tokio's task at 256
    /// bytes, as a plain actor's; one byte more and it is 384. A phase other
    /// than the message loop inline here (the wait for the group, the
    /// backoff, an instance's end), or a local of them kept across the loop,
    /// is 24 to 200 bytes more.
    #[test]
    fn a_supervised_idle_actors_task_future_is_at_most_152_bytes() {
        let ctl = Arc::new(Control::new(ActorId::next(), || "Idle", Mailbox::unbounded()));
        let (tx, rx) = mailbox::channel::<Envelope<Idle>, _>(Mailbox::unbounded(), &ctl);
        let tx = Arc::new(tx);
        let ctx = Context::new(rx, Arc::downgrade(&tx), Runtime::new());
        let fut = run(plan(), ctx);
        assert!(
            size_of_val(&fut) <= 152,
            "the supervised task future of an 8-byte actor is {} bytes",
            size_of_val(&fut)
        );
    }

    /// The plan, boxed, fits glibc's 112-byte chunk (a request of at most
    /// 104 bytes) with a factory that captures nothing.
    #[test]
    fn a_plan_is_at_most_104_bytes() {
        assert!(size_of_val(&*plan()) <= 104, "a plan is {} bytes", size_of_val(&*plan()));
    }

    fn plan() -> Box<Plan<Idle, impl Fn() -> Idle + Send + Sync + 'static>> {
        let own = Own { limit: Limit::DEFAULT, backoff: None, log: Mutex::new(Log::default()) };
        Plan::new(Idle::default, Restart::default(), Boss::Own(own))
    }
}
