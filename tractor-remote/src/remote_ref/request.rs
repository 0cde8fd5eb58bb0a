//! [`RemoteRequest`]: a message on its way to a [`RemoteRef`]'s actor.

use std::any::type_name;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::TryAcquireError;
use tractor::{Actor, Error, TrySendError};

use super::{RemoteRef, Via};
use crate::codec;
use crate::frame::{self, Out};
use crate::message::Remote;
use crate::node::Target;

/// A message addressed to a [`RemoteRef`], not sent yet: what its generated
/// methods and [`RemoteRef::ask`] return. As with a local
/// [`Request`](tractor::Request):
///
/// - `.await`: ask, waiting for credit and then for the reply;
/// - [`.tell()`](RemoteRequest::tell): send, waiting only for credit;
/// - [`.try_tell()`](RemoteRequest::try_tell): send now or hand it back;
/// - [`.timeout(d)`](RemoteRequest::timeout): bound the wait.
///
/// Only [`RemoteRef::ask`] and the generated methods require `M` to be
/// remote; this type's methods do not, so a message that is not remote is
/// reported once, where it is sent, as with a local `Request`. What needs
/// the bound is picked there and carried as fn pointers ([`Ops`]).
#[must_use = "a request does nothing until it is awaited or sent with `tell`/`try_tell`"]
pub struct RemoteRequest<'a, A: Actor, M, R = <M as tractor::Message<A>>::Reply> {
    target: &'a RemoteRef<A>,
    msg: M,
    timeout: Option<Duration>,
    ops: Ops<A, M, R>,
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// A `try_tell`'s outcome: the message handed back on failure.
type Tried<M> = Result<(), TrySendError<M>>;

/// The three ways to send, for an `M` that is remote.
struct Ops<A: Actor, M, R> {
    tell: for<'b> fn(RemoteRequest<'b, A, M, R>) -> Boxed<'b, ()>,
    try_tell: fn(RemoteRequest<'_, A, M, R>) -> Tried<M>,
    ask: for<'b> fn(RemoteRequest<'b, A, M, R>) -> Boxed<'b, R>,
}

impl<'a, A: Actor, M: Remote<A>> RemoteRequest<'a, A, M> {
    pub(super) fn new(target: &'a RemoteRef<A>, msg: M) -> Self {
        let ops = Ops { tell: |r| Box::pin(r.tell_now()), try_tell: |r| r.try_tell_now(), ask: |r| Box::pin(r.ask()) };
        RemoteRequest { target, msg, timeout: None, ops }
    }
}

impl<'a, A: Actor, M: Send + 'static, R: Send + 'static> RemoteRequest<'a, A, M, R> {
    /// Bounds the whole request by `duration` (waiting for credit, and for
    /// an ask the reply); past it the request fails with
    /// [`is_timeout`](Error::is_timeout). A message already sent is not
    /// taken back.
    pub fn timeout(mut self, duration: Duration) -> Self {
        self.timeout = Some(duration);
        self
    }

    /// Sends the message without waiting for it to be handled: resolves once
    /// it is on its way (for a remote actor: queued on the node's ordered
    /// path to the actor's node). Waits only while the actor's credit window
    /// is used up. At most once: a message on its way when the node is lost
    /// is lost.
    ///
    /// # Cancel safety
    ///
    /// Nothing is sent before the first poll; dropping the future while it
    /// waits for credit drops the message unsent.
    pub fn tell(self) -> impl Future<Output = Result<(), Error>> + Send + 'a {
        (self.ops.tell)(self)
    }

    /// Sends the message if the actor's credit window has room now; never
    /// waits. A used-up window ([`is_full`](TrySendError::is_full)), a
    /// stopped actor or lost node, or a message that does not encode hands
    /// the message back.
    pub fn try_tell(self) -> Result<(), TrySendError<M>> {
        (self.ops.try_tell)(self)
    }
}

impl<'a, A: Actor, M: Remote<A>> RemoteRequest<'a, A, M> {
    async fn tell_now(self) -> Result<(), Error> {
        let RemoteRequest { target, msg, timeout, .. } = self;
        let target = match &target.via {
            Via::Local(actor) => return with_timeout(actor.ask(msg), timeout).tell().await,
            Via::Remote(target, _) => target,
        };
        let frame = encode(target, frame::TELL, None, &msg).map_err(|()| decode_error::<A, M>(target))?;
        match timeout {
            None => credit::<A, M>(target).await?,
            Some(d) => tokio::time::timeout(d, credit::<A, M>(target)).await.map_err(|_| {
                tractor::__private::timeout_error(target.standin.id(), type_name::<A>(), type_name::<M>())
            })??,
        }
        target.send(frame);
        Ok(())
    }

    fn try_tell_now(self) -> Result<(), TrySendError<M>> {
        let RemoteRequest { target, msg, timeout, .. } = self;
        let target = match &target.via {
            Via::Local(actor) => return with_timeout(actor.ask(msg), timeout).try_tell(),
            Via::Remote(target, _) => target,
        };
        match target.credits.try_acquire() {
            Ok(permit) => permit.forget(),
            Err(TryAcquireError::NoPermits) => {
                return Err(tractor::__private::full_error(msg, target.standin.id(), type_name::<A>()));
            }
            Err(TryAcquireError::Closed) => {
                return Err(tractor::__private::refused_error(msg, ended::<A, M>(target)));
            }
        }
        match encode(target, frame::TELL, None, &msg) {
            Ok(frame) => {
                target.send(frame);
                Ok(())
            }
            Err(()) => {
                // Not sent: the credit goes back.
                target.credits.add_permits(1);
                Err(tractor::__private::refused_error(msg, decode_error::<A, M>(target)))
            }
        }
    }

    async fn ask(self) -> Result<M::Reply, Error> {
        let RemoteRequest { target, msg, timeout, .. } = self;
        let target = match &target.via {
            Via::Local(actor) => return with_timeout(actor.ask(msg), timeout).await,
            Via::Remote(target, _) => target.clone(),
        };
        let node = target.node.clone();
        let corr = node.next_corr();
        let frame = encode(&target, frame::ASK, Some(corr), &msg).map_err(|()| decode_error::<A, M>(&target))?;
        drop(msg);
        let work = async {
            credit::<A, M>(&target).await?;
            let rx = node.expect_reply(target.owner, corr);
            let _forget = Forget { node: &node, corr };
            target.send(frame);
            match rx.await {
                Ok(Ok(bytes)) => codec::decode::<M::Reply>(&node, &bytes).map_err(|_| decode_error::<A, M>(&target)),
                Ok(Err(code)) => Err(tractor::__private::error_from_code(
                    code,
                    target.standin.id(),
                    type_name::<A>(),
                    Some(type_name::<M>()),
                )
                .unwrap_or_else(|| unreachable::<A, M>(&target))),
                // The waiter was dropped: the node was lost or closed.
                Err(_) => Err(unreachable::<A, M>(&target)),
            }
        };
        let (limit, ours) = match timeout {
            Some(d) => (d, true),
            None => (node.settings.ask_timeout, false),
        };
        match tokio::time::timeout(limit, work).await {
            Ok(out) => out,
            Err(_) if ours => {
                Err(tractor::__private::timeout_error(target.standin.id(), type_name::<A>(), type_name::<M>()))
            }
            Err(_) => Err(unreachable::<A, M>(&target)),
        }
    }
}

impl<'a, A: Actor, M: Send + 'static, R: Send + 'static> IntoFuture for RemoteRequest<'a, A, M, R> {
    type Output = Result<R, Error>;
    type IntoFuture = Boxed<'a, R>;

    /// Asks: waits for credit, then for the reply.
    ///
    /// # Cancel safety
    ///
    /// Nothing is sent before the first poll. Dropping the future after the
    /// message was sent does not take it back: it is still handled and the
    /// reply is discarded.
    fn into_future(self) -> Self::IntoFuture {
        (self.ops.ask)(self)
    }
}

impl<A: Actor, M, R> fmt::Debug for RemoteRequest<'_, A, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteRequest")
            .field("target", self.target)
            .field("message", &crate::message::short_name(type_name::<M>()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn with_timeout<'a, A: Actor, M: tractor::Message<A>>(
    request: tractor::Request<'a, A, M>,
    timeout: Option<Duration>,
) -> tractor::Request<'a, A, M> {
    match timeout {
        Some(d) => request.timeout(d),
        None => request,
    }
}

/// The frame of `msg` to `target`.
fn encode<A: Actor, M: Remote<A>>(target: &Target, kind: u8, corr: Option<u64>, msg: &M) -> Result<Out, ()> {
    let mut out = Out::new(kind, target.node.id, 64).u64(target.slot).u64(M::WIRE_ID);
    if let Some(corr) = corr {
        out = out.u64(corr);
    }
    codec::encode_into(&target.node, msg, out.0).map(Out).map_err(|e| {
        tracing::warn!(message = type_name::<M>(), error = e.0, "tractor-remote: a message did not encode");
    })
}

/// Takes one credit of `target`'s window, waiting while it is used up.
async fn credit<A: Actor, M>(target: &Target) -> Result<(), Error> {
    match target.credits.acquire().await {
        Ok(permit) => {
            permit.forget();
            Ok(())
        }
        Err(_) => Err(ended::<A, M>(target)),
    }
}

/// Why nothing more can be sent to `target`: its node is lost, or it stopped.
fn ended<A: Actor, M>(target: &Target) -> Error {
    match target.standin.reason() {
        Some(reason) if !reason.is_node_lost() => {
            tractor::__private::stopped_error(target.standin.id(), type_name::<A>(), type_name::<M>())
        }
        _ => unreachable::<A, M>(target),
    }
}

fn unreachable<A: Actor, M>(target: &Target) -> Error {
    tractor::__private::unreachable_error(target.standin.id(), type_name::<A>(), Some(type_name::<M>()))
}

fn decode_error<A: Actor, M>(target: &Target) -> Error {
    tractor::__private::decode_error(target.standin.id(), type_name::<A>(), Some(type_name::<M>()))
}

/// Takes an ask's waiter back if the ask ends before its reply.
struct Forget<'a> {
    node: &'a crate::node::NodeInner,
    corr: u64,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.node.forget_reply(self.corr);
    }
}
