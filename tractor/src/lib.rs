//! # tractor
//!
//! A typed actor framework for [tokio](https://tokio.rs).
//!
//! An actor is a piece of state that runs one message at a time on its own
//! tokio task and talks to the world only through messages. In tractor a
//! message type is tied at compile time to the one actor type it targets and
//! to its reply type: sending the wrong message, or expecting the wrong
//! reply, does not compile.
//!
//! ```
//! use tractor::prelude::*;
//!
//! #[derive(Actor, Default)]
//! struct Counter {
//!     count: i64,
//! }
//!
//! #[actor]
//! impl Counter {
//!     /// Generates `pub struct Increment { pub by: i64 }` with `Reply = ()`.
//!     #[message]
//!     pub fn increment(&mut self, by: i64) {
//!         self.count += by;
//!     }
//!
//!     #[message(reply = i64)]
//!     pub fn get(&self) -> i64 {
//!         self.count
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tractor::Error> {
//! let runtime = Runtime::new();
//! let counter = runtime.spawn(Counter::default());
//!
//! runtime.tell(&counter, Increment { by: 3 }).await?; // fire-and-forget
//! counter.increment(1).tell().await?;                 // generated typed method
//! let total: i64 = counter.get().await?;              // awaiting a request = ask
//! assert_eq!(total, 4);
//!
//! counter.stop().await?;     // graceful: pending messages first, then on_stop
//! runtime.shutdown().await;  // stops every actor still running, waits for all
//! # Ok(())
//! # }
//! ```
//!
//! The pieces: [`Actor`] (state and lifecycle hooks), [`Message`] (a message
//! and its reply, for one actor type), [`ActorRef`] (a handle to send with),
//! [`Request`] (a message on its way: await it to ask, or `tell` it),
//! [`Context`] (what handlers get besides `&mut self`), [`Runtime`] (spawns,
//! counts and shuts down actors), [`Sender`] (a handle to any actor that
//! handles one message type), [`CrashPolicy`] (an observer of panics),
//! [`Timer`] and [`StreamHandle`] (what [`Context::tell_after`],
//! [`Context::tell_every`] and [`Context::attach`] return).

mod actor;
pub mod actors;
mod error;
mod handle;
mod mailbox;
mod message;
mod names;
mod remote;
mod request;
mod runtime;
mod supervision;
mod timers;
mod util;
mod watch;

pub use crate::actor::{Actor, Context, ControlFlow, Panic, Step, StopReason};
pub use crate::error::{BoxError, Error, TryAskError, TrySendError};
pub use crate::handle::{ActorId, ActorRef, Sender, WeakActorRef};
pub use crate::mailbox::Mailbox;
pub use crate::message::{Envelope, Forward, Message, ReplyTo};
pub use crate::request::{Ask, Request, Tell, TryAsk};
pub use crate::runtime::{Crash, CrashPolicy, LogCrashes, PanicSite, Runtime, RuntimeBuilder};
pub use crate::supervision::{Restart, Strategy, Supervise, Supervisor, SupervisorBuilder};
pub use crate::timers::{KeyedTimer, StreamHandle, Timer};
pub use crate::watch::{Down, Watchable};
pub use tractor_macros::{Actor, actor, main, message};

/// Everything most programs need: `use tractor::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Actor, ActorId, ActorRef, BoxError, Context, ControlFlow, Crash, CrashPolicy, Down, Envelope, Error, Forward,
        Mailbox, Message, Panic, PanicSite, ReplyTo, Request, Restart, Runtime, Sender, Step, StopReason, Strategy,
        StreamHandle, Supervisor, Timer, TryAskError, TrySendError, WeakActorRef,
    };
    pub use tractor_macros::{actor, message};
}

/// Used by the code `#[actor]` and `#[tractor::main]` generate. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::message::{Now, Outcome};
    pub use crate::remote::{
        Handle, Later, Route, Standin, decode_code, decode_error, error_code, error_from_code, full_error,
        panic_from_text, refused_error, sender_actor_type, sender_try_deliver, sender_wait, stopped_code,
        stopped_error, timeout_error, try_deliver, unreachable_error,
    };
    pub use crate::watch::WatchTarget;
    pub use ::core::future::Future;
    pub use ::tokio;
}
