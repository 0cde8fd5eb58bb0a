//! Supervision: actors rebuilt from a factory when they fail, behind refs
//! that never change.
//!
//! - `single.rs`: [`Supervise`], the builder of one supervised actor
//!   (`runtime.supervise(factory)`, `ctx.supervise(factory)`);
//! - `group.rs`: [`SupervisorBuilder`] and the [`Supervisor`] actor, a
//!   group of children under an Erlang [`Strategy`];
//! - `run.rs`: a supervised actor's task, instance after instance over one
//!   mailbox;
//! - `limit.rs`: the restart limit and the backoff.
//!
//! The message path never comes here: an instance's loop is the actor loop
//! of `runtime/task.rs` (`instance_loop!`, expanded in `run.rs`'s task as
//! in a plain actor's), which asks its supervision (through
//! `task::Supervised`) only when the instance ends.

mod group;
mod limit;
mod run;
mod single;

pub use self::group::{Supervisor, SupervisorBuilder};
pub use self::single::Supervise;

/// When a supervised actor is rebuilt from its factory.
///
/// A *failure* is a panic after which [`on_panic`](crate::Actor::on_panic)
/// chose [`Stop`](crate::ControlFlow::Stop) (the default), or an `on_start`
/// that failed or panicked (or a factory that panicked). A kill or a
/// graceful stop from outside ([`ActorRef::stop`](crate::ActorRef::stop),
/// a parent or group stopping, [`Runtime::shutdown`](crate::Runtime::shutdown),
/// every ref dropped) is never a failure and never restarts anything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Restart after a failure; an actor that stops itself stops for good.
    /// Erlang's `transient`.
    #[default]
    OnFailure,
    /// Restart after a failure, and also after the actor stopped itself
    /// ([`Context::stop`](crate::Context::stop), `Step::Stop`,
    /// `ControlFlow::Stop` from `on_down`). Erlang's `permanent`.
    Always,
    /// Never restart: the first failure is the end. Erlang's `temporary`.
    Never,
}

/// Which children of a group a failure restarts, as in Erlang's supervisor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Only the child that failed.
    #[default]
    OneForOne,
    /// Every child: the others are stopped newest first, every old instance
    /// ends, then all start again in their original order.
    OneForAll,
    /// The child that failed and those added after it, the same way.
    RestForOne,
}
