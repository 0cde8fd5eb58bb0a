//! [`Peer`]: the one ordered path from this node to another.
//!
//! Every frame to node X goes through X's peer: one declared Zenoh publisher
//! on X's inbox key, and one batch of frames not yet put. A put takes the
//! whole batch, in the order the frames joined it, and stamps the put's
//! sequence number under the one lock that also serialises the puts, so
//! frames from this node reach X in the order they were sent (tells, asks,
//! credits and replies alike: nothing can overtake), and a gap shows a loss.
//!
//! A frame is either put now ([`Peer::send`]: asks and replies, whose
//! latency counts; it takes the batch gathered before it along) or joins
//! the batch ([`Peer::queue`]: tells). The first tell into an idle path
//! starts a flush job on tokio's blocking pool: it puts the batch at once,
//! then every 50 µs while tells keep coming, and ends after 1 ms without
//! any; a sender puts the batch itself once it is 16 KiB. So a stream of
//! tells costs one Zenoh put per batch instead of one per tell, and no wake
//! per batch; a lone tell waits only for the job's thread to start. Not a
//! task on the sender's runtime: woken from a worker it would sit in that
//! worker's LIFO slot, which no other worker steals, until the sender
//! yields (a handler that tells and then computes would hold its tell).
//! The blocking pool is also where a put that waits on the link belongs.
//! Back-pressure is the per-actor credit window, never a blocked put: the
//! credits keep Zenoh's queue short.
//!
//! Until the publisher is declared (a task does that when the peer is made)
//! frames wait in the batch, which the task then puts.

use std::sync::{Arc, Mutex};

use zenoh::Wait;
use zenoh::pubsub::Publisher;
use zenoh::qos::CongestionControl;

use super::lock;
use crate::frame::{Batch, Out};

/// A batch this large is put by the sender that filled it, not left for a
/// flush (well below Zenoh's 64 KiB transport batch).
const PUT_AT: usize = 16 * 1024;

/// How often a flush job puts while tells keep coming.
const TICK: std::time::Duration = std::time::Duration::from_micros(50);

/// Idle ticks after which a flush job ends.
const LINGER: u32 = 20;

/// The path to one other node.
pub(crate) struct Peer {
    shared: Arc<Shared>,
    /// Where a batch's flush runs (`None` for a path that sends nothing).
    tokio: Option<tokio::runtime::Handle>,
}

struct Shared {
    /// Held while putting: the puts go out in `seq` order.
    wire: Mutex<Wire>,
    /// Lock order: `wire`, then `waiting`.
    waiting: Mutex<Waiting>,
}

struct Wire {
    seq: u64,
    publisher: Option<Publisher<'static>>,
    key: String,
}

struct Waiting {
    batch: Batch,
    /// A flush job runs (see [`Shared::flush_while_busy`]).
    flushing: bool,
    /// The node is lost or this one closes: frames are dropped.
    closed: bool,
}

impl Peer {
    /// Starts the path from node `from` to `key` (another node's inbox): a
    /// task declares the publisher, then puts what waited for it.
    pub(crate) fn start(session: &zenoh::Session, key: String, from: u64, tokio: &tokio::runtime::Handle) -> Self {
        let shared = Arc::new(Shared {
            wire: Mutex::new(Wire { seq: 0, publisher: None, key: key.clone() }),
            waiting: Mutex::new(Waiting { batch: Batch::new(from), flushing: false, closed: false }),
        });
        let session = session.clone();
        let flusher = shared.clone();
        tokio.spawn(async move {
            // Reliable (Zenoh's default) and blocking under congestion, so
            // nothing is dropped while the link lives.
            match session.declare_publisher(key.clone()).congestion_control(CongestionControl::Block).await {
                Ok(publisher) => {
                    {
                        let mut wire = lock(&flusher.wire);
                        if lock(&flusher.waiting).closed {
                            return;
                        }
                        wire.publisher = Some(publisher);
                    }
                    flusher.flush();
                }
                Err(e) => {
                    tracing::warn!(%key, error = %e, "tractor-remote: cannot declare a publisher; frames to this node are dropped");
                    flusher.close();
                }
            }
        });
        Peer { shared, tokio: Some(tokio.clone()) }
    }

    /// A path that sends nothing (for a ref that is ended from the start).
    pub(crate) fn closed() -> Self {
        let shared = Shared {
            wire: Mutex::new(Wire { seq: 0, publisher: None, key: String::new() }),
            waiting: Mutex::new(Waiting { batch: Batch::new(0), flushing: false, closed: true }),
        };
        Peer { shared: Arc::new(shared), tokio: None }
    }

    /// Puts `frame` now, after every frame sent or queued before it.
    ///
    /// On Zenoh's receive path (a reply or credit sent while a frame is
    /// handled there, e.g. by an actor's mailbox dropping what it held) the
    /// put, and even the lock, which a blocked put may hold, would wait
    /// there: such a frame is queued for a flush instead.
    pub(crate) fn send(&self, frame: Out) {
        if super::inbox::on_receive_path() {
            self.queue(frame);
            return;
        }
        let mut wire = lock(&self.shared.wire);
        let mut waiting = lock(&self.shared.waiting);
        if waiting.closed {
            return;
        }
        if wire.publisher.is_none() {
            // The declaring task puts it.
            waiting.batch.push(frame);
            return;
        }
        wire.seq += 1;
        let bytes = waiting.batch.put_with(Some(frame), wire.seq);
        drop(waiting);
        wire.put(bytes);
    }

    /// Queues `frame` behind every frame sent or queued before it, to be put
    /// with the next batch: by the running flush job within about a tick,
    /// or by the job this starts (on the blocking pool: it runs while the
    /// sender keeps its thread).
    pub(crate) fn queue(&self, frame: Out) {
        let (start, full) = {
            let mut waiting = lock(&self.shared.waiting);
            if waiting.closed {
                return;
            }
            waiting.batch.push(frame);
            let start = !std::mem::replace(&mut waiting.flushing, true);
            (start, waiting.batch.len() >= PUT_AT)
        };
        if full && !super::inbox::on_receive_path() {
            self.shared.flush();
        }
        if start && let Some(tokio) = &self.tokio {
            let shared = self.shared.clone();
            drop(tokio.spawn_blocking(move || shared.flush_while_busy()));
        }
    }

    /// Puts what is queued now.
    pub(crate) fn flush(&self) {
        self.shared.flush();
    }

    /// Drops what is queued and what comes: the node is gone.
    pub(crate) fn close(&self) {
        self.shared.close();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // A flush still to run puts nothing.
        self.shared.close();
    }
}

impl Shared {
    /// Puts the batch, if there is one (and a publisher): `true` if it did.
    fn flush(&self) -> bool {
        let mut wire = lock(&self.wire);
        let bytes = {
            let mut waiting = lock(&self.waiting);
            if waiting.closed || waiting.batch.is_empty() || wire.publisher.is_none() {
                return false;
            }
            wire.seq += 1;
            waiting.batch.put_with(None, wire.seq)
        };
        wire.put(bytes);
        true
    }

    /// The flush job: puts the batch at once, then every `TICK` while tells
    /// keep coming, and ends once `LINGER` ticks have brought none. While
    /// it runs, senders only push: no wake per batch.
    fn flush_while_busy(&self) {
        let mut idle = 0;
        loop {
            if self.flush() {
                idle = 0;
            } else {
                idle += 1;
                if idle > LINGER {
                    let mut waiting = lock(&self.waiting);
                    if waiting.closed || waiting.batch.is_empty() {
                        waiting.flushing = false;
                        return;
                    }
                }
            }
            std::thread::sleep(TICK);
        }
    }

    fn close(&self) {
        let mut wire = lock(&self.wire);
        let mut waiting = lock(&self.waiting);
        waiting.closed = true;
        waiting.batch = Batch::new(0);
        wire.publisher = None;
        drop((waiting, wire));
    }
}

impl Wire {
    fn put(&self, bytes: Vec<u8>) {
        let Some(publisher) = &self.publisher else { return };
        if let Err(e) = publisher.put(bytes).wait() {
            tracing::debug!(key = %self.key, error = %e, "tractor-remote: put failed");
        }
    }
}
