//! # tractor-remote
//!
//! Remote actors for [tractor](tractor) on [Zenoh](zenoh): the same typed
//! refs across processes and machines.
//!
//! ```no_run
//! use tractor::prelude::*;
//! use tractor_remote::{Node, RemoteRef};
//!
//! #[derive(Actor, Default)]
//! struct Counter {
//!     count: i64,
//! }
//!
//! #[actor(remote)] // every message of the block can cross nodes
//! impl Counter {
//!     #[message]
//!     pub fn increment(&mut self, by: i64) {
//!         self.count += by;
//!     }
//!
//!     #[message]
//!     pub fn get(&self) -> i64 {
//!         self.count
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::new();
//! // This process listens on one loopback port and connects to another's.
//! let node = Node::builder(&runtime)
//!     .listen("tcp/127.0.0.1:7447")
//!     .connect("tcp/127.0.0.1:7448")
//!     .build()
//!     .await?;
//! node.serve("counter", &runtime.spawn(Counter::default())).await?;
//!
//! // Any node: the same generated methods as on a local ref.
//! let c: RemoteRef<Counter> = node.lookup::<Counter>("counter").await?;
//! c.increment(1).tell().await?;
//! let n: i64 = c.get().await?;
//! # Ok(()) }
//! ```
//!
//! - **Messages opt in**: `#[actor(remote)]` (every message of the block) or
//!   `#[message(remote)]` derive serde's traits on the message and give it a
//!   stable wire id ([`Remote`]). Sending a message that is not remote
//!   through a [`RemoteRef`] does not compile.
//! - **Schema handshake**: [`Node::lookup`] compares the actor's message
//!   fingerprints (wire id and shape) with the serving node's, and names
//!   the actor and message that differ before anything is sent.
//! - **Refs travel**: a [`RemoteRef`] (made from a local `ActorRef` with
//!   `RemoteRef::from`) inside a remote message arrives as a working ref;
//!   a [`RemoteSender`] (made from a local `Sender`, for the reply-to
//!   pattern, or from a ref for one of its messages) as a working sender.
//! - **Failure**: a node's loss is seen through Zenoh liveliness; watchers
//!   get `on_down` with [`StopReason::NodeLost`](tractor::StopReason::NodeLost),
//!   asks in flight fail with `is_unreachable()`, the names it served are
//!   gone.
//! - **Delivery**: per-sender order to one actor; a tell is at most once; an
//!   ask times out (see [`RemoteRef`]). Tells to one node share Zenoh puts
//!   (a batch per put), and [`Node::close`] waits until what it sent has
//!   been read.
//! - **Sandbox**: no multicast scouting unless you turn it on; a node
//!   listens only where you say ([`NodeBuilder`]).
//!
//! # The codec
//!
//! Messages and replies are encoded with postcard: compact (varints, no
//! field names) and the fastest of the serde codecs measured for tractor's
//! message shapes (BENCHMARKS.md, "Remote actors"). Field names are not on
//! the wire, which is what the schema handshake is for.

mod codec;
mod error;
mod frame;
mod message;
mod node;
mod remote_ref;

pub use crate::error::NodeError;
pub use crate::message::{MessageEntry, Remote, RemoteActor, Wire, wire_id};
pub use crate::node::{Node, NodeBuilder, NodeId};
pub use crate::remote_ref::{RemoteRef, RemoteRequest, RemoteSender};

/// Used by the code `#[actor(remote)]` generates. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use ::serde;
}
