//! [`RemoteRef`]: a typed ref to an actor that may live on another node.

mod request;
mod send;
mod sender;

use std::any::type_name;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tractor::__private::{Handle, Route, WatchTarget};
use tractor::{Actor, ActorId, ActorRef, StopReason, TrySendError, Watchable};

pub use self::request::RemoteRequest;
pub use self::sender::RemoteSender;
use crate::codec;
use crate::message::{Remote, RemoteActor};
use crate::node::{NodeId, Target};

/// A ref to an actor of type `A` on this node or another: the same typed
/// methods as an [`ActorRef`] (`c.get().await?`, `c.increment(1).tell().await?`)
/// for the messages marked remote, and the same [`Request`](tractor::Request)
/// surface (`.timeout(d)`, `.tell()`, `.try_tell()`).
///
/// Get one from [`Node::lookup`](crate::Node::lookup), or from a local ref
/// with `RemoteRef::from(actor_ref)`; put one inside a remote message and it
/// arrives on the other node as a working ref to the same actor (one that
/// comes back to its own node is the local ref again, or, if the actor has
/// stopped meanwhile, an ended ref with its id and stop reason, on which
/// `on_down` comes at once and sends fail as stopped). A local actor whose
/// ref left inside a message is served by the node that encoded it until
/// the actor stops: the node holds it, as it holds an actor it serves by
/// name, since the other node may use the ref at any time.
///
/// # Delivery
///
/// - **Order**: the tells and asks that one node sends to one remote actor
///   are handled in the order they were sent (they share one ordered path).
/// - **A tell is at most once**: it resolves once the message is on its way;
///   if the node is lost before it is delivered, it is lost.
/// - **An ask times out**: without a reply within the node's
///   [`ask_timeout`](crate::NodeBuilder::ask_timeout) (or the request's own
///   [`timeout`](RemoteRequest::timeout), which fails with `is_timeout`) it
///   fails with [`is_unreachable`](tractor::Error::is_unreachable); it fails
///   at once when the actor's node is lost. An ask that fails so may or may
///   not have been handled.
/// - **Back-pressure**: a tell waits when 4096 requests to the actor are on
///   their way and not yet in its mailbox; `try_tell` fails with `is_full`.
///
/// # Watching
///
/// `ctx.watch(&remote_ref)` works as for a local actor: `on_down` comes once,
/// with the actor's own stop reason, or [`StopReason::NodeLost`] when its
/// node is lost. [`id`](RemoteRef::id) is an id of this process standing
/// for the remote actor (the same for every ref to it on this node).
pub struct RemoteRef<A: Actor> {
    via: Via<A>,
}

enum Via<A: Actor> {
    /// The actor is on this node.
    Local(ActorRef<A>),
    /// On another node.
    Remote(Arc<Target>, PhantomData<fn() -> A>),
}

impl<A: Actor> RemoteRef<A> {
    pub(crate) fn remote(target: Arc<Target>) -> Self {
        RemoteRef { via: Via::Remote(target, PhantomData) }
    }

    /// Its id in this process.
    pub fn id(&self) -> ActorId {
        match &self.via {
            Via::Local(actor) => actor.id(),
            Via::Remote(target, _) => target.standin.id(),
        }
    }

    /// The node the actor runs on; `None` when it is on this one.
    pub fn node(&self) -> Option<NodeId> {
        match &self.via {
            Via::Local(_) => None,
            Via::Remote(target, _) => target.remote_node(),
        }
    }

    /// `false` once the actor is known to have stopped, or its node to be
    /// lost.
    pub fn is_alive(&self) -> bool {
        match &self.via {
            Via::Local(actor) => actor.is_alive(),
            Via::Remote(target, _) => target.standin.is_alive(),
        }
    }

    /// Resolves to the actor's stop reason once it is known to have stopped
    /// ([`StopReason::NodeLost`] when its node was lost).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn wait(&self) -> StopReason {
        match &self.via {
            Via::Local(actor) => actor.wait().await,
            Via::Remote(target, _) => target.standin.wait().await,
        }
    }

    /// The local ref, when the actor is on this node.
    pub fn as_local(&self) -> Option<&ActorRef<A>> {
        match &self.via {
            Via::Local(actor) => Some(actor),
            Via::Remote(..) => None,
        }
    }

    /// A request for `msg`: await it to ask, or `.tell()` / `.try_tell()` it.
    pub fn ask<M: Remote<A>>(&self, msg: M) -> RemoteRequest<'_, A, M> {
        RemoteRequest::new(self, msg)
    }

    /// Sends `msg` without waiting for it to be handled (see [`RemoteRequest::tell`]).
    pub async fn tell<M: Remote<A>>(&self, msg: M) -> Result<(), tractor::Error> {
        self.ask(msg).tell().await
    }

    /// Sends `msg` now or hands it back (see [`RemoteRequest::try_tell`]).
    pub fn try_tell<M: Remote<A>>(&self, msg: M) -> Result<(), TrySendError<M>> {
        self.ask(msg).try_tell()
    }
}

impl<A: Actor> From<ActorRef<A>> for RemoteRef<A> {
    fn from(actor: ActorRef<A>) -> Self {
        RemoteRef { via: Via::Local(actor) }
    }
}

impl<A: Actor> From<&ActorRef<A>> for RemoteRef<A> {
    fn from(actor: &ActorRef<A>) -> Self {
        RemoteRef { via: Via::Local(actor.clone()) }
    }
}

impl<A: Actor> Clone for RemoteRef<A> {
    fn clone(&self) -> Self {
        let via = match &self.via {
            Via::Local(actor) => Via::Local(actor.clone()),
            Via::Remote(target, _) => Via::Remote(target.clone(), PhantomData),
        };
        RemoteRef { via }
    }
}

impl<A: Actor> PartialEq for RemoteRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<A: Actor> Eq for RemoteRef<A> {}

impl<A: Actor> Hash for RemoteRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<A: Actor> fmt::Debug for RemoteRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RemoteRef");
        d.field("actor", &crate::message::short_name(type_name::<A>())).field("id", &self.id());
        match &self.via {
            Via::Local(_) => d.field("node", &"local"),
            Via::Remote(target, _) => d.field("node", &NodeId(target.owner)).field("slot", &target.slot),
        };
        d.finish()
    }
}

impl<A: Actor> Watchable for RemoteRef<A> {
    fn watch_target(&self) -> WatchTarget<'_> {
        match &self.via {
            Via::Local(actor) => actor.watch_target(),
            Via::Remote(target, _) => target.standin.watch_target(),
        }
    }
}

impl<A: Actor> Handle<A> for RemoteRef<A> {}

impl<A: Actor, M: Remote<A>> Route<A, M> for RemoteRef<A> {
    type Request<'a> = RemoteRequest<'a, A, M>;

    fn route(&self, msg: M) -> RemoteRequest<'_, A, M> {
        RemoteRequest::new(self, msg)
    }
}

/// On the wire: `(node, slot, schema)`. Exports a local actor (the node
/// encoding the message serves it from then on).
impl<A: RemoteActor> Serialize for RemoteRef<A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(node) = codec::current() else {
            return Err(S::Error::custom("a RemoteRef can only be encoded by tractor-remote, inside a remote message"));
        };
        let (owner, slot) = match &self.via {
            Via::Local(actor) => (node.id, node.export(actor)),
            Via::Remote(target, _) => (target.owner, target.slot),
        };
        (owner, slot, crate::node::schema_hash::<A>()).serialize(serializer)
    }
}

impl<'de, A: RemoteActor> Deserialize<'de> for RemoteRef<A> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (owner, slot, schema) = <(u64, u64, u64)>::deserialize(deserializer)?;
        let Some(node) = codec::current() else {
            return Err(D::Error::custom("a RemoteRef can only be decoded by tractor-remote, inside a remote message"));
        };
        if schema != crate::node::schema_hash::<A>() {
            return Err(D::Error::custom(format_args!(
                "a ref to a `{}` whose messages differ from this node's",
                crate::message::short_name(type_name::<A>())
            )));
        }
        if owner == node.id {
            return Ok(match node.local_ref::<A>(slot) {
                Some(actor) => RemoteRef::from(actor),
                None => RemoteRef::remote(node.ended_here(slot, type_name::<A>)),
            });
        }
        Ok(RemoteRef::remote(node.target::<A>(owner, slot)))
    }
}
