//! [`StopReason`] and [`Panic`]: how an actor ended.

use std::fmt;
use std::sync::Arc;

/// Why an actor stopped, as passed to [`Actor::on_stop`](crate::Actor::on_stop) and returned by
/// [`ActorRef::wait`](crate::ActorRef::wait).
#[derive(Clone, Debug)]
pub enum StopReason {
    /// A graceful stop: [`ActorRef::stop`](crate::ActorRef::stop),
    /// [`Context::stop`](crate::Context::stop), [`Step::Stop`](crate::Step::Stop), runtime shutdown, or every
    /// reference dropped.
    Normal,
    /// [`ActorRef::kill`](crate::ActorRef::kill): the message in flight was
    /// dropped.
    Killed,
    /// A panic that [`Actor::on_panic`](crate::Actor::on_panic) chose not to survive.
    Panicked(Panic),
    /// [`Actor::on_start`](crate::Actor::on_start) returned an error, or the actor was spawned on a
    /// runtime that was already shut down.
    StartFailed(Arc<dyn std::error::Error + Send + Sync + 'static>),
    /// A remote actor's node was lost (its process ended, or its link was
    /// silent for longer than the lease), so whether and how the actor
    /// stopped is unknown. Only a watch on a `tractor-remote` ref reports
    /// this; the text names the node.
    NodeLost(Arc<str>),
}

impl StopReason {
    /// `true` for [`StopReason::Normal`].
    pub fn is_normal(&self) -> bool {
        matches!(self, StopReason::Normal)
    }

    /// `true` for [`StopReason::NodeLost`].
    pub fn is_node_lost(&self) -> bool {
        matches!(self, StopReason::NodeLost(_))
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Normal => f.write_str("normal"),
            StopReason::Killed => f.write_str("killed"),
            StopReason::Panicked(p) => write!(f, "panicked: {p}"),
            StopReason::StartFailed(e) => write!(f, "failed to start: {e}"),
            StopReason::NodeLost(node) => write!(f, "its node was lost: {node}"),
        }
    }
}

/// A caught panic: what the panicking code said.
#[derive(Clone, PartialEq, Eq)]
pub struct Panic {
    message: Arc<str>,
}

impl Panic {
    pub(crate) fn from_payload(payload: &(dyn std::any::Any + Send)) -> Self {
        Panic { message: crate::util::panic_text(payload).into() }
    }

    /// A panic known only by its text.
    pub(crate) fn from_text(text: impl Into<Arc<str>>) -> Self {
        Panic { message: text.into() }
    }

    /// Takes a caught panic: its text, then its payload dropped safely (a
    /// payload whose `Drop` panics again must not unwind the actor's task).
    pub(crate) fn caught(payload: Box<dyn std::any::Any + Send>) -> Self {
        let panic = Panic::from_payload(&*payload);
        crate::util::drop_payload(payload);
        panic
    }

    /// The panic text (`panic!("...")`'s message), or `Box<dyn Any>` when the
    /// payload was not a string.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Panic").field(&self.message).finish()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The error a spawn on a shut-down runtime fails with.
#[derive(Debug)]
pub(crate) struct RuntimeShutDown;

impl fmt::Display for RuntimeShutDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the runtime is shut down")
    }
}

impl std::error::Error for RuntimeShutDown {}
