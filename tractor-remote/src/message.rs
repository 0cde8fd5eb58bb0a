//! [`Remote`] messages and [`RemoteActor`]s: what may cross nodes, and how a
//! node serves it.

use std::any::{Any, type_name};
use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tractor::{Actor, ActorId, ActorRef, Message, Sender};

use crate::codec;
use crate::node::NodeInner;

/// What a value needs to cross nodes: serde both ways, and to move between
/// tasks. Implemented for every such type.
pub trait Wire: Serialize + DeserializeOwned + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Wire for T {}

/// A message that can be sent to an actor of type `A` on another node.
///
/// `#[actor(remote)]` (every message of the block) or `#[message(remote)]`
/// (one message) derives serde's traits on the generated struct and writes
/// this impl. By hand:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use tractor::prelude::*;
/// use tractor_remote::{MessageEntry, Remote, RemoteActor, wire_id};
///
/// #[derive(Actor, Default)]
/// struct Counter(i64);
///
/// #[derive(Serialize, Deserialize)]
/// struct Add(i64);
///
/// impl Message<Counter> for Add {
///     type Reply = i64;
///     async fn handle(self, counter: &mut Counter, _: &mut Context<Counter>) -> i64 {
///         counter.0 += self.0;
///         counter.0
///     }
/// }
///
/// impl Remote<Counter> for Add {
///     const WIRE_ID: u64 = wire_id("Counter::Add"); // what `#[actor(remote)]` would use
///     const SHAPE: &'static str = "Add{0:i64}->i64";
/// }
///
/// impl RemoteActor for Counter {
///     fn messages() -> Vec<MessageEntry<Self>> {
///         vec![MessageEntry::of::<Add>()]
///     }
/// }
/// ```
///
/// The message and its reply must be [`Wire`] (serde both ways).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a remote message of `{A}`, so it cannot be sent through a `RemoteRef`",
    label = "not remote",
    note = "mark the message `#[message(remote)]`, or the whole block `#[actor(remote)]`"
)]
pub trait Remote<A: Actor>: Message<A, Reply: Wire> + Wire {
    /// The message's id on the wire: stable across builds and module moves.
    /// Generated as [`wire_id`]`("Actor::Message")`, or `#[message(remote,
    /// id = N)]`.
    const WIRE_ID: u64;
    /// What two nodes compare before they exchange the message: its fields
    /// (names and types as written) and its reply, e.g.
    /// `Increment{by:i64}->()`. A nested type's own fields are not in it;
    /// a change there shows up as an [`is_decode`](tractor::Error::is_decode)
    /// error when a message does not decode.
    const SHAPE: &'static str;
}

/// An actor that can be served to other nodes: the list of its remote
/// messages. `#[actor]` writes this impl when any message of the block is
/// remote.
pub trait RemoteActor: Actor {
    /// Every remote message of the actor, one [`MessageEntry::of`] each.
    fn messages() -> Vec<MessageEntry<Self>>;
}

/// The wire id of a message named `name` (`"Actor::Message"`): FNV-1a,
/// 64 bits. What `#[actor(remote)]` uses, so a hand-written
/// [`Remote::WIRE_ID`] can agree with a generated one.
pub const fn wire_id(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// What is left of a delivery that could not go into the mailbox at once
/// (it was full, or the actor stopped): holds the message, and finishes
/// the delivery (waiting for room) when awaited. An ask's reply goes back
/// from the actor's own task, when it answers.
pub(crate) type Delivering = tractor::__private::Later;

/// What an ask's reply is handed to, in the answering actor's task.
type ReplyFn<R> = Box<dyn FnOnce(Result<R, tractor::Error>) + Send>;

/// Who asked: the node and the ask's correlation id.
pub(crate) type Asker = Option<(u64, u64)>;

/// How a served actor takes one wire id: a remote message of the actor, or
/// the message of a [`Sender`] to it that left inside a message.
pub(crate) trait Entry: Send + Sync + 'static {
    /// Decodes one request and puts it into the mailbox if there is room
    /// now, never waiting: `None` once it is in, else what finishes the
    /// delivery (nothing is dropped, so an ask's reply callback has not
    /// fired).
    fn serve(
        &self,
        node: &Arc<NodeInner>,
        payload: &[u8],
        asker: Asker,
    ) -> Result<Option<Delivering>, codec::DecodeError>;
    /// The local `Sender<M, R>` for this message, for a sender that comes
    /// home.
    fn local(&self) -> Box<dyn Any + Send>;
}

/// One remote message of actor `A`: its fingerprint and how to serve it.
pub struct MessageEntry<A: Actor> {
    pub(crate) wire_id: u64,
    pub(crate) name: &'static str,
    pub(crate) shape: &'static str,
    pub(crate) entry: fn(&ActorRef<A>) -> Arc<dyn Entry>,
}

impl<A: Actor> MessageEntry<A> {
    /// The entry of message `M`.
    pub fn of<M: Remote<A>>() -> Self {
        MessageEntry {
            wire_id: M::WIRE_ID,
            name: short_name(type_name::<M>()),
            shape: M::SHAPE,
            entry: |actor| Arc::new(ActorEntry::<A, M> { actor: actor.clone(), _message: PhantomData }),
        }
    }

    /// The message's wire id.
    pub fn wire_id(&self) -> u64 {
        self.wire_id
    }

    /// The message's shape.
    pub fn shape(&self) -> &'static str {
        self.shape
    }
}

impl<A: Actor> std::fmt::Debug for MessageEntry<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageEntry")
            .field("name", &self.name)
            .field("wire_id", &format_args!("{:#018x}", self.wire_id))
            .field("shape", &self.shape)
            .finish()
    }
}

/// Message `M` of a served actor `A`.
struct ActorEntry<A: Actor, M> {
    actor: ActorRef<A>,
    _message: PhantomData<fn(M)>,
}

impl<A: Actor, M: Remote<A>> Entry for ActorEntry<A, M> {
    fn serve(
        &self,
        node: &Arc<NodeInner>,
        payload: &[u8],
        asker: Asker,
    ) -> Result<Option<Delivering>, codec::DecodeError> {
        let actor = &self.actor;
        decode_then(node, payload, asker, actor.id(), type_name::<A>(), |msg: M, reply| {
            tractor::__private::try_deliver(actor, msg, reply)
        })
    }

    fn local(&self) -> Box<dyn Any + Send> {
        Box::new(Sender::<M, M::Reply>::from(&self.actor))
    }
}

/// The one message of a [`Sender`] that left inside a message.
pub(crate) struct SenderEntry<M, R> {
    pub(crate) sender: Sender<M, R>,
}

impl<M: Wire, R: Wire> Entry for SenderEntry<M, R> {
    fn serve(
        &self,
        node: &Arc<NodeInner>,
        payload: &[u8],
        asker: Asker,
    ) -> Result<Option<Delivering>, codec::DecodeError> {
        let sender = &self.sender;
        let actor_type = tractor::__private::sender_actor_type(sender);
        decode_then(node, payload, asker, sender.id(), actor_type, |msg: M, reply| {
            tractor::__private::sender_try_deliver(sender, msg, reply)
        })
    }

    fn local(&self) -> Box<dyn Any + Send> {
        Box::new(self.sender.clone())
    }
}

/// Decodes an `M` and hands it to `deliver` (with the reply callback of an
/// ask): `None` once it is in the mailbox, else what finishes the delivery.
fn decode_then<M: Wire, R: Wire>(
    node: &Arc<NodeInner>,
    payload: &[u8],
    asker: Asker,
    id: ActorId,
    actor_type: &'static str,
    deliver: impl FnOnce(M, Option<ReplyFn<R>>) -> Result<(), Delivering>,
) -> Result<Option<Delivering>, codec::DecodeError> {
    let msg: M = codec::decode(node, payload)?;
    let reply = asker.map(|(from, corr)| reply_to::<R>(node, from, corr, id, actor_type, type_name::<M>()));
    Ok(deliver(msg, reply).err())
}

/// What an ask's reply slot calls, in the answering actor's task: encodes
/// the reply (or its error) and puts it on the wire to the asker.
fn reply_to<R: Wire>(
    node: &Arc<NodeInner>,
    from: u64,
    corr: u64,
    id: ActorId,
    actor_type: &'static str,
    message: &'static str,
) -> ReplyFn<R> {
    let node = node.clone();
    Box::new(move |reply: Result<R, tractor::Error>| {
        let bytes = reply.and_then(|reply| {
            codec::encode(&node, &reply).map_err(|_| tractor::__private::decode_error(id, actor_type, Some(message)))
        });
        node.send_reply(from, corr, bytes);
    })
}

/// The check a node makes on a [`Sender<M, R>`] that arrives inside a
/// message: the two types' names without their paths (a sender has no
/// actor to take a schema from).
pub(crate) fn sender_wire_id<M, R>() -> u64 {
    wire_id(&format!("Sender<{}, {}>", plain_name(type_name::<M>()), plain_name(type_name::<R>())))
}

/// `core::result::Result<i64, app::Error>` -> `Result<i64, Error>`.
pub(crate) fn plain_name(name: &str) -> String {
    let mut parts = name.split("::").peekable();
    let mut out = String::with_capacity(name.len());
    while let Some(part) = parts.next() {
        if parts.peek().is_some() {
            // A path segment: keep what comes before it.
            out.push_str(part.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_'));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// `path::to::Get<T>` -> `Get<T>`.
pub(crate) fn short_name(name: &'static str) -> &'static str {
    let base = name.split('<').next().unwrap_or(name);
    match base.rfind("::") {
        Some(at) => &name[at + 2..],
        None => name,
    }
}
