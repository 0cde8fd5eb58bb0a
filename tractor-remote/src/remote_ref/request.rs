//! [`RemoteRequest`]: a message on its way to a [`RemoteRef`]'s actor.

use std::any::type_name;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tractor::{Actor, Error, TrySendError};

use super::send::{self, Addr};
use super::{RemoteRef, Via};
use crate::message::Remote;

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

impl<A: Actor, M, R> Clone for Ops<A, M, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: Actor, M, R> Copy for Ops<A, M, R> {}

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
    /// path to the actor's node, in a batch that a flush job on tokio's
    /// blocking pool puts within about 50 µs, even while the sender keeps
    /// its own thread busy; with the next ask or reply; or once the batch is
    /// 16 KiB, whichever comes first). Waits only while the actor's credit
    /// window is used up. At most once: a message on its way when the node
    /// is lost is lost.
    ///
    /// # Cancel safety
    ///
    /// Nothing is sent before the first poll; dropping the future while it
    /// waits for credit drops the message unsent.
    pub fn tell(self) -> impl Future<Output = Result<(), Error>> + Send + 'a {
        let mut first = Some(self);
        let mut waiting: Option<Boxed<'a, ()>> = None;
        std::future::poll_fn(move |cx| {
            if let Some(request) = first.take() {
                // With credit (or room) now, sent at once: nothing to box.
                let RemoteRequest { target, timeout, ops, .. } = request;
                match (ops.try_tell)(request) {
                    Err(full) if full.is_full() => {
                        let tell = ops.tell;
                        waiting = Some(tell(RemoteRequest { target, msg: full.into_inner(), timeout, ops }));
                    }
                    sent => return Poll::Ready(sent.map_err(TrySendError::into_error)),
                }
            }
            match waiting.as_mut() {
                Some(waiting) => waiting.as_mut().poll(cx),
                None => Poll::Pending,
            }
        })
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
        match &target.via {
            Via::Local(actor) => with_timeout(actor.ask(msg), timeout).tell().await,
            Via::Remote(target, _) => send::tell(&Addr::of::<A, M>(target), msg, timeout).await,
        }
    }

    fn try_tell_now(self) -> Result<(), TrySendError<M>> {
        let RemoteRequest { target, msg, timeout, .. } = self;
        match &target.via {
            Via::Local(actor) => with_timeout(actor.ask(msg), timeout).try_tell(),
            Via::Remote(target, _) => send::try_tell(&Addr::of::<A, M>(target), msg),
        }
    }

    async fn ask(self) -> Result<M::Reply, Error> {
        let RemoteRequest { target, msg, timeout, .. } = self;
        match &target.via {
            Via::Local(actor) => with_timeout(actor.ask(msg), timeout).await,
            Via::Remote(target, _) => send::ask(Addr::of::<A, M>(target), msg, timeout).await,
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
