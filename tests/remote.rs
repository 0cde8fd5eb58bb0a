//! Remote actors (`tractor-remote`) between real OS processes on loopback.
//!
//! The other node is this test binary run again (`Peer::start`): with
//! `TRACTOR_REMOTE_ROLE` set it runs only `zz_other_node`, which serves the
//! actors below on its own node and prints `@@ready`, then lives until its
//! stdin closes (the parent dropped it) or it is killed. Every node listens
//! and connects on 127.0.0.1 only, with multicast scouting off (the
//! builder's default); every wait is bounded.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::within;
use tokio::sync::mpsc;
use tractor::prelude::*;
use tractor_remote::{Node, RemoteRef, RemoteSender};

const ROLE: &str = "TRACTOR_REMOTE_ROLE";
const LISTEN: &str = "TRACTOR_REMOTE_LISTEN";
const CONNECT: &str = "TRACTOR_REMOTE_CONNECT";

// ---- the actors both sides know ----------------------------------------

#[derive(Actor, Default)]
pub struct Counter {
    count: i64,
}

#[actor(remote)]
impl Counter {
    #[message]
    pub fn increment(&mut self, by: i64) {
        self.count += by;
    }

    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }

    /// Never answers.
    #[message]
    pub async fn hang(&self) {
        std::future::pending::<()>().await
    }

    #[message]
    pub fn stop_now(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    #[message]
    pub fn boom(&self) {
        panic!("boom on purpose")
    }
}

/// Records what it is told, in order.
#[derive(Actor, Default)]
pub struct Log {
    seen: Vec<u32>,
}

#[actor(remote)]
impl Log {
    #[message]
    pub fn push(&mut self, n: u32) {
        self.seen.push(n);
    }

    #[message]
    pub fn seen(&self) -> Vec<u32> {
        self.seen.clone()
    }

    /// Records `n` too, and answers how many it has recorded.
    #[message]
    pub fn push_ask(&mut self, n: u32) -> usize {
        self.seen.push(n);
        self.seen.len()
    }

    /// Sleeps `ms` milliseconds, so its mailbox fills meanwhile.
    #[message]
    pub async fn nap(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// Uses a ref it is sent.
#[derive(Actor, Default)]
pub struct Relay;

#[actor(remote)]
impl Relay {
    /// Tells `to` to add `by`, then asks it for its count.
    #[message]
    pub async fn bump(&self, to: RemoteRef<Counter>, by: i64) -> Result<i64, String> {
        to.increment(by).tell().await.map_err(|e| e.to_string())?;
        to.get().await.map_err(|e| e.to_string())
    }
}

/// Adds up the `Push`es it is told: not a remote actor, reached from other
/// nodes only through a `Sender<Push, ()>`.
#[derive(Actor, Default)]
pub struct Tally {
    total: u32,
}

impl Message<Tally> for Push {
    type Reply = ();
    async fn handle(self, tally: &mut Tally, _: &mut Context<Tally>) {
        tally.total += self.n;
    }
}

#[actor]
impl Tally {
    #[message]
    pub fn total(&self) -> u32 {
        self.total
    }
}

/// Says which `Push`es it is told, as they come: not a remote actor.
pub struct Bell {
    rung: mpsc::UnboundedSender<u32>,
}

impl Actor for Bell {}

impl Message<Bell> for Push {
    type Reply = ();
    async fn handle(self, bell: &mut Bell, _: &mut Context<Bell>) {
        let _ = bell.rung.send(self.n);
    }
}

/// Tells through a remote ref, then works without yielding its thread (as
/// a handler that computes does): not a remote actor.
pub struct Busy {
    rings: mpsc::UnboundedReceiver<u32>,
}

impl Actor for Busy {}

#[actor]
impl Busy {
    /// Has `post` tell `n` back to `to`, then spins (up to 3 s) until `n`
    /// rings: whether it did while this handler still ran.
    #[message]
    pub async fn tell_then_work(&mut self, post: RemoteRef<Post>, to: RemoteSender<Push, ()>, n: u32) -> bool {
        if post.pass(to, n).tell().await.is_err() {
            return false;
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            if self.rings.try_recv() == Ok(n) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }
}

/// Two messages named alike, in two modules.
pub mod first {
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct Note {
        pub n: u32,
    }
}

/// See [`first`].
pub mod second {
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct Note {
        pub n: u32,
    }
}

/// Adds up each kind of `Note` on its own: not a remote actor, reached
/// only through senders.
#[derive(Actor, Default)]
pub struct Pad {
    firsts: u32,
    seconds: u32,
}

impl Message<Pad> for first::Note {
    type Reply = ();
    async fn handle(self, pad: &mut Pad, _: &mut Context<Pad>) {
        pad.firsts += self.n;
    }
}

impl Message<Pad> for second::Note {
    type Reply = ();
    async fn handle(self, pad: &mut Pad, _: &mut Context<Pad>) {
        pad.seconds += self.n;
    }
}

#[actor]
impl Pad {
    #[message]
    pub fn sums(&self) -> (u32, u32) {
        (self.firsts, self.seconds)
    }
}

/// Uses the senders it is sent.
#[derive(Actor, Default)]
pub struct Post {
    held: Option<(RemoteRef<Log>, RemoteSender<Push, ()>)>,
}

#[actor(remote)]
impl Post {
    /// Tells `Push { n }` through `to`, then asks `seen` and returns its reply.
    #[message]
    pub async fn deliver(
        &self,
        to: RemoteSender<Push, ()>,
        n: u32,
        seen: RemoteSender<Seen, Vec<u32>>,
    ) -> Result<Vec<u32>, String> {
        to.tell(Push { n }).await.map_err(|e| e.to_string())?;
        seen.ask(Seen).await.map_err(|e| e.to_string())
    }

    /// Tells `Push { n }` through `to`, and nothing more.
    #[message]
    pub async fn pass(&self, to: RemoteSender<Push, ()>, n: u32) {
        let _ = to.tell(Push { n }).await;
    }

    /// Waits until the actor behind `to` stops: whether it stopped normally,
    /// and whether a tell then fails as stopped.
    #[message]
    pub async fn outlive(&self, to: RemoteSender<Push, ()>) -> (bool, bool) {
        let normal = to.wait().await.is_normal();
        let refused = to.tell(Push { n: 1 }).await.is_err_and(|e| e.is_stopped());
        (normal, refused)
    }

    /// Asks `Note { n: first }` through `one`, then `Note { n: second }`
    /// through `two` (asks: both are handled when it returns).
    #[message]
    pub async fn notes(
        &self,
        one: RemoteSender<first::Note, ()>,
        first: u32,
        two: RemoteSender<second::Note, ()>,
        second: u32,
    ) -> Result<(), String> {
        one.ask(first::Note { n: first }).await.map_err(|e| e.to_string())?;
        two.ask(second::Note { n: second }).await.map_err(|e| e.to_string())
    }

    /// Keeps a ref and a sender, for `give_back`.
    #[message]
    pub fn hold(&mut self, log: RemoteRef<Log>, to: RemoteSender<Push, ()>) {
        self.held = Some((log, to));
    }

    #[message]
    pub fn give_back(&mut self) -> Option<(RemoteRef<Log>, RemoteSender<Push, ()>)> {
        self.held.take()
    }

    /// Sends `to` back where it came from.
    #[message]
    pub fn echo(&self, to: RemoteSender<Push, ()>) -> RemoteSender<Push, ()> {
        to
    }

    /// Tells `0..count` to one log three ways in turn: its ref, a sender
    /// made from that ref here, and `via` (a sender the asker exported);
    /// then asks it what it has seen (on the same path, so after them all).
    #[message]
    pub async fn interleave(
        &self,
        log: RemoteRef<Log>,
        via: RemoteSender<Push, ()>,
        count: u32,
    ) -> Result<Vec<u32>, String> {
        let from_ref = RemoteSender::<Push, ()>::from(&log);
        for n in 0..count {
            let sent = match n % 3 {
                0 => log.push(n).tell().await,
                1 => from_ref.tell(Push { n }).await,
                _ => via.tell(Push { n }).await,
            };
            sent.map_err(|e| e.to_string())?;
        }
        log.seen().await.map_err(|e| e.to_string())
    }
}

/// Holds a sender inside a type of its own (so the schema sees `Holder`,
/// not the sender's types: only the sender's own check can tell).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Holder {
    pub to: RemoteSender<Push, ()>,
}

#[derive(Actor, Default)]
pub struct Keeper;

#[actor(remote)]
impl Keeper {
    #[message]
    pub fn keep(&self, holder: Holder) -> bool {
        holder.to.is_alive()
    }
}

/// Encodes fine unless it is 13, which decodes to an error, or 14, which
/// does not even encode; 15 panics when it is decoded.
pub struct Fragile(u8);

impl serde::Serialize for Fragile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == 14 {
            return Err(serde::ser::Error::custom("14 does not encode"));
        }
        s.serialize_u8(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Fragile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u8::deserialize(d)? {
            13 => Err(serde::de::Error::custom("13 does not decode")),
            15 => panic!("15 panics on purpose as it is decoded"),
            n => Ok(Fragile(n)),
        }
    }
}

#[derive(Actor, Default)]
pub struct Picky;

#[actor(remote)]
impl Picky {
    #[message]
    pub fn take(&self, value: Fragile) -> u8 {
        value.0
    }
}

/// Another build's `Counter`: `get` replies with a `String`.
mod v2 {
    use tractor::prelude::*;

    #[derive(Actor, Default)]
    pub struct Counter;

    #[actor(remote)]
    impl Counter {
        #[message]
        pub fn increment(&mut self, by: i64) {
            let _ = by;
        }

        #[message]
        pub fn get(&self) -> String {
            "v2".into()
        }
    }

    /// Another build's `Holder`: its sender's reply is a `u8`.
    #[derive(serde::Serialize, serde::Deserialize)]
    pub struct Holder {
        pub to: tractor_remote::RemoteSender<super::Push, u8>,
    }

    #[derive(Actor, Default)]
    pub struct Keeper;

    #[actor(remote)]
    impl Keeper {
        #[message]
        pub fn keep(&self, holder: Holder) -> bool {
            holder.to.is_alive()
        }
    }
}

/// Forwards every `on_down` it gets.
struct Watcher {
    downs: mpsc::UnboundedSender<Down>,
}

impl Actor for Watcher {
    async fn on_down(&mut self, _: &mut Context<Self>, down: Down) -> ControlFlow {
        let _ = self.downs.send(down);
        ControlFlow::Continue
    }
}

#[actor]
impl Watcher {
    #[message]
    pub fn watch(&mut self, ctx: &mut Context<Self>, target: RemoteRef<Counter>) {
        ctx.watch(&target);
    }

    #[message]
    pub fn watch_tally(&mut self, ctx: &mut Context<Self>, target: WeakActorRef<Tally>) {
        ctx.watch(&target);
    }

    #[message]
    pub fn watch_sender(&mut self, ctx: &mut Context<Self>, target: RemoteSender<Increment, ()>) {
        ctx.watch(&target);
    }

    #[message]
    pub fn watch_sender_of(&mut self, ctx: &mut Context<Self>, target: RemoteSender<Push, ()>) {
        ctx.watch(&target);
    }
}

fn watcher(runtime: &Runtime) -> (ActorRef<Watcher>, mpsc::UnboundedReceiver<Down>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (runtime.spawn(Watcher { downs: tx }), rx)
}

// ---- the other node ------------------------------------------------------

/// Not a test: the entry point of the other node (see the module docs). Run
/// without `TRACTOR_REMOTE_ROLE` it returns at once.
#[test]
fn zz_other_node() {
    let Ok(role) = std::env::var(ROLE) else { return };
    let listen = std::env::var(LISTEN).expect("the parent gives an endpoint");
    let connect = std::env::var(CONNECT).unwrap_or_default();
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    tokio.block_on(async move {
        let runtime = Runtime::new();
        let mut builder = Node::builder(&runtime).listen(listen);
        for endpoint in connect.split(',').filter(|e| !e.is_empty()) {
            builder = builder.connect(endpoint);
        }
        let node = builder.build().await.expect("the other node starts");
        for served in role.split('+') {
            match served {
                "counter" => node.serve("counter", &runtime.spawn(Counter::default())).await.unwrap(),
                "log" => node.serve("log", &runtime.spawn(Log::default())).await.unwrap(),
                "relay" => node.serve("relay", &runtime.spawn(Relay)).await.unwrap(),
                "v2" => node.serve("counter", &runtime.spawn(v2::Counter)).await.unwrap(),
                "picky" => node.serve("picky", &runtime.spawn(Picky)).await.unwrap(),
                "post" => node.serve("post", &runtime.spawn(Post::default())).await.unwrap(),
                "keeper-v2" => node.serve("keeper", &runtime.spawn(v2::Keeper)).await.unwrap(),
                // A log with room for four messages, often full.
                "small-log" => {
                    let log = runtime.spawn_with(Log::default(), Mailbox::bounded(4));
                    node.serve("small-log", &log).await.unwrap()
                }
                // A counter with room for one message, for back-pressure.
                "narrow" => {
                    let narrow = runtime.spawn_with(Counter::default(), Mailbox::bounded(1));
                    node.serve("narrow", &narrow).await.unwrap()
                }
                other => panic!("unknown role {other}"),
            }
        }
        println!("@@ready");
        // Until the parent lets go (or 60 s: nothing outlives its test).
        let stdin = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {}
        });
        let _ = tokio::time::timeout(Duration::from_secs(60), stdin).await;
        node.close().await;
    });
    std::process::exit(0);
}

/// A free loopback port (bound, then released for the node to take).
fn free_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("tcp/127.0.0.1:{}", listener.local_addr().unwrap().port())
}

/// The other node's process: killed when dropped.
struct Peer {
    child: Child,
    endpoint: String,
}

impl Peer {
    /// Starts a node serving `role` (`counter+log`, ..) that connects to
    /// `connect`, and waits until it serves.
    async fn start(role: &str, connect: &[&str]) -> Peer {
        let endpoint = free_endpoint();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["zz_other_node", "--exact", "--nocapture", "--test-threads=1"])
            .env(ROLE, role)
            .env(LISTEN, &endpoint)
            .env(CONNECT, connect.join(","))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let ready = tokio::task::spawn_blocking(move || {
            BufReader::new(stdout).lines().map_while(Result::ok).any(|line| line.contains("@@ready"))
        });
        let peer = Peer { child, endpoint };
        assert!(within(ready).await.unwrap(), "the other node exited before serving");
        peer
    }

    /// `kill -9`.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This process's node, listening on a free port.
async fn node(runtime: &Runtime) -> (Node, String) {
    let endpoint = free_endpoint();
    let node = within(Node::builder(runtime).listen(endpoint.clone()).ask_timeout(Duration::from_secs(5)).build())
        .await
        .unwrap();
    (node, endpoint)
}

/// Looks `name` up until some node serves it (the other node's declarations
/// reach this one shortly after it connects).
async fn lookup<A: tractor_remote::RemoteActor>(node: &Node, name: &str) -> RemoteRef<A> {
    within(async {
        loop {
            match node.lookup::<A>(name).await {
                Ok(found) => return found,
                Err(e) if e.is_not_found() => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(e) => panic!("lookup of {name}: {e}"),
            }
        }
    })
    .await
}

// ---- the tests ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tells_and_asks_reach_a_remote_actor_in_the_order_sent() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("counter+log", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let log = lookup::<Log>(&node, "log").await;

    counter.increment(2).tell().await.unwrap();
    counter.increment(3).try_tell().unwrap();
    assert_eq!(within(counter.get()).await.unwrap(), 5);
    assert_eq!(within(counter.ask(Get).timeout(Duration::from_secs(5))).await.unwrap(), 5);

    // Tells and asks interleaved: one ordered path. More than a window
    // (4096): credits come back.
    let mut expected = Vec::new();
    for n in 0..5000u32 {
        if n.is_multiple_of(250) {
            assert_eq!(within(log.seen()).await.unwrap(), expected, "every tell before the ask was handled first");
        } else {
            within(log.push(n).tell()).await.unwrap();
            expected.push(n);
        }
    }
    assert_eq!(within(log.seen()).await.unwrap(), expected);
    assert_eq!(node.puts_missing(), 0);
}

/// The serving node delivers a request itself while the mailbox has room,
/// and hands it to the actor's forwarder when it would have to wait; then
/// everything after it goes through the forwarder until it has caught up.
/// Across those switches (a small mailbox, naps that fill it, bursts of
/// tells and asks in flight together) nothing overtakes, and credits come
/// back on both ways (more than a window's worth is sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_holds_while_the_mailbox_fills_and_drains() {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context as TaskContext, Poll, Waker};

    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("small-log", &[&endpoint]).await;
    let log = lookup::<Log>(&node, "small-log").await;

    type Asked = Pin<Box<dyn Future<Output = Result<usize, tractor::Error>> + Send>>;
    // Asks in flight while the tells go on: each is sent by its first poll.
    let mut asks: Vec<(usize, Asked)> = Vec::new();
    let mut expected = Vec::new();
    let mut n = 0u32;
    for round in 0..32u64 {
        // Full mailbox for a while (or not at all, every fourth round).
        within(log.nap(round % 4).tell()).await.unwrap();
        for _ in 0..(100 + 20 * (round % 5)) {
            if n % 7 == 3 {
                let log = log.clone();
                // Unconstrained: out of tokio's budget, the first poll
                // would yield before sending.
                let mut ask: Asked = Box::pin(tokio::task::unconstrained(async move { log.push_ask(n).await }));
                // (Answered already if this thread was held up long enough.)
                if let Poll::Ready(answer) = ask.as_mut().poll(&mut TaskContext::from_waker(Waker::noop())) {
                    ask = Box::pin(std::future::ready(answer));
                }
                expected.push(n);
                asks.push((expected.len(), ask));
            } else {
                within(log.push(n).tell()).await.unwrap();
                expected.push(n);
            }
            n += 1;
        }
        if round % 3 == 2 {
            // Caught up: the next round starts on an empty path.
            within(log.ask(Seen).timeout(Duration::from_secs(5))).await.unwrap();
        }
    }
    for (place, ask) in asks {
        assert_eq!(within(ask).await.unwrap(), place, "an ask was handled after exactly what was sent before it");
    }
    let seen = within(log.seen()).await.unwrap();
    assert!(seen.len() > 4096, "{}", seen.len());
    assert_eq!(seen, expected, "handled in the order sent");
    assert_eq!(node.puts_missing(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_node_on_a_current_thread_runtime_is_refused_with_a_reason() {
    // Zenoh's own runtime panics there; the builder says why instead.
    let runtime = Runtime::new();
    let err = within(Node::builder(&runtime).build()).await.unwrap_err();
    assert!(err.to_string().contains("multi-thread"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_inside_a_message_arrives_as_a_working_ref() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("relay", &[&endpoint]).await;
    let relay = lookup::<Relay>(&node, "relay").await;

    // A local actor travels to the other node, which tells and asks it back.
    let mine = runtime.spawn(Counter::default());
    assert_eq!(within(relay.bump(RemoteRef::from(&mine), 5)).await.unwrap(), Ok(5));
    assert_eq!(within(mine.get()).await.unwrap(), 5, "the other node reached the local actor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_to_a_third_node_travels_between_two_others() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let holder = Peer::start("counter", &[&endpoint]).await;
    let _user = Peer::start("relay", &[&endpoint, &holder.endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let relay = lookup::<Relay>(&node, "relay").await;

    // The relay's node talks to the counter's node directly.
    assert_eq!(within(relay.bump(counter.clone(), 3)).await.unwrap(), Ok(3));
    assert_eq!(within(counter.get()).await.unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_mismatch_is_reported_by_name_before_anything_is_sent() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("v2", &[&endpoint]).await;
    let err = within(async {
        loop {
            match node.lookup::<Counter>("counter").await {
                Err(e) if e.is_not_found() => tokio::time::sleep(Duration::from_millis(20)).await,
                other => return other.unwrap_err(),
            }
        }
    })
    .await;
    assert!(err.is_schema_mismatch(), "{err}");
    let text = err.to_string();
    assert!(text.contains("`Get`") && text.contains("`Counter`"), "names the message and the actor: {text}");
    assert!(text.contains("->i64") && text.contains("->String"), "says what differs: {text}");
    // The right version is accepted.
    let _ = within(node.lookup::<v2::Counter>("counter")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_errors_read_like_local_ones() {
    let runtime = Runtime::new();
    let endpoint = free_endpoint();
    let node = Node::builder(&runtime)
        .listen(endpoint.clone())
        .ask_timeout(Duration::from_secs(2))
        .lookup_timeout(Duration::from_millis(300))
        .build()
        .await
        .unwrap();
    let _peer = Peer::start("counter+narrow", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let other = lookup::<Counter>(&node, "narrow").await;

    let err = within(other.boom()).await.unwrap_err();
    assert!(err.is_panicked(), "the handler's panic, across nodes: {err}");
    assert_eq!(err.actor_id(), other.id());
    let err = within(counter.hang().timeout(Duration::from_millis(50))).await.unwrap_err();
    assert!(err.is_timeout(), "the request's own timeout: {err}");
    let err = within(counter.hang()).await.unwrap_err();
    assert!(err.is_unreachable(), "no answer within the node's ask timeout: {err}");
    let err = within(node.lookup::<Counter>("nobody")).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_does_not_encode_or_decode_is_a_decode_error() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("picky", &[&endpoint]).await;
    let picky = lookup::<Picky>(&node, "picky").await;
    assert_eq!(within(picky.take(Fragile(7))).await.unwrap(), 7);
    let err = within(picky.take(Fragile(13))).await.unwrap_err();
    assert!(err.is_decode(), "the other node could not decode it: {err}");
    let err = within(picky.take(Fragile(14))).await.unwrap_err();
    assert!(err.is_decode(), "it did not encode here: {err}");
    let refused = picky.take(Fragile(14)).try_tell().unwrap_err();
    assert!(refused.error().is_decode());
    assert_eq!(refused.into_inner().value.0, 14, "handed back");
    // The actor is still there.
    assert_eq!(within(picky.take(Fragile(8))).await.unwrap(), 8);
    // A Deserialize that panics is a decode error too, and the node goes on.
    for _ in 0..2 {
        let err = within(picky.take(Fragile(15))).await.unwrap_err();
        assert!(err.is_decode(), "{err}");
        assert_eq!(within(picky.take(Fragile(9))).await.unwrap(), 9);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_sees_a_remote_actor_stop_and_its_name_vanish() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch(counter.clone())).await.unwrap();

    within(counter.stop_now()).await.unwrap();
    let down = within(downs.recv()).await.unwrap();
    assert_eq!(down.id(), counter.id());
    assert!(down.reason().is_normal(), "{:?}", down.reason());
    assert!(!counter.is_alive());
    assert!(within(counter.get()).await.unwrap_err().is_stopped());
    assert!(within(node.lookup::<Counter>("counter")).await.unwrap_err().is_not_found());
    // Exactly once: nothing more comes (bounded wait for an absence).
    assert!(tokio::time::timeout(Duration::from_millis(200), downs.recv()).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_is_noticed_and_a_new_one_can_serve_again() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let mut peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch(counter.clone())).await.unwrap();
    assert_eq!(within(counter.get()).await.unwrap(), 0);

    // Asks in flight when the node dies: one that would never be answered,
    // and a stream of ordinary ones racing the kill.
    let hanging = tokio::spawn({
        let counter = counter.clone();
        async move { counter.hang().await }
    });
    let racing = tokio::spawn({
        let counter = counter.clone();
        async move {
            let mut outcomes = Vec::new();
            for _ in 0..200 {
                outcomes.push(counter.get().await);
            }
            outcomes
        }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    peer.kill();

    let down = within(downs.recv()).await.unwrap();
    assert_eq!(down.id(), counter.id());
    assert!(down.reason().is_node_lost(), "{:?}", down.reason());
    let err = within(hanging).await.unwrap().unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    for outcome in within(racing).await.unwrap() {
        if let Err(e) = outcome {
            assert!(e.is_unreachable(), "an ask racing the kill fails as unreachable: {e}");
        }
    }
    assert!(within(counter.get()).await.unwrap_err().is_unreachable());
    assert!(within(node.lookup::<Counter>("counter")).await.unwrap_err().is_not_found(), "its names are gone");

    // A node that comes back serves again.
    let _again = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    counter.increment(4).tell().await.unwrap();
    assert_eq!(within(counter.get()).await.unwrap(), 4);
}

/// Gets `narrow` (a one-message mailbox) stuck in `hang` and `try_tell`s
/// until the credit window is used up: the stuck ask, how many were sent,
/// and the refusal.
async fn use_up_the_window(
    narrow: &RemoteRef<Counter>,
) -> (tokio::task::JoinHandle<Result<(), tractor::Error>>, u32, TrySendError<Increment>) {
    let stuck = tokio::spawn({
        let narrow = narrow.clone();
        async move { narrow.hang().await }
    });
    // Stuck for sure once an ask behind the hang gets no answer (it then
    // fills the mailbox).
    within(async { while narrow.get().timeout(Duration::from_millis(100)).await.is_ok() {} }).await;
    let mut sent = 0u32;
    let refused = within(async {
        loop {
            match narrow.increment(1).try_tell() {
                Ok(()) => sent += 1,
                Err(e) => return e,
            }
            if sent.is_multiple_of(512) {
                tokio::task::yield_now().await;
            }
        }
    })
    .await;
    (stuck, sent, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_remote_mailbox_holds_senders_back_through_credits() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("narrow", &[&endpoint]).await;
    let narrow = lookup::<Counter>(&node, "narrow").await;
    // The actor is stuck in `hang`; its one-message mailbox fills, and the
    // window of credits runs out: `try_tell` refuses, handing the message back.
    let (_stuck, sent, refused) = use_up_the_window(&narrow).await;
    assert!(refused.is_full(), "{:?}", refused.error());
    assert_eq!(refused.into_inner().by, 1, "the message is handed back");
    assert!(sent >= 4096 - 8, "the whole window (less the asks) was usable: {sent}");
    // A tell waits for credit instead of failing.
    let waiting = tokio::time::timeout(Duration::from_millis(100), narrow.increment(1).tell()).await;
    assert!(waiting.is_err(), "a tell waits while the window is used up");
    // A sender to the actor shares its window.
    let sender = RemoteSender::<Increment, ()>::from(&narrow);
    assert!(sender.try_tell(Increment { by: 1 }).unwrap_err().is_full());
    let waiting = tokio::time::timeout(Duration::from_millis(100), sender.tell(Increment { by: 1 })).await;
    assert!(waiting.is_err(), "a sender's tell waits too");
}

#[tokio::test]
async fn the_builder_keeps_to_the_sandbox() {
    let runtime = Runtime::new();
    let builder = Node::builder(&runtime).listen("tcp/127.0.0.1:7447").connect("tcp/127.0.0.1:7448");
    let config = builder.to_zenoh_config().unwrap();
    assert_eq!(config.get_json("scouting/multicast/enabled").unwrap(), "false");
    assert_eq!(config.get_json("listen/endpoints").unwrap(), r#"["tcp/127.0.0.1:7447"]"#);
    assert_eq!(config.get_json("connect/endpoints").unwrap(), r#"["tcp/127.0.0.1:7448"]"#);
    let default = Node::builder(&runtime).to_zenoh_config().unwrap();
    assert_eq!(default.get_json("listen/endpoints").unwrap(), r#"["tcp/127.0.0.1:0"]"#, "never tcp/[::]:0");
    assert_eq!(default.get_json("scouting/multicast/enabled").unwrap(), "false");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_node_is_lost_once_its_lease_runs_out() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch(counter.clone())).await.unwrap();
    assert_eq!(within(counter.get()).await.unwrap(), 0);

    // Frozen, not killed: its sockets stay open, only the lease (2 s, the
    // builder's default) can tell.
    let frozen = Command::new("kill").args(["-STOP", &peer.child.id().to_string()]).status().unwrap();
    assert!(frozen.success());
    let started = std::time::Instant::now();
    let asked = tokio::spawn({
        let counter = counter.clone();
        async move { counter.get().await }
    });
    let down = within(downs.recv()).await.unwrap();
    assert!(down.reason().is_node_lost(), "{:?}", down.reason());
    println!("a frozen node was lost after {:?}", started.elapsed());
    assert!(within(asked).await.unwrap().unwrap_err().is_unreachable());
    drop(peer); // kill -9 ends a stopped process too
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_serves_names_it_can_look_up_itself_and_take_back() {
    let runtime = Runtime::new();
    let node = within(Node::builder(&runtime).lookup_timeout(Duration::from_millis(300)).build()).await.unwrap();
    let counter = runtime.spawn(Counter::default());
    within(node.serve("counter", &counter)).await.unwrap();
    let err = within(node.serve("counter", &runtime.spawn(Counter::default()))).await.unwrap_err();
    assert!(err.is_name_taken(), "{err}");

    // A name served here resolves to the local actor: no network in between.
    let found = within(node.lookup::<Counter>("counter")).await.unwrap();
    assert_eq!(found.as_local(), Some(&counter));
    assert_eq!(found.node(), None);
    found.increment(1).tell().await.unwrap();
    assert_eq!(within(found.get()).await.unwrap(), 1);
    let err = within(node.lookup::<Log>("counter")).await.unwrap_err();
    assert!(err.is_schema_mismatch(), "another actor type: {err}");

    assert!(node.unserve("counter"));
    assert!(!node.unserve("counter"));
    assert!(within(node.lookup::<Counter>("counter")).await.unwrap_err().is_not_found());

    let stopped = runtime.spawn(Counter::default());
    within(stopped.stop()).await.unwrap();
    assert!(within(node.serve("late", &stopped)).await.unwrap_err().is_stopped());
    within(node.close()).await;
    assert!(within(node.serve("after", &counter)).await.unwrap_err().is_closed());
}

/// A watch made through a ref that is then dropped still fires, as for a
/// local actor (found by review: the stand-in was freed with the last ref).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_outlives_the_ref_it_was_made_through_when_the_node_is_lost() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let mut peer = Peer::start("counter", &[&endpoint]).await;
    let (watcher, mut downs) = watcher(&runtime);
    {
        let counter = lookup::<Counter>(&node, "counter").await;
        assert_eq!(within(counter.get()).await.unwrap(), 0);
        // The watcher drops its copy once `ctx.watch` returns.
        within(watcher.watch(counter)).await.unwrap();
    }
    peer.kill();
    let down = within(downs.recv()).await.expect("on_down after the node is lost");
    assert!(down.reason().is_node_lost(), "{:?}", down.reason());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_outlives_the_ref_it_was_made_through_when_the_actor_stops() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("counter", &[&endpoint]).await;
    let (watcher, mut downs) = watcher(&runtime);
    let watched_id = {
        let counter = lookup::<Counter>(&node, "counter").await;
        let id = counter.id();
        within(watcher.watch(counter)).await.unwrap();
        id
    };
    let again = lookup::<Counter>(&node, "counter").await;
    assert_eq!(again.id(), watched_id, "one stand-in per remote actor on this node");
    within(again.stop_now()).await.unwrap();
    let down = within(downs.recv()).await.expect("on_down after the actor stops");
    assert_eq!(down.id(), watched_id);
}

/// The window belongs to the remote actor: dropping the refs and looking it
/// up again does not give a fresh 4096 while the first are still queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_credit_window_is_the_actors_not_the_refs() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("narrow", &[&endpoint]).await;
    let narrow = lookup::<Counter>(&node, "narrow").await;
    let (stuck, sent, _) = use_up_the_window(&narrow).await;
    assert!(sent >= 4096 - 8, "{sent}");
    stuck.abort();
    let _ = stuck.await;
    drop(narrow);
    let again = lookup::<Counter>(&node, "narrow").await;
    let more = again.increment(1).try_tell();
    assert!(more.is_err(), "the actor already has a full window on its way, yet a new ref may send another");
}

/// A node frozen past its lease is lost; once it thaws and reconnects, new
/// lookups find it again (the refs that ended stay ended).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thawed_node_can_be_found_again() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch(counter.clone())).await.unwrap();
    let pid = peer.child.id().to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let down = within(downs.recv()).await.unwrap();
    assert!(down.reason().is_node_lost(), "{:?}", down.reason());
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    // `lookup` retries not_found for up to 10 s.
    let found = lookup::<Counter>(&node, "counter").await;
    assert_eq!(within(found.get()).await.unwrap(), 0);
    drop(peer);
}

/// Tells join a batch that goes out with the next put, or when the flush
/// they start runs: a tell that nothing follows is sent all the same, both
/// ways (a tell to the other node, which tells back once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tell_that_nothing_follows_is_sent() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let (rung, mut rings) = mpsc::unbounded_channel();
    let bell = runtime.spawn(Bell { rung });
    let to = RemoteSender::from(&Sender::<Push, ()>::from(&bell));
    for n in 1..=3 {
        within(post.pass(to.clone(), n).tell()).await.unwrap();
        assert_eq!(within(rings.recv()).await, Some(n));
    }
    drop(node);
}

/// Closing a node puts the tells it had queued and waits until the other
/// node has read them: a tell that returned `Ok` before the close arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tells_queued_before_a_close_are_sent() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    // Sent in a burst just before the close, so that the close often finds
    // some of them queued, or put but not yet written by Zenoh.
    for _ in 0..50 {
        within(counter.increment(1).tell()).await.unwrap();
    }
    within(node.close()).await;

    // The close returned once the other node had read the tells: a second
    // node's ask comes after them.
    assert_eq!(count_seen_from_a_new_node(&runtime, &peer).await, 50);
}

/// The count of `peer`'s counter, asked by a new node of this process.
async fn count_seen_from_a_new_node(runtime: &Runtime, peer: &Peer) -> i64 {
    let later =
        within(Node::builder(runtime).listen(free_endpoint()).connect(peer.endpoint.clone()).build()).await.unwrap();
    let counter = lookup::<Counter>(&later, "counter").await;
    within(counter.get()).await.unwrap()
}

/// How long `node.close()` takes. A flush nobody answers makes it wait out
/// its limit (1 s): the tests below assert it took less than half of that.
async fn timed_close(node: &Node) -> Duration {
    let started = std::time::Instant::now();
    within(node.close()).await;
    started.elapsed()
}

/// A closing node's flush is answered even by a node that has sent it
/// nothing yet (a few tells owe no credits back, so that node has no path
/// to this one): the close waits only until the tells are read, not for
/// its one second limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_after_a_few_tells_waits_only_until_they_are_read() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    within(counter.increment(1).tell()).await.unwrap();
    let took = timed_close(&node).await;
    assert!(took < Duration::from_millis(500), "the close took {took:?}: its flush went unanswered");
    assert_eq!(count_seen_from_a_new_node(&runtime, &peer).await, 1);
}

/// A tell that returned `Ok` goes out even while the task that sent it
/// keeps its thread busy (a handler that tells, then computes): the path's
/// flush job must not wait for that task to yield.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tell_goes_out_while_its_sender_keeps_the_thread_busy() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let (rung, rings) = mpsc::unbounded_channel();
    let bell = runtime.spawn(Bell { rung });
    let to = RemoteSender::from(&Sender::<Push, ()>::from(&bell));
    let busy = runtime.spawn(Busy { rings });
    for n in 1..=3 {
        let came_back = within(busy.tell_then_work(post.clone(), to.clone(), n)).await.unwrap();
        assert!(came_back, "tell {n} went out only once its sender yielded");
    }
    drop(node);
}

/// A node holds what it serves while it serves it; once closed, a root
/// actor whose refs are all gone stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_node_lets_go_of_the_actors_it_served() {
    let runtime = Runtime::new();
    let (node, _endpoint) = node(&runtime).await;
    let (watcher, mut downs) = watcher(&runtime);
    let counter = runtime.spawn(Counter::default());
    within(node.serve("counter", &counter)).await.unwrap();
    within(watcher.watch(RemoteRef::from(&counter))).await.unwrap();
    drop(counter);
    within(node.close()).await;
    let down = within(downs.recv()).await.expect("the actor stops once nothing holds it");
    assert!(down.reason().is_normal(), "{:?}", down.reason());
}

// ---- senders inside messages ----------------------------------------------

/// The reply-to pattern: a `Sender` (here to an actor that is not even
/// remote) and a sender with a reply travel to the other node, which uses
/// them; one that comes back is the local sender again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_inside_a_message_arrives_as_a_working_sender() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let tally = runtime.spawn(Tally::default());
    let log = runtime.spawn(Log::default());
    within(log.push(1).tell()).await.unwrap();

    let to: Sender<Push, ()> = Sender::from(&tally);
    let seen = within(post.deliver(RemoteSender::from(&to), 7, RemoteSender::from(&log))).await.unwrap();
    assert_eq!(seen, Ok(vec![1]), "the other node asked the local log through its sender");
    assert_eq!(within(tally.total()).await.unwrap(), 7, "the other node told the local tally");

    let back = within(post.echo(RemoteSender::from(&to))).await.unwrap();
    assert_eq!(back.as_local(), Some(&to), "a sender that comes home is the local sender");
    within(back.tell(Push { n: 1 })).await.unwrap();
    assert_eq!(within(tally.total()).await.unwrap(), 8);

    // The other node learns when the actor behind a sender stops.
    let outlive = tokio::spawn({
        let post = post.clone();
        let to = RemoteSender::from(&to);
        async move { post.outlive(to).await }
    });
    within(tally.stop()).await.unwrap();
    assert_eq!(within(outlive).await.unwrap().unwrap(), (true, true));
}

/// What one node sends to one actor through its ref, a sender made from the
/// ref, and a sender exported by the actor's own node arrives in order:
/// they share one path and one forwarder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refs_and_senders_to_one_actor_keep_one_order() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let log = runtime.spawn_with(Log::default(), Mailbox::bounded(4));
    let via = RemoteSender::<Push, ()>::from(&log);
    let seen = within(post.interleave(RemoteRef::from(&log), via, 3000)).await.unwrap().unwrap();
    assert_eq!(seen, (0..3000).collect::<Vec<u32>>());
}

/// A sender made from a ref into one node, sent to a second, is used there
/// straight to the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_to_a_third_node_travels_between_two_others() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let holder = Peer::start("log", &[&endpoint]).await;
    let _user = Peer::start("post", &[&endpoint, &holder.endpoint]).await;
    let log = lookup::<Log>(&node, "log").await;
    let post = lookup::<Post>(&node, "post").await;
    let seen = within(post.deliver(RemoteSender::from(&log), 5, RemoteSender::from(&log))).await.unwrap();
    assert_eq!(seen, Ok(vec![5]));
    assert_eq!(within(log.seen()).await.unwrap(), vec![5]);
}

/// A sender arriving where its types differ is a decode error, though the
/// schema of the message holding it (deep inside a type) matched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_of_other_types_does_not_decode() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("keeper-v2", &[&endpoint]).await;
    let keeper = lookup::<Keeper>(&node, "keeper").await;
    let tally = runtime.spawn(Tally::default());
    let err = within(keeper.keep(Holder { to: RemoteSender::from(&Sender::from(&tally)) })).await.unwrap_err();
    assert!(err.is_decode(), "{err}");
}

/// A sender is watched like a ref, and fails like one once its node is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_sender_sees_its_node_lost() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let mut peer = Peer::start("counter", &[&endpoint]).await;
    let counter = lookup::<Counter>(&node, "counter").await;
    let sender = RemoteSender::<Increment, ()>::from(&counter);
    assert_eq!(sender.id(), counter.id(), "one stand-in for the actor");
    assert_eq!(sender.node(), counter.node());
    within(sender.ask(Increment { by: 2 })).await.unwrap();
    assert_eq!(within(counter.get()).await.unwrap(), 2);
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch_sender(sender.clone())).await.unwrap();

    peer.kill();
    let down = within(downs.recv()).await.unwrap();
    assert_eq!(down.id(), sender.id());
    assert!(down.reason().is_node_lost(), "{:?}", down.reason());
    assert!(!sender.is_alive());
    assert!(within(sender.ask(Increment { by: 1 })).await.unwrap_err().is_unreachable());
    assert!(within(sender.tell(Increment { by: 1 })).await.unwrap_err().is_unreachable());
}

/// A ref into a node already lost that arrives inside a message is ended,
/// and makes no path to that node (found by review: the path was made and
/// never closed, and a close then waited its one second limit for a flush
/// the lost node could not answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_into_a_lost_node_makes_no_path_to_it() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let mut doomed = Peer::start("log", &[&endpoint]).await;
    let _other = Peer::start("post", &[&endpoint]).await;
    let log = lookup::<Log>(&node, "log").await;
    let post = lookup::<Post>(&node, "post").await;
    within(post.hold(log.clone(), RemoteSender::from(&log))).await.unwrap();
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch_sender_of(RemoteSender::from(&log))).await.unwrap();
    doomed.kill();
    assert!(within(downs.recv()).await.unwrap().reason().is_node_lost());

    let (back, to) = within(post.give_back()).await.unwrap().expect("held");
    assert!(!back.is_alive() && !to.is_alive());
    assert!(within(back.wait()).await.is_node_lost());
    // A flush to the lost node is never answered.
    let took = timed_close(&node).await;
    assert!(took < Duration::from_millis(500), "the close took {took:?}: it waited for the lost node");
}

/// Two senders to one actor whose messages have the same name in two
/// modules (the names a sender is checked by on arrival) are two senders:
/// each message reaches its own handler (found by review: both were served
/// as the first one exported, so the second's messages were decoded as the
/// first's and handled by the wrong handler).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn senders_of_two_messages_named_alike_reach_their_own_handlers() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let pad = runtime.spawn(Pad::default());
    let one = RemoteSender::<first::Note, ()>::from(&pad);
    let two = RemoteSender::<second::Note, ()>::from(&pad);
    within(post.notes(one, 1, two, 100)).await.unwrap().unwrap();
    assert_eq!(within(pad.sums()).await.unwrap(), (1, 100), "each note by its own handler");
}

/// A closed node serves nothing more: a sender encoded into a message after
/// the close (the message then fails to go) does not make the node hold its
/// actor (found by review: it was exported anew, and its actor held
/// forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_node_does_not_take_up_serving_again() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let (watcher, mut downs) = watcher(&runtime);
    let tally = runtime.spawn(Tally::default());
    within(watcher.watch_tally(tally.downgrade())).await.unwrap();
    let to = RemoteSender::from(Sender::<Push, ()>::from(&tally));
    drop(tally);
    within(node.close()).await;
    let err = within(post.echo(to)).await.unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    let down = within(downs.recv()).await.expect("the actor stops once nothing holds it");
    assert!(down.reason().is_normal(), "{:?}", down.reason());
}

/// A ref and a sender that come home after their actor stopped are ended
/// handles with the actor's id and stop reason: not alive, a send fails as
/// stopped, `on_down` comes at once. Nothing is sent anywhere for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_that_comes_home_after_its_actor_stopped_is_ended() {
    let runtime = Runtime::new();
    let (node, endpoint) = node(&runtime).await;
    let _peer = Peer::start("post", &[&endpoint]).await;
    let post = lookup::<Post>(&node, "post").await;
    let log = runtime.spawn(Log::default());
    let (id, gone) = (log.id(), log.clone());
    within(post.hold(RemoteRef::from(&log), RemoteSender::from(&log))).await.unwrap();
    within(log.stop()).await.unwrap();
    drop(log);
    within(gone.wait()).await;
    drop(gone);
    // Until the node has let go of the slot (its end is seen in a task).
    let (back, to) = within(async {
        loop {
            let (back, to) = post.give_back().await.unwrap().expect("held");
            if back.as_local().is_none() {
                return (back, to);
            }
            post.hold(back, to).await.unwrap();
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!((back.id(), to.id()), (id, id), "the actor's own id");
    assert_eq!((back.node(), to.node()), (None, None), "of this node");
    assert!(!back.is_alive() && !to.is_alive());
    assert!(within(back.wait()).await.is_normal());
    assert!(within(back.push(1).tell()).await.unwrap_err().is_stopped());
    assert!(within(to.tell(Push { n: 1 })).await.unwrap_err().is_stopped());
    let (watcher, mut downs) = watcher(&runtime);
    within(watcher.watch_sender_of(to.clone())).await.unwrap();
    assert_eq!(within(downs.recv()).await.unwrap().id(), id);
}
