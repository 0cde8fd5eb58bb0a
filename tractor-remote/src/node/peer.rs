//! [`Peer`]: the one ordered path from this node to another.
//!
//! Every frame to node X goes through X's peer: one declared Zenoh publisher
//! on X's inbox key, behind a lock that also stamps each frame's sequence
//! number, so frames from this node reach X in the order they were sent
//! (tells, asks, credits and replies alike: nothing can overtake), and a gap
//! shows a loss. The put happens in the sender's own task: no task hop on
//! the message path. Back-pressure is the per-actor credit window, never a
//! blocked put: the credits keep Zenoh's queue short.
//!
//! Until the publisher is declared (a task does that when the peer is made)
//! frames wait in a backlog, which the task flushes in order.

use std::sync::{Arc, Mutex};

use zenoh::Wait;
use zenoh::pubsub::Publisher;
use zenoh::qos::CongestionControl;

use super::lock;
use crate::frame::Out;

/// The path to one other node.
pub(crate) struct Peer {
    state: Arc<Mutex<State>>,
    tokio: tokio::runtime::Handle,
}

struct State {
    seq: u64,
    publisher: Option<Publisher<'static>>,
    /// Frames sent before the publisher was declared.
    backlog: Vec<Out>,
    /// The node is lost or this one closes: frames are dropped.
    closed: bool,
    key: String,
}

impl State {
    fn put(&mut self, mut frame: Out) {
        let Some(publisher) = &self.publisher else {
            self.backlog.push(frame);
            return;
        };
        self.seq += 1;
        frame.stamp(self.seq);
        if let Err(e) = publisher.put(frame.0).wait() {
            tracing::debug!(key = %self.key, error = %e, "tractor-remote: put failed");
        }
    }
}

impl Peer {
    /// Starts declaring the publisher to `key` (node `to`'s inbox) on `tokio`.
    pub(crate) fn start(session: &zenoh::Session, key: String, tokio: &tokio::runtime::Handle) -> Self {
        let state = Arc::new(Mutex::new(State {
            seq: 0,
            publisher: None,
            backlog: Vec::new(),
            closed: false,
            key: key.clone(),
        }));
        let session = session.clone();
        let declared = state.clone();
        tokio.spawn(async move {
            // Reliable (Zenoh's default) and blocking under congestion, so
            // nothing is dropped while the link lives.
            match session.declare_publisher(key.clone()).congestion_control(CongestionControl::Block).await {
                Ok(publisher) => {
                    let mut state = lock(&declared);
                    if state.closed {
                        return;
                    }
                    state.publisher = Some(publisher);
                    for frame in std::mem::take(&mut state.backlog) {
                        state.put(frame);
                    }
                }
                Err(e) => {
                    tracing::warn!(%key, error = %e, "tractor-remote: cannot declare a publisher; frames to this node are dropped");
                    lock(&declared).closed = true;
                }
            }
        });
        Peer { state, tokio: tokio.clone() }
    }

    /// A path that sends nothing (for a ref that is ended from the start).
    pub(crate) fn closed(tokio: &tokio::runtime::Handle) -> Self {
        let state = State { seq: 0, publisher: None, backlog: Vec::new(), closed: true, key: String::new() };
        Peer { state: Arc::new(Mutex::new(state)), tokio: tokio.clone() }
    }

    /// Sends `frame`, after every frame sent before it.
    ///
    /// On Zenoh's receive path (a reply or credit sent while a frame is
    /// handled there, e.g. by an actor's mailbox dropping what it held) the
    /// put, and even the lock, which a blocked put may hold, would wait
    /// there: such a frame is put from a task instead. Only answers
    /// (replies, credits, interests) are sent from there, which need no
    /// order among themselves.
    pub(crate) fn send(&self, frame: Out) {
        if super::inbox::on_receive_path() {
            let state = self.state.clone();
            self.tokio.spawn(async move { put(&state, frame) });
            return;
        }
        put(&self.state, frame);
    }

    /// Drops what is queued and what comes: the node is gone.
    pub(crate) fn close(&self) {
        let mut state = lock(&self.state);
        state.closed = true;
        state.backlog.clear();
        state.publisher = None;
    }
}

fn put(state: &Mutex<State>, frame: Out) {
    let mut state = lock(state);
    if !state.closed {
        state.put(frame);
    }
}
