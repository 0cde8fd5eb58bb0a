//! [`Remote`] messages and [`RemoteActor`]s: what may cross nodes, and how a
//! node serves it.

use std::any::type_name;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tractor::{Actor, ActorRef, Message};

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

/// A decoded message on its way into the mailbox: resolves once it is in.
/// An ask's reply goes back from the actor's own task, when it answers.
pub(crate) type Delivering = Pin<Box<dyn Future<Output = Result<(), tractor::Error>> + Send>>;

/// Who asked: the node and the ask's correlation id.
pub(crate) type Asker = Option<(u64, u64)>;

/// Decodes one message for `actor` and starts delivering it.
type Serve<A> = fn(&ActorRef<A>, &Arc<NodeInner>, &[u8], Asker) -> Result<Delivering, codec::DecodeError>;

/// One remote message of actor `A`: its fingerprint and how to serve it.
pub struct MessageEntry<A: Actor> {
    pub(crate) wire_id: u64,
    pub(crate) name: &'static str,
    pub(crate) shape: &'static str,
    pub(crate) serve: Serve<A>,
}

impl<A: Actor> MessageEntry<A> {
    /// The entry of message `M`.
    pub fn of<M: Remote<A>>() -> Self {
        MessageEntry { wire_id: M::WIRE_ID, name: short_name(type_name::<M>()), shape: M::SHAPE, serve: serve::<A, M> }
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

fn serve<A: Actor, M: Remote<A>>(
    actor: &ActorRef<A>,
    node: &Arc<NodeInner>,
    payload: &[u8],
    asker: Asker,
) -> Result<Delivering, codec::DecodeError> {
    let msg: M = codec::decode(node, payload)?;
    let actor = actor.clone();
    let Some((from, corr)) = asker else {
        return Ok(Box::pin(async move { actor.tell(msg).await }));
    };
    let node = node.clone();
    let id = actor.id();
    // Called in the actor's task when it answers (or with `is_stopped` if
    // it never does): encoded and put on the wire there.
    let reply = Box::new(move |reply: Result<M::Reply, tractor::Error>| {
        let bytes = reply.and_then(|reply| {
            codec::encode(&node, &reply)
                .map_err(|_| tractor::__private::decode_error(id, type_name::<A>(), Some(type_name::<M>())))
        });
        node.send_reply(from, corr, bytes);
    });
    Ok(Box::pin(async move { tractor::__private::deliver_then(&actor, msg, reply).await }))
}

/// `path::to::Get<T>` -> `Get<T>`.
pub(crate) fn short_name(name: &'static str) -> &'static str {
    let base = name.split('<').next().unwrap_or(name);
    match base.rfind("::") {
        Some(at) => &name[at + 2..],
        None => name,
    }
}
