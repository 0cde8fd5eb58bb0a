//! The frames nodes exchange, one per Zenoh put, all on the receiving node's
//! inbox key: requests (tells and asks), replies, credits, an actor's end and
//! interest in it.
//!
//! Every frame starts with `kind: u8, seq: u64, from: u64` (little-endian):
//! `seq` counts the frames from `from` to this node, set by the sending
//! node's one writer for this destination, so a gap is a loss that the
//! receiver sees (Zenoh's reliable channel can drop what was queued when a
//! link closes). The payloads are postcard.

/// `kind` of a tell: `slot u64, wire_id u64`, then the message.
pub(crate) const TELL: u8 = 1;
/// `kind` of an ask: `slot u64, wire_id u64, corr u64`, then the message.
pub(crate) const ASK: u8 = 2;
/// `kind` of a reply: `corr u64, status u8` (0: the reply follows; else the
/// error's code + 1).
pub(crate) const REPLY: u8 = 3;
/// `kind` of a credit: `slot u64, count u32`: that many more requests to the
/// slot may be sent.
pub(crate) const CREDIT: u8 = 4;
/// `kind` of an actor's end: `slot u64`, then its [`WireReason`].
pub(crate) const DOWN: u8 = 5;
/// `kind` of an interest: `slot u64`: tell me when it ends.
pub(crate) const INTEREST: u8 = 6;

/// Bytes before a frame's own fields.
pub(crate) const HEADER: usize = 17;

/// A frame being written: the header with `seq` left for the writer.
pub(crate) struct Out(pub(crate) Vec<u8>);

impl Out {
    pub(crate) fn new(kind: u8, from: u64, capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(HEADER + capacity);
        bytes.push(kind);
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&from.to_le_bytes());
        Out(bytes)
    }

    pub(crate) fn u64(mut self, value: u64) -> Self {
        self.0.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub(crate) fn u32(mut self, value: u32) -> Self {
        self.0.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub(crate) fn u8(mut self, value: u8) -> Self {
        self.0.push(value);
        self
    }

    pub(crate) fn bytes(mut self, value: &[u8]) -> Self {
        self.0.extend_from_slice(value);
        self
    }

    /// Stamps the sequence number (the writer does, in send order).
    pub(crate) fn stamp(&mut self, seq: u64) {
        self.0[1..9].copy_from_slice(&seq.to_le_bytes());
    }
}

/// Reads a received frame field by field.
pub(crate) struct In<'a> {
    bytes: &'a [u8],
}

impl<'a> In<'a> {
    /// `(kind, seq, from, rest)`, or `None` for a frame too short.
    pub(crate) fn open(bytes: &'a [u8]) -> Option<(u8, u64, u64, In<'a>)> {
        let mut r = In { bytes };
        let kind = r.u8()?;
        let seq = r.u64()?;
        let from = r.u64()?;
        Some((kind, seq, from, r))
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(u32::from_le_bytes(*head))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.bytes.split_first_chunk::<8>()?;
        self.bytes = rest;
        Some(u64::from_le_bytes(*head))
    }

    /// Everything left.
    pub(crate) fn rest(self) -> &'a [u8] {
        self.bytes
    }
}

/// A stop reason as it crosses nodes.
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub(crate) enum WireReason {
    Normal,
    Killed,
    Panicked(String),
    StartFailed(String),
    NodeLost(String),
    /// The slot was never served, or is long gone.
    Unknown,
}

impl WireReason {
    pub(crate) fn of(reason: &tractor::StopReason) -> Self {
        use tractor::StopReason as R;
        match reason {
            R::Normal => WireReason::Normal,
            R::Killed => WireReason::Killed,
            R::Panicked(p) => WireReason::Panicked(p.message().to_owned()),
            R::StartFailed(e) => WireReason::StartFailed(e.to_string()),
            R::NodeLost(n) => WireReason::NodeLost(n.to_string()),
        }
    }

    pub(crate) fn into_reason(self) -> tractor::StopReason {
        use tractor::StopReason as R;
        match self {
            WireReason::Normal | WireReason::Unknown => R::Normal,
            WireReason::Killed => R::Killed,
            WireReason::Panicked(text) => R::Panicked(tractor::__private::panic_from_text(&text)),
            WireReason::StartFailed(text) => R::StartFailed(std::sync::Arc::new(RemoteFailure(text))),
            WireReason::NodeLost(node) => R::NodeLost(node.into()),
        }
    }
}

/// A remote actor's `on_start` error, known by its text.
#[derive(Debug)]
struct RemoteFailure(String);

impl std::fmt::Display for RemoteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RemoteFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_what_was_written() {
        let mut out = Out::new(ASK, 7, 32).u64(3).u64(0xfeed).u64(42).bytes(b"hi");
        out.stamp(99);
        let (kind, seq, from, mut r) = In::open(&out.0).unwrap();
        assert_eq!((kind, seq, from), (ASK, 99, 7));
        assert_eq!((r.u64(), r.u64(), r.u64()), (Some(3), Some(0xfeed), Some(42)));
        assert_eq!(r.rest(), b"hi");
        assert!(In::open(&out.0[..HEADER - 1]).is_none(), "a short frame is refused");
    }
}
