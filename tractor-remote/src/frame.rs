//! The frames nodes exchange, all on the receiving node's inbox key:
//! requests (tells and asks), replies, credits, an actor's end and interest
//! in it.
//!
//! One Zenoh put carries one or more frames: `seq: u64, from: u64`
//! (little-endian), then each frame as `len: u32, kind: u8` and `len - 1`
//! bytes of its own fields. `seq` counts the puts from `from` to this node,
//! set by the sending node's one writer for this destination, so a gap is a
//! loss that the receiver sees (Zenoh's reliable channel can drop what was
//! queued when a link closes). The payloads are postcard.

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
/// `kind` of a flush: `corr u64`: answered by an empty reply once every
/// frame before it has been read (a closing node waits for it).
pub(crate) const FLUSH: u8 = 7;

/// Bytes of a put's header: `seq`, `from`.
pub(crate) const PUT_HEADER: usize = 16;
/// Bytes before a frame's own fields: `len`, `kind`.
const FRAME_HEADER: usize = 5;

/// A frame being written, with room for a put's header before it, so that
/// a frame sent alone is put as it is.
pub(crate) struct Out(Vec<u8>);

impl Out {
    pub(crate) fn new(kind: u8, capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(PUT_HEADER + FRAME_HEADER + capacity);
        bytes.resize(PUT_HEADER + FRAME_HEADER - 1, 0);
        bytes.push(kind);
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

    /// The bytes written so far, for an encoder to append to.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        self.0
    }

    /// A frame whose fields an encoder appended to [`Out::into_vec`]'s bytes.
    pub(crate) fn from_vec(bytes: Vec<u8>) -> Self {
        debug_assert!(bytes.len() >= PUT_HEADER + FRAME_HEADER);
        Out(bytes)
    }

    /// Sets `len`; the frame is complete.
    fn seal(&mut self) {
        let len = u32::try_from(self.0.len() - PUT_HEADER - 4).expect("a frame under 4 GiB");
        self.0[PUT_HEADER..PUT_HEADER + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// The frame, sealed, without room for a put's header: what a
    /// [`Batch`] appends.
    fn framed(&mut self) -> &[u8] {
        self.seal();
        &self.0[PUT_HEADER..]
    }
}

/// The frames of one put, being gathered.
pub(crate) struct Batch {
    from: u64,
    bytes: Vec<u8>,
    frames: usize,
}

impl Batch {
    /// An empty batch of frames from node `from`.
    pub(crate) fn new(from: u64) -> Self {
        Batch { from, bytes: Batch::header(from), frames: 0 }
    }

    fn header(from: u64) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(1024);
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&from.to_le_bytes());
        bytes
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.frames == 0
    }

    /// Bytes gathered so far.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn push(&mut self, mut frame: Out) {
        self.bytes.extend_from_slice(frame.framed());
        self.frames += 1;
    }

    /// The put of what is gathered and then `last`, stamped `seq`; the batch
    /// is left empty. A lone frame is put in its own bytes, not copied.
    pub(crate) fn put_with(&mut self, last: Option<Out>, seq: u64) -> Vec<u8> {
        let mut bytes = match last {
            Some(mut last) if self.is_empty() => {
                last.seal();
                last.0[8..PUT_HEADER].copy_from_slice(&self.from.to_le_bytes());
                last.0
            }
            last => {
                if let Some(last) = last {
                    self.push(last);
                }
                self.frames = 0;
                std::mem::replace(&mut self.bytes, Batch::header(self.from))
            }
        };
        bytes[..8].copy_from_slice(&seq.to_le_bytes());
        bytes
    }
}

/// Reads a received put: its header, then frame by frame.
pub(crate) struct Put<'a> {
    bytes: &'a [u8],
}

impl<'a> Put<'a> {
    /// `(seq, from, frames)`, or `None` for a put too short.
    pub(crate) fn open(bytes: &'a [u8]) -> Option<(u64, u64, Put<'a>)> {
        let mut r = In { bytes };
        let seq = r.u64()?;
        let from = r.u64()?;
        Some((seq, from, Put { bytes: r.bytes }))
    }
}

impl<'a> Iterator for Put<'a> {
    /// A frame's kind and fields, or `Err` for a frame cut short (the rest
    /// of the put cannot be read).
    type Item = Result<(u8, In<'a>), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        let mut r = In { bytes: self.bytes };
        let frame = r.u32().and_then(|len| {
            let (frame, rest) = r.bytes.split_at_checked(usize::try_from(len).ok()?)?;
            let (&kind, fields) = frame.split_first()?;
            Some((kind, In { bytes: fields }, rest))
        });
        match frame {
            Some((kind, fields, rest)) => {
                self.bytes = rest;
                Some(Ok((kind, fields)))
            }
            None => {
                self.bytes = &[];
                Some(Err(()))
            }
        }
    }
}

/// Reads a received frame field by field.
pub(crate) struct In<'a> {
    bytes: &'a [u8],
}

impl<'a> In<'a> {
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
    fn a_lone_frame_reads_back_what_was_written() {
        let out = Out::new(ASK, 32).u64(3).u64(0xfeed).u64(42).bytes(b"hi");
        let bytes = Batch::new(7).put_with(Some(out), 99);
        let (seq, from, mut frames) = Put::open(&bytes).unwrap();
        assert_eq!((seq, from), (99, 7));
        let (kind, mut r) = frames.next().unwrap().unwrap();
        assert_eq!(kind, ASK);
        assert_eq!((r.u64(), r.u64(), r.u64()), (Some(3), Some(0xfeed), Some(42)));
        assert_eq!(r.rest(), b"hi");
        assert!(frames.next().is_none());
        assert!(Put::open(&bytes[..PUT_HEADER - 1]).is_none(), "a short put is refused");
    }

    #[test]
    fn a_batch_reads_back_in_order_and_empties() {
        let mut batch = Batch::new(7);
        batch.push(Out::new(TELL, 16).u64(1).bytes(b"a"));
        batch.push(Out::new(CREDIT, 12).u64(2).u32(5));
        let bytes = batch.put_with(Some(Out::new(REPLY, 9).u64(3).u8(0)), 4);
        assert!(batch.is_empty());
        let (seq, from, frames) = Put::open(&bytes).unwrap();
        assert_eq!((seq, from), (4, 7));
        let read: Vec<(u8, Vec<u8>)> = frames.map(|f| f.map(|(k, r)| (k, r.rest().to_vec())).unwrap()).collect();
        let mut tell = 1u64.to_le_bytes().to_vec();
        tell.push(b'a');
        let mut credit = 2u64.to_le_bytes().to_vec();
        credit.extend_from_slice(&5u32.to_le_bytes());
        let mut reply = 3u64.to_le_bytes().to_vec();
        reply.push(0);
        assert_eq!(read, vec![(TELL, tell), (CREDIT, credit), (REPLY, reply)]);
        let cut = Put::open(&bytes[..bytes.len() - 1]).unwrap().2;
        assert_eq!(cut.filter(Result::is_err).count(), 1, "a frame cut short is an error, once");
    }
}
