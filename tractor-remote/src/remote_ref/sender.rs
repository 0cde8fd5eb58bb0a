//! [`RemoteSender`]: a [`Sender`] that may lead to another node.

use std::any::type_name;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tractor::__private::WatchTarget;
use tractor::{Actor, ActorId, ActorRef, Error, Message, Sender, StopReason, TrySendError, Watchable};

use super::send::{self, Addr};
use super::{RemoteRef, Via};
use crate::codec;
use crate::message::{Remote, Wire, sender_wire_id, short_name};
use crate::node::{NodeId, Target};

/// A handle to any actor, on this node or another, that takes `M` with
/// reply `R`: a [`Sender`] that can travel inside a remote message (the
/// reply-to pattern: "send your answer here"), where a [`RemoteRef`] would
/// tie the message to one actor type.
///
/// Made from a local `Sender` (`RemoteSender::from(sender)`, for any `M`
/// and `R` that serde can carry, [`Wire`]), or from a [`RemoteRef`] or
/// [`ActorRef`] for one of its remote messages. Put inside a remote message,
/// it arrives on the other node as a working sender to the same actor (and
/// one that comes back to the actor's own node is the local `Sender`
/// again, or an ended sender if the actor has stopped meanwhile, as for a
/// [`RemoteRef`]). A local actor whose sender left inside a message is served by
/// this node until the actor stops, as for a ref.
///
/// # Delivery
///
/// As for a [`RemoteRef`], and sharing its path: what one node sends to one
/// remote actor through its refs and its senders is handled in the order it
/// was sent; a tell is at most once; an ask fails with
/// [`is_unreachable`](Error::is_unreachable) after the node's
/// [`ask_timeout`](crate::NodeBuilder::ask_timeout), or at once when the
/// actor's node is lost; a tell waits while the actor's credit window is
/// used up.
///
/// # Checking
///
/// A sender carries its message and reply type names (without paths): one
/// that arrives on a node where `RemoteSender<M, R>` names other types
/// fails to decode, so the message that held it is an
/// [`is_decode`](Error::is_decode) error. The types' fields are not
/// compared; a change there shows up as a message that does not decode.
///
/// # Examples
///
/// ```
/// use tractor::prelude::*;
/// use tractor_remote::RemoteSender;
///
/// #[derive(Actor, Default)]
/// struct Log(Vec<String>);
///
/// #[actor(remote)]
/// impl Log {
///     #[message]
///     pub fn line(&mut self, text: String) { self.0.push(text); }
///     #[message]
///     pub fn count(&self) -> usize { self.0.len() }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tractor::Error> {
/// let runtime = Runtime::new();
/// let log = runtime.spawn(Log::default());
/// // What a reply-to field of a remote message would hold.
/// let reply_to: RemoteSender<Line, ()> = RemoteSender::from(&log);
/// reply_to.tell(Line { text: "done".into() }).await?;
/// assert_eq!(log.count().await?, 1);
/// # Ok(())
/// # }
/// ```
pub struct RemoteSender<M, R> {
    via: SenderVia<M, R>,
}

enum SenderVia<M, R> {
    /// The actor is on this node.
    Local(Sender<M, R>),
    /// On another node: the actor, and the wire id `M` takes there.
    Remote(Arc<Target>, u64, PhantomData<fn(M) -> R>),
}

impl<M: Wire, R: Wire> RemoteSender<M, R> {
    /// Its actor's id in this process (for a remote actor, the id standing
    /// for it, the same as a [`RemoteRef`]'s to it).
    pub fn id(&self) -> ActorId {
        match &self.via {
            SenderVia::Local(sender) => sender.id(),
            SenderVia::Remote(target, ..) => target.standin.id(),
        }
    }

    /// The node the actor runs on; `None` when it is on this one.
    pub fn node(&self) -> Option<NodeId> {
        match &self.via {
            SenderVia::Local(_) => None,
            SenderVia::Remote(target, ..) => target.remote_node(),
        }
    }

    /// `false` once the actor is known to have stopped, or its node to be
    /// lost.
    pub fn is_alive(&self) -> bool {
        match &self.via {
            SenderVia::Local(sender) => sender.is_alive(),
            SenderVia::Remote(target, ..) => target.standin.is_alive(),
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
            SenderVia::Local(sender) => tractor::__private::sender_wait(sender).await,
            SenderVia::Remote(target, ..) => target.standin.wait().await,
        }
    }

    /// The local sender, when the actor is on this node.
    pub fn as_local(&self) -> Option<&Sender<M, R>> {
        match &self.via {
            SenderVia::Local(sender) => Some(sender),
            SenderVia::Remote(..) => None,
        }
    }

    /// Sends `msg` without waiting for it to be handled: resolves once it is
    /// enqueued (local) or on its way (remote; waiting only while the
    /// actor's credit window is used up). At most once.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it resolves drops the message unsent.
    pub async fn tell(&self, msg: M) -> Result<(), Error> {
        match &self.via {
            SenderVia::Local(sender) => sender.tell(msg).await,
            SenderVia::Remote(target, wire_id, _) => send::tell(&self.addr(target, *wire_id), msg, None).await,
        }
    }

    /// Sends `msg` if there is room (local) or credit (remote) now;
    /// otherwise hands it back. Never waits.
    pub fn try_tell(&self, msg: M) -> Result<(), TrySendError<M>> {
        match &self.via {
            SenderVia::Local(sender) => sender.try_tell(msg),
            SenderVia::Remote(target, wire_id, _) => send::try_tell(&self.addr(target, *wire_id), msg),
        }
    }

    /// Sends `msg` and waits for the reply; bounded by the node's
    /// [`ask_timeout`](crate::NodeBuilder::ask_timeout) for a remote actor.
    ///
    /// # Cancel safety
    ///
    /// Nothing is sent before the first poll. Dropping the future after the
    /// message was sent does not take it back: it is still handled and the
    /// reply is discarded.
    pub async fn ask(&self, msg: M) -> Result<R, Error> {
        match &self.via {
            SenderVia::Local(sender) => sender.ask(msg).await,
            SenderVia::Remote(target, wire_id, _) => send::ask(self.addr(target, *wire_id), msg, None).await,
        }
    }

    fn addr<'a>(&self, target: &'a Arc<Target>, wire_id: u64) -> Addr<'a> {
        Addr { target, wire_id, message: type_name::<M>() }
    }
}

impl<M: Wire, R: Wire> From<Sender<M, R>> for RemoteSender<M, R> {
    fn from(sender: Sender<M, R>) -> Self {
        RemoteSender { via: SenderVia::Local(sender) }
    }
}

impl<M: Wire, R: Wire> From<&Sender<M, R>> for RemoteSender<M, R> {
    fn from(sender: &Sender<M, R>) -> Self {
        RemoteSender { via: SenderVia::Local(sender.clone()) }
    }
}

impl<A: Actor, M: Message<A, Reply: Wire> + Wire> From<&ActorRef<A>> for RemoteSender<M, M::Reply> {
    fn from(actor: &ActorRef<A>) -> Self {
        RemoteSender { via: SenderVia::Local(Sender::from(actor)) }
    }
}

impl<A: Actor, M: Message<A, Reply: Wire> + Wire> From<ActorRef<A>> for RemoteSender<M, M::Reply> {
    fn from(actor: ActorRef<A>) -> Self {
        RemoteSender { via: SenderVia::Local(Sender::from(actor)) }
    }
}

/// A sender for one of the ref's remote messages, on the same path as the
/// ref (so the order between the two holds).
impl<A: Actor, M: Remote<A>> From<&RemoteRef<A>> for RemoteSender<M, M::Reply> {
    fn from(actor: &RemoteRef<A>) -> Self {
        let via = match &actor.via {
            Via::Local(actor) => SenderVia::Local(Sender::from(actor)),
            Via::Remote(target, _) => SenderVia::Remote(target.clone(), M::WIRE_ID, PhantomData),
        };
        RemoteSender { via }
    }
}

impl<A: Actor, M: Remote<A>> From<RemoteRef<A>> for RemoteSender<M, M::Reply> {
    fn from(actor: RemoteRef<A>) -> Self {
        RemoteSender::from(&actor)
    }
}

impl<M, R> Clone for RemoteSender<M, R> {
    fn clone(&self) -> Self {
        let via = match &self.via {
            SenderVia::Local(sender) => SenderVia::Local(sender.clone()),
            SenderVia::Remote(target, wire_id, _) => SenderVia::Remote(target.clone(), *wire_id, PhantomData),
        };
        RemoteSender { via }
    }
}

impl<M: Wire, R: Wire> PartialEq for RemoteSender<M, R> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<M: Wire, R: Wire> Eq for RemoteSender<M, R> {}

impl<M: Wire, R: Wire> Hash for RemoteSender<M, R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<M: Wire, R: Wire> fmt::Debug for RemoteSender<M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RemoteSender");
        d.field("message", &short_name(type_name::<M>())).field("id", &self.id());
        match &self.via {
            SenderVia::Local(_) => d.field("node", &"local"),
            SenderVia::Remote(target, ..) => d.field("node", &NodeId(target.owner)).field("slot", &target.slot),
        };
        d.finish()
    }
}

impl<M: Wire, R: Wire> Watchable for RemoteSender<M, R> {
    fn watch_target(&self) -> WatchTarget<'_> {
        match &self.via {
            SenderVia::Local(sender) => sender.watch_target(),
            SenderVia::Remote(target, ..) => target.standin.watch_target(),
        }
    }
}

/// On the wire: `(node, slot, wire id, check)`. Exports a local actor's
/// sender (the node encoding the message serves it from then on).
impl<M: Wire, R: Wire> Serialize for RemoteSender<M, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(node) = codec::current() else {
            return Err(S::Error::custom(
                "a RemoteSender can only be encoded by tractor-remote, inside a remote message",
            ));
        };
        let (owner, slot, wire_id) = match &self.via {
            SenderVia::Local(sender) => {
                let (slot, wire_id) = node.export_sender(sender);
                (node.id, slot, wire_id)
            }
            SenderVia::Remote(target, wire_id, _) => (target.owner, target.slot, *wire_id),
        };
        (owner, slot, wire_id, sender_wire_id::<M, R>()).serialize(serializer)
    }
}

impl<'de, M: Wire, R: Wire> Deserialize<'de> for RemoteSender<M, R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (owner, slot, wire_id, check) = <(u64, u64, u64, u64)>::deserialize(deserializer)?;
        let Some(node) = codec::current() else {
            return Err(D::Error::custom(
                "a RemoteSender can only be decoded by tractor-remote, inside a remote message",
            ));
        };
        if check != sender_wire_id::<M, R>() {
            return Err(D::Error::custom(format_args!(
                "a sender whose message or reply is not `{}` -> `{}` on this node",
                short_name(type_name::<M>()),
                short_name(type_name::<R>())
            )));
        }
        if owner == node.id {
            return Ok(match node.local_sender::<M, R>(slot, wire_id) {
                Some(sender) => RemoteSender::from(sender),
                None => RemoteSender {
                    via: SenderVia::Remote(
                        node.ended_here(slot, type_name::<RemoteSender<M, R>>),
                        wire_id,
                        PhantomData,
                    ),
                },
            });
        }
        let target = node.target_named(owner, slot, type_name::<RemoteSender<M, R>>);
        Ok(RemoteSender { via: SenderVia::Remote(target, wire_id, PhantomData) })
    }
}
