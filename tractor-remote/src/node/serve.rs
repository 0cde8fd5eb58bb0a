//! Serving: the actors this node makes reachable (by name, or because a ref
//! to them left inside a message), their forwarders, the name queryable and
//! the lookup's schema handshake.
//!
//! Each served actor has a slot, and the slot a [`Path`] into the actor's
//! mailbox with a forwarder task. The inbox runs on Zenoh's receive path and
//! must not wait, so it delivers a request itself only while the mailbox
//! has room and the forwarder has nothing queued (a try-send, no task
//! between Zenoh and the actor). A request that would have to wait goes to
//! the forwarder's unbounded queue, and so does every request after it
//! until the queue is empty again (the forwarder has delivered all it
//! holds): the forwarder delivers them one after another, waiting for room
//! as a local tell does. So requests from one node reach the actor in the
//! order they were sent, and a full mailbox holds up only its own actor's
//! senders: credits go back (on either path) only for what has left the
//! path.

use std::any::{Any, type_name};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc};
use tractor::{ActorId, ActorRef, Sender, StopReason};

use super::{CREDIT_BATCH, IDLE_CREDIT, IDLE_WAIT, IdMap, NodeInner, lock};
use crate::error::NodeError;
use crate::frame::{self, Out, WireReason};
use crate::message::{Delivering, Entry, RemoteActor, SenderEntry, Wire, short_name};
use crate::remote_ref::RemoteRef;

/// How many ended slots' reasons a node keeps.
const ENDED_KEPT: usize = 1024;

/// The actors this node serves.
#[derive(Default)]
pub(crate) struct Served {
    slots: IdMap<u64, Slot>,
    names: HashMap<String, u64>,
    by_actor: HashMap<ActorId, u64>,
    /// The slots that ended: whose actor, and how it ended, encoded (for an
    /// interest that comes late, or a ref that comes home): the last
    /// [`ENDED_KEPT`], oldest first in `ended_order`. An interest in a slot
    /// older than that hears it ended, for an unknown reason.
    ended: HashMap<u64, (ActorId, Vec<u8>)>,
    ended_order: VecDeque<u64>,
    next_slot: u64,
}

struct Slot {
    /// The way into the actor's mailbox.
    path: Arc<Path>,
    /// The `ActorRef<A>` once the actor itself is exported (not only
    /// senders to it), for a ref that comes home.
    actor: Option<Box<dyn Any + Send + Sync>>,
    /// How each wire id is served: the actor's remote messages, and the
    /// message of each sender to it that was exported. Shared with the
    /// path, which reads it only for a wire id it has not seen.
    entries: Entries,
    /// What a lookup of one of its names answers (once the actor is exported).
    offer: Option<Offer>,
    /// Nodes to tell when the actor ends.
    interested: HashSet<u64>,
    names: Vec<String>,
    /// Dropped with the slot (the node closes): the task that waits for the
    /// actor's end lets go of it.
    _release: tokio::sync::oneshot::Sender<()>,
}

/// Resolves when the served actor ends.
type Ending = Pin<Box<dyn Future<Output = StopReason> + Send>>;

type Entries = Arc<Mutex<IdMap<u64, Arc<dyn Entry>>>>;

/// The way into one served actor's mailbox, shared by the inbox (which
/// delivers while it can do so without waiting) and the slot's forwarder
/// (which takes over while it cannot).
struct Path {
    actor: ActorId,
    slot: u64,
    /// Locked by the inbox around the whole of one request (deciding which
    /// way it goes, decoding and delivering it) and by the forwarder once
    /// per request it has finished. Nothing else is locked before it.
    state: Mutex<PathState>,
    /// To the forwarder (in order).
    queue: mpsc::UnboundedSender<Queued>,
    /// Wakes the forwarder to return the credits the inbox owes.
    idle: Arc<Notify>,
    shared: Entries,
}

#[derive(Default)]
struct PathState {
    /// Requests handed to the forwarder that have not left the path yet
    /// (into the mailbox, or refused): while there are any, every new
    /// request goes behind them.
    queued: usize,
    /// Credits owed to each sending node, for requests that have left the
    /// path: returned by the batch, or by the forwarder `IDLE_WAIT` after
    /// enough are owed to be worth a frame (what stays owed is far below
    /// the window, so no sender waits for it).
    owed: IdMap<u64, u32>,
    /// The entries used so far: the shared map is read (locked) only for a
    /// wire id seen for the first time.
    entries: IdMap<u64, Arc<dyn Entry>>,
}

/// Decodes a request for `actor` and puts it into the mailbox if there is
/// room now: `None` once it has left the path (in the mailbox, or not
/// decoded and answered so), else what finishes its delivery.
fn serve_one(
    node: &Arc<NodeInner>,
    actor: ActorId,
    entry: Option<&Arc<dyn Entry>>,
    from: u64,
    wire_id: u64,
    ask: Option<u64>,
    payload: &[u8],
) -> Option<Delivering> {
    match entry.map(|entry| entry.serve(node, payload, ask.map(|corr| (from, corr)))) {
        Some(Ok(delivering)) => return delivering,
        Some(Err(e)) => tracing::warn!(actor = %actor, error = %e, "tractor-remote: a message did not decode"),
        None => {
            tracing::warn!(actor = %actor, wire_id = format_args!("{wire_id:#018x}"), "tractor-remote: a message this actor does not take")
        }
    }
    if let Some(corr) = ask {
        // On Zenoh's thread the path queues it for a flush.
        node.send(from, Out::new(frame::REPLY, 9).u64(corr).u8(tractor::__private::decode_code() + 1));
    }
    None
}

/// A request handed to the forwarder.
struct Queued {
    from: u64,
    /// The correlation id of an ask; `None` for a tell.
    ask: Option<u64>,
    work: Work,
}

enum Work {
    /// Came while others were queued: still to decode.
    Encoded { wire_id: u64, payload: Vec<u8> },
    /// The inbox found the mailbox full (or the actor stopped): decoded,
    /// and held here until there is room.
    Started(Delivering),
}

impl Path {
    /// The entry for `wire_id`.
    fn entry<'s>(&self, state: &'s mut PathState, wire_id: u64) -> Option<&'s Arc<dyn Entry>> {
        match state.entries.entry(wire_id) {
            std::collections::hash_map::Entry::Occupied(known) => Some(known.into_mut()),
            std::collections::hash_map::Entry::Vacant(new) => {
                Some(new.insert(lock(&self.shared).get(&wire_id)?.clone()))
            }
        }
    }

    /// One request from `from` has left the path: its credit is owed.
    fn settled(state: &mut PathState, from: u64) -> Settled {
        let count = state.owed.entry(from).or_insert(0);
        *count += 1;
        match *count {
            CREDIT_BATCH.. => Settled::Return(state.owed.drain().collect()),
            IDLE_CREDIT => Settled::Soon,
            _ => Settled::Owed,
        }
    }
}

/// What to do about the credits owed after a request has left the path.
enum Settled {
    /// Return these now.
    Return(Vec<(u64, u32)>),
    /// Enough are owed to be worth a frame: return them within `IDLE_WAIT`.
    Soon,
    /// Keep them for now.
    Owed,
}

/// What a node answers a lookup with: where the actor is and what it speaks.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Offer {
    node: u64,
    slot: u64,
    actor: String,
    messages: Vec<Fingerprint>,
}

/// One message's fingerprint: what the schema handshake compares.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct Fingerprint {
    name: String,
    wire_id: u64,
    shape: String,
}

impl Offer {
    fn of<A: RemoteActor>(node: u64, slot: u64) -> Self {
        Offer {
            node,
            slot,
            actor: short_name(type_name::<A>()).to_owned(),
            messages: A::messages()
                .iter()
                .map(|e| Fingerprint { name: e.name.to_owned(), wire_id: e.wire_id, shape: e.shape.to_owned() })
                .collect(),
        }
    }

    /// Compares the offer with this build's `A`: the first difference, named.
    fn check<A: RemoteActor>(&self, name: &str) -> Result<(), NodeError> {
        let here = short_name(type_name::<A>());
        if self.actor != here {
            return Err(NodeError::schema(format!(
                "`{name}` is served by an actor `{}` there, not `{here}`",
                self.actor
            )));
        }
        for entry in A::messages() {
            match self.messages.iter().find(|m| m.name == entry.name) {
                None => {
                    return Err(NodeError::schema(format!(
                        "actor `{here}` (served as `{name}`) does not take message `{}` on the other node: it runs \
                         another version of the actor",
                        entry.name
                    )));
                }
                Some(there) if there.wire_id != entry.wire_id || there.shape != entry.shape => {
                    return Err(NodeError::schema(format!(
                        "message `{}` of actor `{here}` (served as `{name}`) differs between the nodes: here `{}` \
                         (wire id {:#018x}), there `{}` (wire id {:#018x})",
                        entry.name, entry.shape, entry.wire_id, there.shape, there.wire_id
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// A fingerprint of `A`'s whole schema, carried with every ref to an `A`
/// inside a message, so a ref cannot arrive as the wrong version.
pub(crate) fn schema_hash<A: RemoteActor>() -> u64 {
    let mut entries: Vec<(u64, &str)> = A::messages().iter().map(|e| (e.wire_id, e.shape)).collect();
    entries.sort_unstable();
    let mut text = String::from(short_name(type_name::<A>()));
    for (id, shape) in entries {
        text.push_str(&format!(";{id:x}:{shape}"));
    }
    crate::message::wire_id(&text)
}

impl NodeInner {
    pub(crate) async fn serve<A: RemoteActor>(
        self: &Arc<Self>,
        name: &str,
        actor: &ActorRef<A>,
    ) -> Result<(), NodeError> {
        if self.is_closed() {
            return Err(NodeError::closed());
        }
        if !actor.is_alive() {
            return Err(NodeError::stopped(name));
        }
        let taken = |served: &Served| served.names.get(name).is_some_and(|s| served.slots.contains_key(s));
        // Checked before the actor is exported, so a refused serve holds nothing.
        if taken(&lock(&self.served)) {
            return Err(NodeError::name_taken(name));
        }
        let slot = self.export(actor);
        let mut served = lock(&self.served);
        if taken(&served) {
            return Err(NodeError::name_taken(name));
        }
        if !served.slots.contains_key(&slot) {
            // It stopped meanwhile.
            return Err(NodeError::stopped(name));
        }
        served.names.insert(name.to_owned(), slot);
        if let Some(s) = served.slots.get_mut(&slot) {
            s.names.push(name.to_owned());
        }
        Ok(())
    }

    pub(crate) fn unserve(&self, name: &str) -> bool {
        let mut served = lock(&self.served);
        let Some(slot) = served.names.remove(name) else { return false };
        if let Some(s) = served.slots.get_mut(&slot) {
            s.names.retain(|n| n != name);
        }
        true
    }

    /// Stops serving everything (the node is closing).
    pub(crate) fn stop_serving(&self) {
        let mut served = lock(&self.served);
        served.slots.clear();
        served.names.clear();
        served.by_actor.clear();
    }

    /// The slot of `actor`, served from now on if it was not.
    pub(crate) fn export<A: RemoteActor>(self: &Arc<Self>, actor: &ActorRef<A>) -> u64 {
        let mut served = lock(&self.served);
        let slot = self.slot_of(&mut served, actor.id(), || {
            let watched = actor.clone();
            Box::pin(async move { watched.wait().await })
        });
        let Some(s) = served.slots.get_mut(&slot) else { return slot };
        if s.actor.is_none() {
            let mut entries = lock(&s.entries);
            for e in A::messages() {
                entries.insert(e.wire_id, (e.entry)(actor));
            }
            drop(entries);
            s.actor = Some(Box::new(actor.clone()));
            s.offer = Some(Offer::of::<A>(self.id, slot));
        }
        slot
    }

    /// The slot of the actor behind `sender` and the wire id its message
    /// takes there, served from now on if it was not.
    pub(crate) fn export_sender<M: Wire, R: Wire>(self: &Arc<Self>, sender: &Sender<M, R>) -> (u64, u64) {
        // By the full type names: only this node reads it back, and two
        // messages of one actor may share the names without paths (which
        // the check on arrival, `sender_wire_id`, compares).
        let wire_id = crate::message::wire_id(type_name::<Sender<M, R>>());
        let mut served = lock(&self.served);
        let slot = self.slot_of(&mut served, sender.id(), || {
            let watched = sender.clone();
            Box::pin(async move { tractor::__private::sender_wait(&watched).await })
        });
        if let Some(s) = served.slots.get(&slot) {
            lock(&s.entries).entry(wire_id).or_insert_with(|| Arc::new(SenderEntry { sender: sender.clone() }));
        }
        (slot, wire_id)
    }

    /// The slot of actor `id`, made (with its forwarder, and a task that
    /// waits for the actor's end with `wait`) if there is none.
    fn slot_of(self: &Arc<Self>, served: &mut Served, id: ActorId, wait: impl FnOnce() -> Ending) -> u64 {
        if let Some(slot) = served.by_actor.get(&id) {
            return *slot;
        }
        served.next_slot += 1;
        let slot = served.next_slot;
        if self.is_closed() {
            // Serves nothing more (checked under `served`, which the close
            // clears after it is marked): a slot no one has, as if ended.
            return slot;
        }
        let (queue, rx) = mpsc::unbounded_channel();
        let entries = Entries::default();
        let idle = Arc::new(Notify::new());
        let path = Arc::new(Path {
            actor: id,
            slot,
            state: Mutex::default(),
            queue,
            idle: idle.clone(),
            shared: entries.clone(),
        });
        self.tokio.spawn(forward(Arc::downgrade(self), Arc::downgrade(&path), id, slot, entries.clone(), idle, rx));
        let weak = Arc::downgrade(self);
        let ending = wait();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        self.tokio.spawn(async move {
            let reason = tokio::select! {
                reason = ending => reason,
                // No longer served: the actor may end as its refs go.
                _ = released => return,
            };
            if let Some(node) = weak.upgrade() {
                node.slot_ended(slot, WireReason::of(&reason));
            }
        });
        served.slots.insert(
            slot,
            Slot {
                path,
                actor: None,
                entries,
                offer: None,
                interested: HashSet::new(),
                names: Vec::new(),
                _release: release,
            },
        );
        served.by_actor.insert(id, slot);
        slot
    }

    /// The local actor in `slot`, if it is an `A` and still served.
    pub(crate) fn local_ref<A: RemoteActor>(&self, slot: u64) -> Option<ActorRef<A>> {
        lock(&self.served).slots.get(&slot)?.actor.as_ref()?.downcast_ref::<ActorRef<A>>().cloned()
    }

    /// The local sender for wire id `wire_id` of the actor in `slot`, if it
    /// takes an `M` with reply `R` and is still served.
    pub(crate) fn local_sender<M: Wire, R: Wire>(&self, slot: u64, wire_id: u64) -> Option<Sender<M, R>> {
        let entry = lock(&lock(&self.served).slots.get(&slot)?.entries).get(&wire_id)?.clone();
        entry.local().downcast::<Sender<M, R>>().ok().map(|s| *s)
    }

    /// How `slot` ended, if it has and this node remembers it: the actor's
    /// id and stop reason.
    pub(crate) fn ended_slot(&self, slot: u64) -> Option<(ActorId, StopReason)> {
        let served = lock(&self.served);
        let (id, reason) = served.ended.get(&slot)?;
        Some((*id, postcard::from_bytes::<WireReason>(reason).unwrap_or(WireReason::Unknown).into_reason()))
    }

    fn slot_ended(&self, slot: u64, reason: WireReason) {
        let (interested, reason) = {
            let mut served = lock(&self.served);
            let Some(ended) = served.slots.remove(&slot) else { return };
            for name in &ended.names {
                served.names.remove(name);
            }
            served.by_actor.retain(|_, s| *s != slot);
            if served.ended_order.len() == ENDED_KEPT
                && let Some(oldest) = served.ended_order.pop_front()
            {
                served.ended.remove(&oldest);
            }
            served.ended_order.push_back(slot);
            let reason = postcard::to_allocvec(&reason).unwrap_or_default();
            served.ended.insert(slot, (ended.path.actor, reason.clone()));
            (ended.interested, reason)
        };
        for node in interested {
            self.send(node, Out::new(frame::DOWN, 8 + reason.len()).u64(slot).bytes(&reason));
        }
    }

    /// Node `from` holds a ref to `slot`: tell it when the actor ends (now,
    /// if it has).
    pub(crate) fn interest(self: &Arc<Self>, from: u64, slot: u64) {
        let ended = {
            let mut served = lock(&self.served);
            match served.slots.get_mut(&slot) {
                Some(s) => {
                    s.interested.insert(from);
                    None
                }
                None => Some(match served.ended.get(&slot) {
                    Some((_, reason)) => reason.clone(),
                    None => postcard::to_allocvec(&WireReason::Unknown).unwrap_or_default(),
                }),
            }
        };
        if let Some(reason) = ended {
            self.send(from, Out::new(frame::DOWN, 8 + reason.len()).u64(slot).bytes(&reason));
        }
    }

    /// `node` is lost: no one there to tell.
    pub(crate) fn forget_node(&self, node: u64) {
        for slot in lock(&self.served).slots.values_mut() {
            slot.interested.remove(&node);
        }
    }

    /// A request from the inbox (on Zenoh's receive path: nothing here
    /// waits): into the mailbox if it has room and the forwarder has nothing
    /// queued, else behind what the forwarder has; refused if the slot is
    /// not served.
    pub(crate) fn request(self: &Arc<Self>, from: u64, slot: u64, wire_id: u64, ask: Option<u64>, payload: &[u8]) {
        let path = lock(&self.served).slots.get(&slot).map(|s| s.path.clone());
        let Some(path) = path else {
            if let Some(corr) = ask {
                let code = tractor::__private::stopped_code();
                self.send(from, Out::new(frame::REPLY, 9).u64(corr).u8(code + 1));
            }
            return;
        };
        let mut state = lock(&path.state);
        let work = if state.queued > 0 {
            Work::Encoded { wire_id, payload: payload.to_vec() }
        } else {
            let entry = path.entry(&mut state, wire_id);
            match serve_one(self, path.actor, entry, from, wire_id, ask, payload) {
                Some(delivering) => Work::Started(delivering),
                None => {
                    let settled = Path::settled(&mut state, from);
                    drop(state);
                    match settled {
                        Settled::Return(credits) => self.return_credits(path.slot, credits),
                        // The forwarder returns them soon.
                        Settled::Soon => path.idle.notify_one(),
                        Settled::Owed => {}
                    }
                    return;
                }
            }
        };
        match path.queue.send(Queued { from, ask, work }) {
            Ok(()) => state.queued += 1,
            // The forwarder has ended (the node is going): a message held
            // in it is dropped in a task, as its reply may be put.
            Err(mpsc::error::SendError(queued)) => drop(self.tokio.spawn(async move { drop(queued) })),
        }
    }

    /// Returns `credits` for `slot` to the nodes they are owed to (from
    /// Zenoh's thread, each path queues them for a flush).
    fn return_credits(&self, slot: u64, credits: Vec<(u64, u32)>) {
        for (to, count) in credits {
            self.send(to, Out::new(frame::CREDIT, 12).u64(slot).u32(count));
        }
    }

    pub(crate) fn send_reply(&self, to: u64, corr: u64, reply: Result<Vec<u8>, tractor::Error>) {
        match reply {
            Ok(bytes) => self.send(to, Out::new(frame::REPLY, 9 + bytes.len()).u64(corr).u8(0).bytes(&bytes)),
            Err(e) => self.send_error(to, corr, tractor::__private::error_code(&e)),
        }
    }

    fn send_error(&self, to: u64, corr: u64, code: u8) {
        self.send(to, Out::new(frame::REPLY, 9).u64(corr).u8(code + 1));
    }

    /// The queryable that answers lookups of the names this node serves.
    pub(super) async fn declare_names(self: &Arc<Self>) -> Result<zenoh::query::Queryable<()>, NodeError> {
        let weak = Arc::downgrade(self);
        let prefix = self.key("name/");
        self.session
            .declare_queryable(self.key("name/*"))
            .callback(move |query| {
                let Some(node) = weak.upgrade() else { return };
                let Some(name) = query.key_expr().as_str().strip_prefix(&prefix) else { return };
                let offer = {
                    let served = lock(&node.served);
                    served.names.get(name).and_then(|slot| served.slots.get(slot)).and_then(|s| s.offer.clone())
                };
                let Some(offer) = offer else { return };
                let Ok(bytes) = postcard::to_allocvec(&offer) else { return };
                // Replying may wait on the link: not on Zenoh's thread.
                node.tokio.spawn(async move {
                    let key = query.key_expr().clone();
                    let _ = query.reply(key, bytes).await;
                });
            })
            .await
            .map_err(|e| NodeError::zenoh("cannot declare the name queryable", e))
    }

    pub(crate) async fn lookup<A: RemoteActor>(self: &Arc<Self>, name: &str) -> Result<RemoteRef<A>, NodeError> {
        if self.is_closed() {
            return Err(NodeError::closed());
        }
        let local = {
            let served = lock(&self.served);
            served.names.get(name).and_then(|slot| served.slots.get(slot)).and_then(|s| s.offer.clone())
        };
        if let Some(offer) = local {
            offer.check::<A>(name)?;
            if let Some(actor) = self.local_ref::<A>(offer.slot) {
                return Ok(RemoteRef::from(actor));
            }
        }
        let replies = self
            .session
            .get(self.key(&format!("name/{name}")))
            .timeout(self.settings.lookup_timeout)
            .await
            .map_err(|e| NodeError::zenoh("cannot query the name", e))?;
        while let Ok(reply) = replies.recv_async().await {
            let Ok(sample) = reply.result() else { continue };
            let Ok(offer) = postcard::from_bytes::<Offer>(&sample.payload().to_bytes()) else { continue };
            if offer.node == self.id || lock(&self.lost).contains(&offer.node) {
                continue;
            }
            offer.check::<A>(name)?;
            return Ok(RemoteRef::remote(self.target::<A>(offer.node, offer.slot)));
        }
        Err(NodeError::not_found(name))
    }
}

/// Delivers the requests the inbox of `slot` handed over, in order; and
/// returns the credits the inbox owes when it goes idle.
async fn forward(
    node: Weak<NodeInner>,
    path: Weak<Path>,
    actor: ActorId,
    slot: u64,
    shared: Entries,
    idle: Arc<Notify>,
    mut rx: mpsc::UnboundedReceiver<Queued>,
) {
    // The entries this forwarder has used: the shared map is read (locked)
    // only for a wire id seen for the first time.
    let mut entries: IdMap<u64, Arc<dyn Entry>> = IdMap::default();
    // When to return the credits owed, once `IDLE_CREDIT` are.
    let flush = tokio::time::sleep(IDLE_WAIT);
    tokio::pin!(flush);
    let mut armed = false;
    loop {
        let queued = tokio::select! {
            biased;
            queued = rx.recv() => queued,
            () = &mut flush, if armed => {
                armed = false;
                let (Some(node), Some(path)) = (node.upgrade(), path.upgrade()) else { return };
                let credits: Vec<(u64, u32)> = {
                    let mut state = lock(&path.state);
                    let worth = state.owed.values().any(|&count| count >= IDLE_CREDIT);
                    if worth { state.owed.drain().collect() } else { Vec::new() }
                };
                node.return_credits(slot, credits);
                continue;
            }
            () = idle.notified(), if !armed => {
                flush.as_mut().reset(tokio::time::Instant::now() + IDLE_WAIT);
                armed = true;
                continue;
            }
        };
        let Some(Queued { from, ask, work }) = queued else { return };
        let Some(node) = node.upgrade() else { return };
        let delivering = match work {
            Work::Started(delivering) => Some(delivering),
            Work::Encoded { wire_id, payload } => {
                if !entries.contains_key(&wire_id)
                    && let Some(entry) = lock(&shared).get(&wire_id)
                {
                    entries.insert(wire_id, entry.clone());
                }
                serve_one(&node, actor, entries.get(&wire_id), from, wire_id, ask, &payload)
            }
        };
        // A refused ask has had its answer (`is_stopped`) from its slot.
        if let Some(delivering) = delivering {
            drop(delivering.await);
        }
        // Out of the path (the slot is gone once the actor has ended).
        let Some(path) = path.upgrade() else { continue };
        let settled = {
            let mut state = lock(&path.state);
            state.queued -= 1;
            Path::settled(&mut state, from)
        };
        match settled {
            Settled::Return(credits) => node.return_credits(slot, credits),
            Settled::Soon if !armed => {
                flush.as_mut().reset(tokio::time::Instant::now() + IDLE_WAIT);
                armed = true;
            }
            Settled::Soon | Settled::Owed => {}
        }
    }
}
