//! [`NodeError`]: what can go wrong building a node, serving or looking up.

use std::fmt;

/// A node could not be built, or a name could not be served or looked up.
///
/// Sends and asks through a [`RemoteRef`](crate::RemoteRef) fail with
/// tractor's own [`Error`](tractor::Error) instead (`is_unreachable`,
/// `is_decode` and the local predicates), so they mix with local ones.
#[derive(Clone)]
pub struct NodeError {
    kind: Kind,
    text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Zenoh,
    NameTaken,
    NotFound,
    Schema,
    Stopped,
    Closed,
}

impl NodeError {
    pub(crate) fn zenoh(what: &str, error: impl fmt::Display) -> Self {
        NodeError { kind: Kind::Zenoh, text: format!("{what}: {error}") }
    }

    pub(crate) fn name_taken(name: &str) -> Self {
        NodeError { kind: Kind::NameTaken, text: format!("the name `{name}` is already served by this node") }
    }

    pub(crate) fn not_found(name: &str) -> Self {
        NodeError { kind: Kind::NotFound, text: format!("no node serves the name `{name}`") }
    }

    pub(crate) fn schema(text: String) -> Self {
        NodeError { kind: Kind::Schema, text }
    }

    pub(crate) fn stopped(name: &str) -> Self {
        NodeError { kind: Kind::Stopped, text: format!("the actor to serve as `{name}` is stopped") }
    }

    pub(crate) fn closed() -> Self {
        NodeError { kind: Kind::Closed, text: "the node is closed".into() }
    }

    /// The Zenoh session could not be configured or opened, or a Zenoh
    /// declaration failed; the text has Zenoh's reason.
    pub fn is_zenoh(&self) -> bool {
        self.kind == Kind::Zenoh
    }

    /// [`Node::serve`](crate::Node::serve): this node already serves the name.
    pub fn is_name_taken(&self) -> bool {
        self.kind == Kind::NameTaken
    }

    /// [`Node::lookup`](crate::Node::lookup): no reachable node serves the
    /// name (none answered within the lookup timeout).
    pub fn is_not_found(&self) -> bool {
        self.kind == Kind::NotFound
    }

    /// [`Node::lookup`](crate::Node::lookup): the node serving the name runs
    /// another version of the actor: another actor type, or a message whose
    /// wire id or shape differs. The text names the actor and the message.
    pub fn is_schema_mismatch(&self) -> bool {
        self.kind == Kind::Schema
    }

    /// [`Node::serve`](crate::Node::serve): the actor is stopped already.
    pub fn is_stopped(&self) -> bool {
        self.kind == Kind::Stopped
    }

    /// The node was closed.
    pub fn is_closed(&self) -> bool {
        self.kind == Kind::Closed
    }
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeError").field("kind", &self.kind).field("text", &self.text).finish()
    }
}

impl std::error::Error for NodeError {}
