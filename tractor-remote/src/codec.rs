//! The codec: postcard (see the crate docs for why), with the node that is
//! encoding or decoding at hand so that refs inside messages can be exported
//! and resolved.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::node::NodeInner;

thread_local! {
    /// The node encoding or decoding on this thread, for `RemoteRef`'s serde
    /// impls. Set only around one synchronous postcard call.
    static CURRENT: RefCell<Option<Arc<NodeInner>>> = const { RefCell::new(None) };
}

/// A value did not encode (or a ref inside it could not be exported).
#[derive(Debug)]
pub(crate) struct EncodeError(pub(crate) String);

/// Bytes did not decode into the expected type.
#[derive(Debug)]
pub(crate) struct DecodeError(pub(crate) String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `f` with `node` as the current node of this thread.
fn with_node<R>(node: &Arc<NodeInner>, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Arc<NodeInner>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(node.clone()));
    let _reset = Reset(previous);
    f()
}

/// The node encoding or decoding on this thread, if any.
pub(crate) fn current() -> Option<Arc<NodeInner>> {
    CURRENT.with(|c| c.borrow().clone())
}

pub(crate) fn encode<T: Serialize + ?Sized>(node: &Arc<NodeInner>, value: &T) -> Result<Vec<u8>, EncodeError> {
    with_node(node, || postcard::to_allocvec(value)).map_err(|e| EncodeError(e.to_string()))
}

/// Appends `value`'s encoding to `out`.
pub(crate) fn encode_into<T: Serialize + ?Sized>(
    node: &Arc<NodeInner>,
    value: &T,
    out: Vec<u8>,
) -> Result<Vec<u8>, EncodeError> {
    with_node(node, || postcard::to_extend(value, out)).map_err(|e| EncodeError(e.to_string()))
}

/// Decodes a `T`. A `Deserialize` impl that panics is a decode error: it
/// may run on Zenoh's receive path, which a panic would take down.
pub(crate) fn decode<T: DeserializeOwned>(node: &Arc<NodeInner>, bytes: &[u8]) -> Result<T, DecodeError> {
    let decoded =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| with_node(node, || postcard::from_bytes(bytes))));
    match decoded {
        Ok(decoded) => decoded.map_err(|e| DecodeError(e.to_string())),
        Err(_) => Err(DecodeError(format!("decoding a `{}` panicked", std::any::type_name::<T>()))),
    }
}
