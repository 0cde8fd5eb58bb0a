//! Crash reporting: the [`CrashPolicy`] observer and the [`Crash`] it is told of.

use std::fmt;

use crate::actor::{ControlFlow, Panic};
use crate::handle::ActorId;
use crate::util::short_type_name;

/// An observer told of every panic caught in an actor: in a handler, in
/// `step` or in `on_start`. It runs after [`Actor::on_panic`](crate::Actor::on_panic)
/// has decided, and sees that decision; it cannot change it.
///
/// Set it with [`RuntimeBuilder::crash_policy`](crate::RuntimeBuilder::crash_policy).
/// The default, [`LogCrashes`], logs through `tracing::error!`. Closures
/// `Fn(&Crash)` are policies too. A policy that panics is caught and logged;
/// it never takes an actor or the runtime down.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use tractor::prelude::*;
///
/// struct CountCrashes(Arc<AtomicUsize>);
///
/// impl CrashPolicy for CountCrashes {
///     fn on_crash(&self, crash: &Crash) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         eprintln!("{} {} crashed: {}", crash.actor_type(), crash.actor_id(), crash.panic_message());
///     }
/// }
///
/// let crashes = Arc::new(AtomicUsize::new(0));
/// let runtime = Runtime::builder().crash_policy(CountCrashes(crashes.clone())).build();
/// # drop(runtime);
/// ```
pub trait CrashPolicy: Send + Sync + 'static {
    /// Called once per caught panic, on the crashed actor's task.
    fn on_crash(&self, crash: &Crash);
}

impl<F: Fn(&Crash) + Send + Sync + 'static> CrashPolicy for F {
    fn on_crash(&self, crash: &Crash) {
        self(crash)
    }
}

/// The default [`CrashPolicy`]: one `tracing::error!` event per crash, with
/// the actor id and type, the message type, the panic text and the decision.
///
/// When no `tracing` subscriber is set (the dispatcher in force is tracing's
/// no-op one), the event would go nowhere, so it writes the same line to
/// stderr instead. It never installs a subscriber itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogCrashes;

impl CrashPolicy for LogCrashes {
    fn on_crash(&self, crash: &Crash) {
        let unheard = tracing::dispatcher::get_default(|d| d.is::<tracing::subscriber::NoSubscriber>());
        if unheard {
            eprintln!("{}", crash_line(crash));
            return;
        }
        tracing::error!(
            actor.id = %crash.actor_id,
            actor.r#type = short_type_name(crash.actor_type),
            message.r#type = crash.message_type().map(short_type_name),
            decision = ?crash.decision,
            restart = crash.restart,
            "actor panicked: {}",
            crash.panic.message(),
        );
    }
}

/// The stderr form of a crash: one line, everything a reader needs.
fn crash_line(crash: &Crash) -> String {
    let place = match crash.site {
        PanicSite::OnStart => "in on_start".to_owned(),
        PanicSite::Step => "in step".to_owned(),
        PanicSite::Handler(m) => format!("handling `{}`", short_type_name(m)),
        PanicSite::Drop => "in a Drop".to_owned(),
    };
    let decision = match (crash.decision, crash.restart) {
        (ControlFlow::Continue, _) => "it continues",
        (ControlFlow::Stop, true) => "it restarts",
        (ControlFlow::Stop, false) => "it stops",
    };
    format!(
        "tractor: actor {}{} panicked {place}: {}; {decision}",
        short_type_name(crash.actor_type),
        crash.actor_id,
        crash.panic.message()
    )
}

/// Where in an actor a caught panic happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PanicSite {
    /// In [`Actor::on_start`](crate::Actor::on_start): the start failed.
    OnStart,
    /// In [`Actor::step`](crate::Actor::step).
    Step,
    /// In the handler of a message, whose type name this is.
    Handler(&'static str),
    /// In a `Drop`: of the actor after `on_stop`, or of a handler's state
    /// dropped by a kill. The actor still ends as usual.
    Drop,
}

impl PanicSite {
    /// The message type name, for a panic in a handler.
    pub fn message_type(&self) -> Option<&'static str> {
        match self {
            PanicSite::Handler(m) => Some(m),
            PanicSite::OnStart | PanicSite::Step | PanicSite::Drop => None,
        }
    }
}

/// One caught panic, as told to a [`CrashPolicy`].
#[derive(Clone)]
pub struct Crash {
    pub(crate) actor_id: ActorId,
    pub(crate) actor_type: &'static str,
    pub(crate) site: PanicSite,
    pub(crate) panic: Panic,
    pub(crate) decision: ControlFlow,
    /// A supervisor restarts the actor after this crash.
    pub(crate) restart: bool,
}

impl Crash {
    /// The id of the actor that panicked.
    pub fn actor_id(&self) -> ActorId {
        self.actor_id
    }

    /// The type name of the actor that panicked.
    pub fn actor_type(&self) -> &'static str {
        self.actor_type
    }

    /// The type name of the message being handled; `None` for a panic in
    /// `step` or `on_start`.
    pub fn message_type(&self) -> Option<&'static str> {
        self.site.message_type()
    }

    /// Where the panic happened: `on_start`, `step`, or a handler.
    pub fn site(&self) -> PanicSite {
        self.site
    }

    /// The panic text.
    pub fn panic_message(&self) -> &str {
        self.panic.message()
    }

    /// The panic itself.
    pub fn panic(&self) -> &Panic {
        &self.panic
    }

    /// What happened next: [`ControlFlow::Continue`] or [`ControlFlow::Stop`].
    pub fn decision(&self) -> ControlFlow {
        self.decision
    }

    /// `true` if the actor is [supervised](crate::Runtime::supervise) and a
    /// new instance is to replace this one (its refs stay valid); `false`
    /// if it stops for good, or keeps its state ([`ControlFlow::Continue`]).
    /// Decided at the crash: a stop or kill from outside that comes before
    /// the new instance starts still wins, and then no restart happens.
    ///
    /// In a group, `true` means the group restarts it under its strategy;
    /// a failure that takes the group over its limit says `false` (the
    /// group fails, and whether it comes back is its own supervisor's call).
    pub fn will_restart(&self) -> bool {
        self.restart
    }
}

impl fmt::Debug for Crash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crash")
            .field("actor_id", &self.actor_id)
            .field("actor_type", &short_type_name(self.actor_type))
            .field("site", &self.site)
            .field("panic", &self.panic)
            .field("decision", &self.decision)
            .field("will_restart", &self.restart)
            .finish()
    }
}
