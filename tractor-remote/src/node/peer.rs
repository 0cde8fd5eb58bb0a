//! [`Peer`]: the one ordered path from this node to another.
//!
//! Every frame to node X goes through X's peer: an unbounded queue that a
//! single writer task drains into one declared Zenoh publisher on X's inbox
//! key, stamping each frame's sequence number as it goes. So frames from one
//! sender reach X in the order they were queued (tells, asks, credits and
//! replies alike: nothing can overtake), and no caller ever waits on Zenoh:
//! back-pressure is the per-actor credit window, never a blocked put.

use tokio::sync::mpsc;
use zenoh::qos::CongestionControl;

use crate::frame::Out;

/// The path to one other node.
pub(crate) struct Peer {
    tx: mpsc::UnboundedSender<Out>,
}

impl Peer {
    /// Starts the writer to `key` (node `to`'s inbox) on `tokio`.
    pub(crate) fn start(session: &zenoh::Session, key: String, tokio: &tokio::runtime::Handle) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio.spawn(write(session.clone(), key, rx));
        Peer { tx }
    }

    /// Queues `frame`; `false` if the writer is gone (the node is closing).
    pub(crate) fn send(&self, frame: Out) -> bool {
        self.tx.send(frame).is_ok()
    }
}

async fn write(session: zenoh::Session, key: String, mut rx: mpsc::UnboundedReceiver<Out>) {
    // Reliable (Zenoh's default) and blocking under congestion, so that
    // nothing is dropped while the link lives; the credit window keeps the
    // queue short, so the put does not block for long.
    let publisher = match session.declare_publisher(key.clone()).congestion_control(CongestionControl::Block).await {
        Ok(publisher) => publisher,
        Err(e) => {
            tracing::warn!(%key, error = %e, "tractor-remote: cannot declare a publisher; frames to this node are dropped");
            return;
        }
    };
    let mut seq: u64 = 0;
    while let Some(mut frame) = rx.recv().await {
        seq += 1;
        frame.stamp(seq);
        if let Err(e) = publisher.put(frame.0).await {
            tracing::debug!(%key, error = %e, "tractor-remote: put failed");
        }
    }
}
