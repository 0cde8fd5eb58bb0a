//! Handles to actors: [`ActorRef`] (typed), [`WeakActorRef`] (does not keep
//! the actor alive), [`Sender`] (any actor that handles one message type),
//! [`ActorId`], and the [`Cell`] they point at.

mod actor_ref;
pub(crate) mod cell;
mod id;
mod sender;
mod weak;

pub use self::actor_ref::ActorRef;
pub(crate) use self::cell::{Cell, later};
pub use self::id::ActorId;
pub use self::sender::Sender;
pub(crate) use self::sender::try_put;
pub use self::weak::WeakActorRef;
