//! Sending to an actor on another node: what [`RemoteRequest`] and
//! [`RemoteSender`] share once they know the target and the wire id.
//!
//! [`RemoteRequest`]: super::RemoteRequest
//! [`RemoteSender`]: super::RemoteSender

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::TryAcquireError;
use tractor::{Actor, Error, TrySendError};

use crate::codec;
use crate::frame::{self, Out};
use crate::message::Remote;
use crate::node::Target;

/// Where a message goes: the remote actor, the message's wire id there, and
/// its type name (for errors).
pub(crate) struct Addr<'a> {
    pub(crate) target: &'a Arc<Target>,
    pub(crate) wire_id: u64,
    pub(crate) message: &'static str,
}

impl<'a> Addr<'a> {
    /// Remote message `M` of actor `A` at `target`.
    pub(crate) fn of<A: Actor, M: Remote<A>>(target: &'a Arc<Target>) -> Self {
        Addr { target, wire_id: M::WIRE_ID, message: std::any::type_name::<M>() }
    }

    /// The frame of `msg`.
    fn encode<T: Serialize>(&self, kind: u8, corr: Option<u64>, msg: &T) -> Result<Out, Error> {
        let target = self.target;
        let mut out = Out::new(kind, 64).u64(target.slot).u64(self.wire_id);
        if let Some(corr) = corr {
            out = out.u64(corr);
        }
        codec::encode_into(&target.node, msg, out.into_vec()).map(Out::from_vec).map_err(|e| {
            tracing::warn!(message = self.message, error = e.0, "tractor-remote: a message did not encode");
            self.decode_error()
        })
    }

    /// Takes one credit of the target's window, waiting while it is used up.
    /// Fails once the actor is known to have ended, even in the moment
    /// between its reason being set and its window closed.
    async fn credit(&self) -> Result<(), Error> {
        match self.target.credits.acquire().await {
            Ok(permit) if self.target.standin.is_alive() => {
                permit.forget();
                Ok(())
            }
            _ => Err(self.ended()),
        }
    }

    /// Why nothing more can be sent: the node is lost, or the actor stopped.
    fn ended(&self) -> Error {
        match self.target.standin.reason() {
            Some(reason) if !reason.is_node_lost() => {
                tractor::__private::stopped_error(self.target.standin.id(), self.actor_type(), self.message)
            }
            _ => self.unreachable(),
        }
    }

    fn actor_type(&self) -> &'static str {
        self.target.standin.actor_type()
    }

    fn unreachable(&self) -> Error {
        tractor::__private::unreachable_error(self.target.standin.id(), self.actor_type(), Some(self.message))
    }

    fn decode_error(&self) -> Error {
        tractor::__private::decode_error(self.target.standin.id(), self.actor_type(), Some(self.message))
    }

    fn timeout_error(&self) -> Error {
        tractor::__private::timeout_error(self.target.standin.id(), self.actor_type(), self.message)
    }
}

/// A tell: encoded, then sent once there is credit (within `timeout`).
pub(crate) async fn tell<T: Serialize>(addr: &Addr<'_>, msg: T, timeout: Option<Duration>) -> Result<(), Error> {
    let frame = addr.encode(frame::TELL, None, &msg)?;
    drop(msg);
    match timeout {
        None => addr.credit().await?,
        Some(d) => tokio::time::timeout(d, addr.credit()).await.map_err(|_| addr.timeout_error())??,
    }
    addr.target.queue(frame);
    Ok(())
}

/// A tell if there is credit now; the message handed back otherwise.
pub(crate) fn try_tell<T: Serialize>(addr: &Addr<'_>, msg: T) -> Result<(), TrySendError<T>> {
    let target = addr.target;
    match target.credits.try_acquire() {
        Ok(permit) if target.standin.is_alive() => permit.forget(),
        Err(TryAcquireError::NoPermits) => {
            return Err(tractor::__private::full_error(msg, target.standin.id(), addr.actor_type()));
        }
        Ok(_) | Err(TryAcquireError::Closed) => return Err(tractor::__private::refused_error(msg, addr.ended())),
    }
    match addr.encode(frame::TELL, None, &msg) {
        Ok(frame) => {
            target.queue(frame);
            Ok(())
        }
        Err(e) => {
            // Not sent: the credit goes back.
            target.credits.add_permits(1);
            Err(tractor::__private::refused_error(msg, e))
        }
    }
}

/// An ask: sent once there is credit, then its reply awaited; all within
/// `timeout` (`is_timeout`) or else the node's ask timeout (`is_unreachable`).
pub(crate) async fn ask<T: Serialize, R: DeserializeOwned>(
    addr: Addr<'_>,
    msg: T,
    timeout: Option<Duration>,
) -> Result<R, Error> {
    let node = addr.target.node.clone();
    let corr = node.next_corr();
    let frame = addr.encode(frame::ASK, Some(corr), &msg)?;
    drop(msg);
    let work = async {
        addr.credit().await?;
        let rx = node.expect_reply(addr.target.owner, corr);
        let _forget = Forget { node: &node, corr };
        addr.target.send(frame);
        match rx.await {
            Ok(Ok(bytes)) => codec::decode::<R>(&node, &bytes).map_err(|_| addr.decode_error()),
            Ok(Err(code)) => Err(tractor::__private::error_from_code(
                code,
                addr.target.standin.id(),
                addr.actor_type(),
                Some(addr.message),
            )
            .unwrap_or_else(|| addr.unreachable())),
            // The waiter was dropped: the node was lost or closed.
            Err(_) => Err(addr.unreachable()),
        }
    };
    let (limit, ours) = match timeout {
        Some(d) => (d, true),
        None => (node.settings.ask_timeout, false),
    };
    match tokio::time::timeout(limit, work).await {
        Ok(out) => out,
        Err(_) if ours => Err(addr.timeout_error()),
        Err(_) => Err(addr.unreachable()),
    }
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
