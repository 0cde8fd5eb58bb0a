//! The inbox: what the Zenoh subscriber does with each frame. It runs on
//! Zenoh's receive path, so it never waits: a request goes to its actor's
//! forwarder queue, a reply to its asker, a credit or an end to its target.

use std::cell::Cell;
use std::sync::atomic::Ordering;

use super::{NodeId, NodeInner, lock};
use crate::frame::{self, In, Out, Put, WireReason};

thread_local! {
    /// Set while this thread handles a frame in the inbox's callback.
    static RECEIVING: Cell<bool> = const { Cell::new(false) };
}

/// `true` on Zenoh's receive path, where nothing may wait.
pub(crate) fn on_receive_path() -> bool {
    RECEIVING.with(Cell::get)
}

/// Marks this thread as on the receive path until dropped.
struct Receiving(bool);

impl Receiving {
    fn enter() -> Self {
        Receiving(RECEIVING.with(|r| r.replace(true)))
    }
}

impl Drop for Receiving {
    fn drop(&mut self) {
        let previous = self.0;
        RECEIVING.with(|r| r.set(previous));
    }
}

impl NodeInner {
    /// One put from another node: its frames, in order.
    pub(crate) fn receive(self: &std::sync::Arc<Self>, bytes: &[u8]) {
        let _receiving = Receiving::enter();
        let Some((seq, from, frames)) = Put::open(bytes) else {
            tracing::warn!("tractor-remote: a put too short to read was dropped");
            return;
        };
        self.check_sequence(from, seq);
        for frame in frames {
            let Ok((kind, fields)) = frame else {
                tracing::warn!(node = %NodeId(from), "tractor-remote: the rest of a put cut short was dropped");
                return;
            };
            self.frame(from, kind, fields);
        }
    }

    fn frame(self: &std::sync::Arc<Self>, from: u64, kind: u8, mut r: In<'_>) {
        match kind {
            frame::TELL | frame::ASK => {
                let (Some(slot), Some(wire_id)) = (r.u64(), r.u64()) else { return };
                let corr = if kind == frame::ASK { r.u64() } else { Some(0) };
                let Some(corr) = corr else { return };
                let ask = (kind == frame::ASK).then_some(corr);
                self.request(from, slot, wire_id, ask, r.rest());
            }
            frame::REPLY => {
                let (Some(corr), Some(status)) = (r.u64(), r.u8()) else { return };
                let reply = match status {
                    0 => Ok(r.rest().to_vec()),
                    code => Err(code - 1),
                };
                self.reply_arrived(corr, reply);
            }
            frame::CREDIT => {
                let (Some(slot), Some(count)) = (r.u64(), r.u32()) else { return };
                if let Some(target) = self.target_at(from, slot) {
                    target.credits.add_permits(count as usize);
                }
            }
            frame::DOWN => {
                let Some(slot) = r.u64() else { return };
                let reason = postcard::from_bytes::<WireReason>(r.rest()).unwrap_or(WireReason::Unknown);
                self.target_ended(from, slot, reason.into_reason());
            }
            frame::INTEREST => {
                let Some(slot) = r.u64() else { return };
                self.interest(from, slot);
            }
            frame::FLUSH => {
                let Some(corr) = r.u64() else { return };
                // Answered even while this node closes too, and on a path
                // made for it if this node has sent `from` nothing yet (a
                // few tells owe no credits back): unanswered, the closing
                // node would wait out its limit.
                if !lock(&self.lost).contains(&from) {
                    self.peer(from).send(Out::new(frame::REPLY, 9).u64(corr).u8(0));
                }
            }
            other => tracing::warn!(kind = other, "tractor-remote: a frame of an unknown kind was dropped"),
        }
    }

    /// Counts the puts missing between the last one from `from` and `seq`.
    fn check_sequence(&self, from: u64, seq: u64) {
        let mut seqs = lock(&self.seqs);
        let last = seqs.entry(from).or_insert(0);
        if seq > *last + 1 {
            let missing = seq - *last - 1;
            self.missing.fetch_add(missing, Ordering::Relaxed);
            tracing::warn!(node = %NodeId(from), missing, "tractor-remote: frames from this node were lost in transit");
        }
        if seq > *last {
            *last = seq;
        }
    }
}
