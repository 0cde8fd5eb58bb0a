//! Handles to actors: [`ActorRef`] (typed), [`Sender`] (any actor that
//! handles one message type), [`ActorId`], and the [`Cell`] they point at.

mod actor_ref;
pub(crate) mod cell;
mod id;
mod sender;

pub use self::actor_ref::ActorRef;
pub(crate) use self::cell::Cell;
pub use self::id::ActorId;
pub use self::sender::Sender;
