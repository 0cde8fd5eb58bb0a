//! [`Node`]: this process's place in the system of nodes.
//!
//! # Keys (under the namespace, `tractor` by default)
//!
//! - `tractor/node/<id>/inbox`: one subscriber per node; every frame to it
//!   (see `frame.rs`) arrives here, from the other nodes' writers.
//! - `tractor/alive/<id>`: the node's liveliness token. Every node watches
//!   `tractor/alive/*`: a token that goes away is a node lost.
//! - `tractor/name/<name>`: the queryable of the node serving `<name>`; a
//!   lookup is a Zenoh query, answered with the actor's slot and message
//!   fingerprints (the schema handshake). A lost node answers nothing, so
//!   its names are gone on every node at once.

mod builder;
mod inbox;
mod peer;
mod serve;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};
use tractor::__private::Standin;
use tractor::{Actor, ActorRef, Runtime, StopReason};
use zenoh::sample::SampleKind;

pub use self::builder::NodeBuilder;
use self::peer::Peer;
use self::serve::Served;
pub(crate) use self::serve::schema_hash;
use crate::error::NodeError;
use crate::frame::{self, Out};
use crate::message::RemoteActor;
use crate::remote_ref::RemoteRef;

/// How many requests to one remote actor may be on their way (sent, not yet
/// in its mailbox) before a tell waits: the credit window.
pub(crate) const WINDOW: usize = 4096;
/// The receiver returns credits in batches of this many ...
pub(crate) const CREDIT_BATCH: u32 = 256;
/// ... or, once at least this many are owed, within [`IDLE_WAIT`] (a
/// stream of requests returns them by the batch: a frame per request or
/// few would cost the receiver a write each).
pub(crate) const IDLE_CREDIT: u32 = 32;
/// See [`IDLE_CREDIT`].
pub(crate) const IDLE_WAIT: Duration = Duration::from_millis(1);
/// How long a closing node waits for the nodes it sent to to read what it
/// sent (as Akka's `shutdown-flush-timeout`).
const FLUSH_WAIT: Duration = Duration::from_secs(1);

/// The maps on the message path are keyed by ids (node ids, slots, wire
/// ids, correlation ids): hashed with one multiply instead of SipHash,
/// seeded per process so another node cannot pick colliding ids.
#[derive(Clone, Copy)]
pub(crate) struct Ids(u64);

impl Default for Ids {
    fn default() -> Self {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        Ids(*SEED.get_or_init(new_id))
    }
}

impl std::hash::BuildHasher for Ids {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(self.0)
    }
}

/// See [`Ids`].
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = (self.0.rotate_left(5) ^ id).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A map keyed by ids (see [`Ids`]).
pub(crate) type IdMap<K, V> = HashMap<K, V, Ids>;
/// A set of ids (see [`Ids`]).
pub(crate) type IdSet<K> = HashSet<K, Ids>;

/// The identity of a node: random per process, so a node that comes back
/// after a crash is a new node.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u64);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({self})")
    }
}

/// A process's node: serves local actors by name and looks up actors that
/// other nodes serve. Cheap to clone; [`close`](Node::close) ends it.
///
/// ```no_run
/// # use tractor::prelude::*;
/// # #[derive(Actor, Default)] struct Counter(i64);
/// # #[actor(remote)] impl Counter {
/// #     #[message] pub fn increment(&mut self, by: i64) { self.0 += by; }
/// #     #[message] pub fn get(&self) -> i64 { self.0 }
/// # }
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let runtime = Runtime::new();
/// let node = tractor_remote::Node::builder(&runtime)
///     .listen("tcp/127.0.0.1:7447")
///     .connect("tcp/127.0.0.1:7448")
///     .build()
///     .await?;
/// let counter = runtime.spawn(Counter::default());
/// node.serve("counter", &counter).await?;
///
/// // On another node:
/// let c: tractor_remote::RemoteRef<Counter> = node.lookup::<Counter>("counter").await?;
/// c.increment(1).tell().await?;
/// let n: i64 = c.get().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Node {
    inner: Arc<NodeInner>,
}

/// What the builder hands to [`Node::open`] besides the Zenoh config.
pub(crate) struct Settings {
    pub(crate) namespace: String,
    pub(crate) ask_timeout: Duration,
    pub(crate) lookup_timeout: Duration,
}

/// The node's state, shared by its handles, refs and Zenoh callbacks.
pub(crate) struct NodeInner {
    pub(crate) id: u64,
    pub(crate) session: zenoh::Session,
    pub(crate) runtime: Runtime,
    pub(crate) tokio: tokio::runtime::Handle,
    pub(crate) settings: Settings,
    /// The path to each node this one has sent to.
    peers: Mutex<IdMap<u64, Arc<Peer>>>,
    /// The remote actors this node has had refs to, by (node, slot): kept
    /// until the actor ends or its node is lost (not when the last ref goes:
    /// a watch made through a ref outlives it, and the credit window is per
    /// actor, not per ref).
    targets: Mutex<IdMap<(u64, u64), Arc<Target>>>,
    /// Asks waiting for their reply, by correlation id.
    pending: Mutex<IdMap<u64, Waiter>>,
    next_corr: AtomicU64,
    /// Nodes known lost: a ref into one is dead from the start.
    lost: Mutex<IdSet<u64>>,
    /// The last sequence number received from each node.
    seqs: Mutex<IdMap<u64, u64>>,
    /// Puts missing from the sequences (Zenoh dropped them).
    missing: AtomicU64,
    /// The actors this node serves.
    pub(crate) served: Mutex<Served>,
    /// Zenoh declarations that live as long as the node.
    keep: Mutex<Vec<Box<dyn std::any::Any + Send>>>,
    closed: std::sync::atomic::AtomicBool,
}

/// An ask waiting for its reply.
struct Waiter {
    node: u64,
    tx: oneshot::Sender<Result<Vec<u8>, u8>>,
}

/// A remote actor, shared by every ref to it on this node: its stand-in (id,
/// watches, stop reason) and its credit window.
pub(crate) struct Target {
    pub(crate) node: Arc<NodeInner>,
    pub(crate) owner: u64,
    pub(crate) slot: u64,
    pub(crate) standin: Standin,
    pub(crate) credits: Semaphore,
    peer: Arc<Peer>,
}

impl Node {
    /// Starts configuring a node on `runtime`: see [`NodeBuilder`].
    pub fn builder(runtime: &Runtime) -> NodeBuilder {
        NodeBuilder::new(runtime)
    }

    async fn open(runtime: Runtime, config: zenoh::Config, settings: Settings) -> Result<Node, NodeError> {
        let tokio = tokio::runtime::Handle::current();
        if tokio.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread {
            return Err(NodeError::zenoh(
                "cannot start a node",
                "Zenoh needs tokio's multi-thread runtime (one worker is enough: \
                 `#[tokio::main(flavor = \"multi_thread\", worker_threads = 1)]`)",
            ));
        }
        let session = zenoh::open(config).await.map_err(|e| NodeError::zenoh("cannot open the Zenoh session", e))?;
        let inner = Arc::new(NodeInner {
            id: new_id(),
            session,
            runtime,
            tokio,
            settings,
            peers: Mutex::default(),
            targets: Mutex::default(),
            pending: Mutex::default(),
            next_corr: AtomicU64::new(1),
            lost: Mutex::default(),
            seqs: Mutex::default(),
            missing: AtomicU64::new(0),
            served: Mutex::default(),
            keep: Mutex::default(),
            closed: Default::default(),
        });
        inner.declare().await?;
        Ok(Node { inner })
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        NodeId(self.inner.id)
    }

    /// The runtime the node spawns on (refs that arrive in messages resolve
    /// to actors of this runtime).
    pub fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// The Zenoh session underneath, for what tractor-remote does not wrap.
    pub fn session(&self) -> &zenoh::Session {
        &self.inner.session
    }

    /// Makes `actor` reachable as `name` from every node: [`lookup`] there
    /// finds it until it stops, this node is closed or lost, or
    /// [`unserve`](Node::unserve). The node holds the actor while it serves
    /// it (as a registered name does). Fails if this node already serves
    /// `name` ([`is_name_taken`](NodeError::is_name_taken)) or the actor is
    /// stopped.
    ///
    /// Names are not coordinated between nodes: if two nodes serve the same
    /// name, a lookup gets one of them.
    ///
    /// [`lookup`]: Node::lookup
    pub async fn serve<A: RemoteActor>(&self, name: &str, actor: &ActorRef<A>) -> Result<(), NodeError> {
        self.inner.serve(name, actor).await
    }

    /// Stops serving `name`; `true` if it was served. Refs already looked up
    /// keep working while the actor runs.
    pub fn unserve(&self, name: &str) -> bool {
        self.inner.unserve(name)
    }

    /// Finds the actor some node serves as `name` and checks that it is an
    /// `A` that speaks the same messages: actor type, and each remote
    /// message's wire id and shape ([`is_schema_mismatch`], naming the actor
    /// and the message, before anything is sent). Fails with
    /// [`is_not_found`] when no node answers within the lookup timeout.
    ///
    /// A name this node serves itself resolves to the local actor.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future drops the query.
    ///
    /// [`is_schema_mismatch`]: NodeError::is_schema_mismatch
    /// [`is_not_found`]: NodeError::is_not_found
    pub async fn lookup<A: RemoteActor>(&self, name: &str) -> Result<RemoteRef<A>, NodeError> {
        self.inner.lookup(name).await
    }

    /// Zenoh puts that other nodes sent this one and Zenoh did not deliver
    /// (seen as gaps in their sequence numbers), since the node started.
    /// One put carries one frame (a tell, an ask, a reply...) or a batch of
    /// them: tells sent in a stream share puts.
    pub fn puts_missing(&self) -> u64 {
        self.inner.missing.load(Ordering::Relaxed)
    }

    /// Leaves the system of nodes: stops serving (and lets go of the actors
    /// it held for that), fails every ask still waiting with
    /// `is_unreachable`, ends the refs it holds into other nodes (their
    /// watchers get [`StopReason::NodeLost`] naming this node), and closes
    /// the Zenoh session. Other nodes see this node as lost. A node lives
    /// until it is closed (or its process ends).
    ///
    /// Before all that it puts what it had queued (tells go out in batches)
    /// and waits, at most one second, until every node it has sent to has
    /// read all of it: a tell that returned `Ok` before the close reaches
    /// its node unless the link fails meanwhile.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropped while it waits for the other nodes, the
    /// node stays half closed (it sends nothing more; its session stays
    /// open until it is dropped).
    pub async fn close(&self) {
        self.inner.close().await;
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node").field("id", &self.id()).finish_non_exhaustive()
    }
}

/// A random id: the process id, the time and std's per-process random keys.
fn new_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.finish() | 1
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl NodeInner {
    pub(crate) fn key(&self, rest: &str) -> String {
        format!("{}/{rest}", self.settings.namespace)
    }

    fn inbox_key(&self, node: u64) -> String {
        self.key(&format!("node/{}/inbox", NodeId(node)))
    }

    /// The inbox subscriber, the liveliness token and its watch, the name
    /// queryable.
    async fn declare(self: &Arc<Self>) -> Result<(), NodeError> {
        let weak = Arc::downgrade(self);
        let inbox = self
            .session
            .declare_subscriber(self.inbox_key(self.id))
            .callback(move |sample| {
                if let Some(node) = weak.upgrade() {
                    node.receive(&sample.payload().to_bytes());
                }
            })
            .await
            .map_err(|e| NodeError::zenoh("cannot declare the inbox", e))?;
        let weak = Arc::downgrade(self);
        let prefix = self.key("alive/");
        let alive = self
            .session
            .liveliness()
            .declare_subscriber(self.key("alive/*"))
            .callback(move |sample| {
                let Some(node) = weak.upgrade() else { return };
                let key = sample.key_expr().as_str();
                let Some(id) = key.strip_prefix(&prefix).and_then(|hex| u64::from_str_radix(hex, 16).ok()) else {
                    return;
                };
                match sample.kind() {
                    SampleKind::Delete => node.node_lost(id),
                    // Back after a loss (a frozen process that thawed, a link
                    // that came back): reachable again through new lookups;
                    // the refs that ended stay ended, as Erlang's monitors do.
                    SampleKind::Put => node.node_back(id),
                }
            })
            .await
            .map_err(|e| NodeError::zenoh("cannot watch the nodes' liveliness", e))?;
        let token = self
            .session
            .liveliness()
            .declare_token(self.key(&format!("alive/{}", NodeId(self.id))))
            .await
            .map_err(|e| NodeError::zenoh("cannot declare the node's liveliness token", e))?;
        let names = self.declare_names().await?;
        let mut keep = lock(&self.keep);
        keep.push(Box::new(inbox));
        keep.push(Box::new(alive));
        keep.push(Box::new(token));
        keep.push(Box::new(names));
        Ok(())
    }

    /// The path to `node`, started on first use.
    pub(crate) fn peer(&self, node: u64) -> Arc<Peer> {
        let mut peers = lock(&self.peers);
        peers
            .entry(node)
            .or_insert_with(|| Arc::new(Peer::start(&self.session, self.inbox_key(node), self.id, &self.tokio)))
            .clone()
    }

    /// Sends `frame` to `node`; dropped if `node` is lost or this node is
    /// closed (a late reply or credit must not make a new path).
    pub(crate) fn send(&self, node: u64, frame: Out) {
        if self.is_closed() || lock(&self.lost).contains(&node) {
            return;
        }
        self.peer(node).send(frame);
    }

    /// The shared state of the remote actor `slot` on `owner`, made on first
    /// use (and then the owner is asked to say when it ends).
    pub(crate) fn target<A: Actor>(self: &Arc<Self>, owner: u64, slot: u64) -> Arc<Target> {
        self.target_named(owner, slot, std::any::type_name::<A>)
    }

    /// [`target`](Self::target), for an actor known by its type's name
    /// (`actor_type`, for errors) when the first ref to it is made.
    pub(crate) fn target_named(
        self: &Arc<Self>,
        owner: u64,
        slot: u64,
        actor_type: fn() -> &'static str,
    ) -> Arc<Target> {
        // No path to a node already lost: nothing would ever close it.
        let peer = if lock(&self.lost).contains(&owner) { Arc::new(Peer::closed()) } else { self.peer(owner) };
        let mut targets = lock(&self.targets);
        if let Some(target) = targets.get(&(owner, slot)) {
            return target.clone();
        }
        let target = Arc::new(Target {
            node: self.clone(),
            owner,
            slot,
            standin: Standin::named(actor_type),
            credits: Semaphore::new(WINDOW),
            peer,
        });
        let lost = lock(&self.lost).contains(&owner) || self.is_closed();
        if !lost {
            targets.insert((owner, slot), target.clone());
        }
        drop(targets);
        if lost {
            target.end(StopReason::NodeLost(NodeId(owner).to_string().into()));
        } else {
            // (Queued for a flush job when this is Zenoh's receive path:
            // see `Peer::send`.)
            target.peer.send(Out::new(frame::INTEREST, 8).u64(slot));
            self.check_alive(owner);
        }
        target
    }

    /// A ref to `slot` of this very node whose actor is no longer served
    /// here (it has ended): ended from the start, with the actor's id and
    /// stop reason when this node remembers them. Nothing is ever sent for
    /// it, and it is not kept.
    pub(crate) fn ended_here(self: &Arc<Self>, slot: u64, actor_type: fn() -> &'static str) -> Arc<Target> {
        let (standin, reason) = match self.ended_slot(slot) {
            Some((id, reason)) => (Standin::with_id(id, actor_type), reason),
            None => (Standin::named(actor_type), StopReason::Normal),
        };
        let target = Arc::new(Target {
            node: self.clone(),
            owner: self.id,
            slot,
            standin,
            credits: Semaphore::new(0),
            peer: Arc::new(Peer::closed()),
        });
        target.end(reason);
        target
    }

    /// The remote actor `slot` on `owner` has ended: its ref ends, and a
    /// later ref to it starts anew.
    pub(crate) fn target_ended(&self, owner: u64, slot: u64, reason: StopReason) {
        let target = lock(&self.targets).remove(&(owner, slot));
        if let Some(target) = target {
            target.end(reason);
        }
    }

    fn target_at(&self, owner: u64, slot: u64) -> Option<Arc<Target>> {
        lock(&self.targets).get(&(owner, slot)).cloned()
    }

    /// A node whose ref arrived in a message may be gone already (its token's
    /// deletion came before we knew it): ask Zenoh whether it is alive.
    fn check_alive(self: &Arc<Self>, owner: u64) {
        let weak = Arc::downgrade(self);
        let key = self.key(&format!("alive/{}", NodeId(owner)));
        self.tokio.spawn(async move {
            let Some(node) = weak.upgrade() else { return };
            // As long as an ask would wait: a slow answer is not a loss.
            let timeout = node.settings.ask_timeout;
            let Ok(replies) = node.session.liveliness().get(key).timeout(timeout).await else { return };
            drop(node);
            let alive = replies.recv_async().await.is_ok_and(|reply| reply.result().is_ok());
            if !alive && let Some(node) = weak.upgrade() {
                node.node_lost(owner);
            }
        });
    }

    /// A new correlation id for an ask.
    pub(crate) fn next_corr(&self) -> u64 {
        self.next_corr.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers ask `corr` to `node`; its reply (`Err(code)` for an error)
    /// comes through the receiver, which fails if `node` is
    /// lost or this node closes first.
    pub(crate) fn expect_reply(&self, node: u64, corr: u64) -> oneshot::Receiver<Result<Vec<u8>, u8>> {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(corr, Waiter { node, tx });
        // Checked after the insert: a loss or a close that comes between the
        // two has either seen the waiter (and failed it) or is seen here.
        if lock(&self.lost).contains(&node) || self.is_closed() {
            // Dropped: the asker sees the node lost at once.
            lock(&self.pending).remove(&corr);
        }
        rx
    }

    /// The ask `corr` is no longer waited for.
    pub(crate) fn forget_reply(&self, corr: u64) {
        lock(&self.pending).remove(&corr);
    }

    fn reply_arrived(&self, corr: u64, reply: Result<Vec<u8>, u8>) {
        if let Some(waiter) = lock(&self.pending).remove(&corr) {
            let _ = waiter.tx.send(reply);
        }
    }

    /// `node` is gone: every ref into it ends with `NodeLost`, every ask to
    /// it fails, its path is dropped.
    pub(crate) fn node_lost(&self, node: u64) {
        if node == self.id || !lock(&self.lost).insert(node) {
            return;
        }
        tracing::info!(node = %NodeId(node), "tractor-remote: node lost");
        let reason = StopReason::NodeLost(NodeId(node).to_string().into());
        let targets: Vec<Arc<Target>> = {
            let mut targets = lock(&self.targets);
            let gone: Vec<(u64, u64)> = targets.keys().filter(|(owner, _)| *owner == node).copied().collect();
            gone.iter().filter_map(|key| targets.remove(key)).collect()
        };
        for target in targets {
            target.end(reason.clone());
        }
        // Dropping a waiter's sender fails its ask as unreachable.
        lock(&self.pending).retain(|_, w| w.node != node);
        // Closing waits for a put in progress: not on Zenoh's thread.
        let peer = lock(&self.peers).remove(&node);
        if let Some(peer) = peer {
            self.tokio.spawn(async move { peer.close() });
        }
        lock(&self.seqs).remove(&node);
        self.forget_node(node);
    }

    fn node_back(&self, node: u64) {
        if lock(&self.lost).remove(&node) {
            tracing::info!(node = %NodeId(node), "tractor-remote: node back");
            lock(&self.seqs).remove(&node);
        }
    }

    async fn close(&self) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        self.flush_peers().await;
        self.stop_serving();
        lock(&self.pending).clear();
        let targets: Vec<Arc<Target>> = lock(&self.targets).drain().map(|(_, t)| t).collect();
        let reason = StopReason::NodeLost(format!("{} (this node closed)", NodeId(self.id)).into());
        for target in targets {
            target.end(reason.clone());
        }
        for (_, peer) in lock(&self.peers).drain() {
            // What is queued still goes (a reply to another closing node's
            // flush, say), then nothing more.
            peer.flush();
            peer.close();
        }
        let keep = std::mem::take(&mut *lock(&self.keep));
        drop(keep);
        let _ = self.session.close().await;
    }

    /// Puts what is queued to each node, then waits (at most `FLUSH_WAIT`)
    /// until each has read it: a flush frame behind it comes back answered.
    async fn flush_peers(&self) {
        let peers: Vec<(u64, Arc<Peer>)> = lock(&self.peers).iter().map(|(&id, peer)| (id, peer.clone())).collect();
        let mut read = Vec::with_capacity(peers.len());
        for (node, peer) in peers {
            let corr = self.next_corr();
            let (tx, rx) = oneshot::channel();
            // Not `expect_reply`: this node is already closed. A loss drops
            // the waiter.
            lock(&self.pending).insert(corr, Waiter { node, tx });
            peer.send(Out::new(frame::FLUSH, 8).u64(corr));
            read.push(rx);
        }
        let deadline = tokio::time::Instant::now() + FLUSH_WAIT;
        for rx in read {
            let _ = tokio::time::timeout_at(deadline, rx).await;
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

impl Target {
    /// The node the actor runs on, unless it is this one (a ref that came
    /// home after its actor ended).
    pub(crate) fn remote_node(&self) -> Option<NodeId> {
        (self.owner != self.node.id).then_some(NodeId(self.owner))
    }

    /// The actor (or its node) is gone.
    pub(crate) fn end(&self, reason: StopReason) {
        // The reason first: a send that finds the window closed reads it.
        self.standin.finish(reason);
        self.credits.close();
    }

    /// Puts `frame` now (an ask).
    pub(crate) fn send(&self, frame: Out) {
        self.peer.send(frame);
    }

    /// Queues `frame` for the next batch (a tell).
    pub(crate) fn queue(&self, frame: Out) {
        self.peer.queue(frame);
    }
}
