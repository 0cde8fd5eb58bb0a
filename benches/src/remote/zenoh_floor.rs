//! The raw Zenoh floors: what any remote actor layer on Zenoh 1.x (peer mode,
//! TCP) pays at least, measured with the plain Zenoh API and nothing on top.
//!
//! The peer listens on `tcp/127.0.0.1:P`; the driver listens on
//! `tcp/127.0.0.1:0` and connects to it. Multicast and gossip scouting are off
//! in both (Zenoh's default config turns multicast on), so nothing is sent
//! beyond loopback. Payloads are 32 bytes, made fresh for every message (as a
//! message's encoding would be), with a sequence number in the first 8.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zenoh::handlers::FifoChannelHandler;
use zenoh::key_expr::KeyExpr;
use zenoh::matching::{MatchingListener, MatchingStatus};
use zenoh::qos::{CongestionControl, Priority};
use zenoh::query::ConsolidationMode;
use zenoh::{Config, Session, Wait};

use super::{Driver, Measured, Peer, RemoteSizes, Row};

/// The payload size of every row.
pub(crate) const PAYLOAD: usize = 32;
/// How long the driver waits for one reply or confirmation.
const REPLY_LIMIT: Duration = Duration::from_secs(10);
/// How long the driver waits for the peer to become reachable.
const MATCH_LIMIT: Duration = Duration::from_secs(10);

/// A Zenoh config for this bench: peer mode, multicast and gossip scouting
/// off, listening on exactly `listen` and connecting to exactly `connect`,
/// and no wait in `zenoh::open` for scouting (`scouting/delay` 0: readiness
/// is waited for explicitly, on a matched publisher or querier).
pub(crate) fn config(listen: &str, connect: Option<&str>) -> Result<Config, String> {
    let mut config = Config::default();
    let mut set = |key: &str, value: String| {
        config.insert_json5(key, &value).map_err(|e| format!("zenoh config {key} = {value}: {e}"))
    };
    set("mode", r#""peer""#.to_owned())?;
    set("scouting/multicast/enabled", "false".to_owned())?;
    set("scouting/gossip/enabled", "false".to_owned())?;
    set("scouting/delay", "0".to_owned())?;
    set("listen/endpoints", format!(r#"["{listen}"]"#))?;
    set("connect/endpoints", connect.map_or_else(|| "[]".to_owned(), |c| format!(r#"["{c}"]"#)))?;
    Ok(config)
}

/// The loopback TCP endpoint on `port`.
pub(crate) fn endpoint(port: u16) -> String {
    format!("tcp/127.0.0.1:{port}")
}

/// Opens the peer's session: listening on `127.0.0.1:{peer.port()}`.
pub(crate) fn open_listening(port: u16) -> Result<Session, String> {
    zenoh::open(config(&endpoint(port), None)?).wait().map_err(|e| format!("zenoh::open: {e}"))
}

/// Opens the driver's session: listening on an ephemeral loopback port,
/// connected to the peer's.
pub(crate) fn open_connected(peer_port: u16) -> Result<Session, String> {
    zenoh::open(config(&endpoint(0), Some(&endpoint(peer_port)))?)
        .wait()
        .map_err(|e| format!("zenoh::open (connecting to {}): {e}", endpoint(peer_port)))
}

/// Waits (bounded) until `listener` reports a match, unless `matching` is
/// already true.
fn wait_matched(
    matching: bool,
    listener: &MatchingListener<FifoChannelHandler<MatchingStatus>>,
    what: &str,
) -> Result<(), String> {
    if matching {
        return Ok(());
    }
    let deadline = Instant::now() + MATCH_LIMIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match listener.recv_timeout(left) {
            Ok(Some(status)) if status.matching() => return Ok(()),
            Ok(Some(_)) => continue,
            Ok(None) => return Err(format!("{what}: no match within {MATCH_LIMIT:?}")),
            Err(e) => return Err(format!("{what}: matching listener: {e}")),
        }
    }
}

fn payload(seq: u64) -> Vec<u8> {
    let mut p = vec![0u8; PAYLOAD];
    p[..8].copy_from_slice(&seq.to_le_bytes());
    p
}

fn seq_of(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?))
}

fn zerr(what: &str) -> impl Fn(zenoh::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// A declared publisher putting a stream of payloads (reliable,
/// `CongestionControl::Block`, default priority, not express) to a
/// subscriber in the peer, which counts them.
///
/// Per run the driver says `expect N`, puts N, and stops the clock when the
/// peer answers `got TOTAL` with every message so far counted.
#[derive(Debug)]
pub(crate) struct PutStream;

impl Row for PutStream {
    fn key(&self) -> &'static str {
        "zenoh-put"
    }

    fn label(&self) -> &'static str {
        "Zenoh put stream"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} puts of {PAYLOAD} B on a declared publisher (reliable, `Block`, default priority, not express) to a \
             subscriber callback that counts; op = one message, from the first put to the peer's count",
            sizes.messages
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        let session = open_listening(peer.port())?;
        let count = Arc::new(AtomicU64::new(0));
        let target = Arc::new(AtomicU64::new(u64::MAX));
        let (reached, on_reached) = mpsc::channel::<()>();
        let subscriber = {
            let (count, target) = (count.clone(), target.clone());
            session
                .declare_subscriber("tractor-bench/put")
                .callback(move |_sample| {
                    // Never block in a Zenoh callback: count, and say so once at the target.
                    let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                    if n == target.load(Ordering::SeqCst) {
                        let _ = reached.send(());
                    }
                })
                .wait()
                .map_err(zerr("declare_subscriber"))?
        };
        peer.ready();
        let mut expected = 0u64;
        while let Some(line) = peer.next_command() {
            let n: u64 = line
                .strip_prefix("expect ")
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| format!("unknown command `{line}`"))?;
            expected += n;
            target.store(expected, Ordering::SeqCst);
            // The callback may have passed the target before it was stored.
            while count.load(Ordering::SeqCst) < expected {
                let left = peer.deadline().saturating_duration_since(Instant::now());
                on_reached
                    .recv_timeout(left)
                    .map_err(|_| format!("counted {} of {expected}", count.load(Ordering::SeqCst)))?;
            }
            peer.say(&format!("got {}", count.load(Ordering::SeqCst)));
        }
        drop(subscriber);
        session.close().wait().map_err(zerr("close"))
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let session = open_connected(driver.port())?;
        let publisher = session
            .declare_publisher("tractor-bench/put")
            .congestion_control(CongestionControl::Block)
            .priority(Priority::DEFAULT)
            .express(false)
            .wait()
            .map_err(zerr("declare_publisher"))?;
        let listener = publisher.matching_listener().wait().map_err(zerr("matching_listener"))?;
        let matching = publisher.matching_status().wait().map_err(zerr("matching_status"))?.matching();
        wait_matched(matching, &listener, "the peer's subscriber")?;
        let sizes = *driver.sizes();
        let mut total = 0u64;
        let mut batch = |driver: &mut Driver, n: u64| -> Result<Duration, String> {
            driver.send(&format!("expect {n}"))?;
            let start = Instant::now();
            for i in 0..n {
                publisher.put(payload(total + i)).wait().map_err(zerr("put"))?;
            }
            let got = driver.expect("got", REPLY_LIMIT + Duration::from_secs(60))?;
            let elapsed = start.elapsed();
            total += n;
            if got != total.to_string() {
                return Err(format!("the peer counted {got}, expected {total}"));
            }
            Ok(elapsed)
        };
        batch(driver, sizes.warm_up_messages())?;
        let mut runs = Vec::with_capacity(sizes.runs);
        for _ in 0..sizes.runs {
            runs.push((sizes.messages, batch(driver, sizes.messages)?));
        }
        drop(listener);
        drop(publisher);
        session.close().wait().map_err(zerr("close"))?;
        Ok(Measured::Throughput(runs))
    }
}

/// `session.get` on a key the peer declares a queryable for; the queryable
/// callback replies at once with the query's payload.
///
/// One get at a time, consolidation `None` (so the reply is delivered as it
/// arrives, not held for the query's end); the clock stops at the reply, and
/// the query's end is awaited untimed before the next get.
#[derive(Debug)]
pub(crate) struct QueryRoundTrip;

impl Row for QueryRoundTrip {
    fn key(&self) -> &'static str {
        "zenoh-query"
    }

    fn label(&self) -> &'static str {
        "Zenoh queryable round trip"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} sequential `session.get` ({PAYLOAD} B payload, consolidation None) to a queryable callback that \
             replies {PAYLOAD} B; op = get to reply",
            sizes.round_trips
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        let session = open_listening(peer.port())?;
        let queryable = session
            .declare_queryable("tractor-bench/query")
            .callback(|query| {
                let body = query.payload().map(|p| p.to_bytes().into_owned()).unwrap_or_default();
                if let Err(e) = query.reply(query.key_expr().clone(), body).wait() {
                    eprintln!("remote peer: reply: {e}");
                }
            })
            .wait()
            .map_err(zerr("declare_queryable"))?;
        peer.ready();
        peer.until_stop();
        drop(queryable);
        session.close().wait().map_err(zerr("close"))
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let session = open_connected(driver.port())?;
        let key = KeyExpr::new("tractor-bench/query").map_err(zerr("key"))?;
        {
            // A querier only to learn that the peer's queryable is known here.
            let querier = session.declare_querier(&key).wait().map_err(zerr("declare_querier"))?;
            let listener = querier.matching_listener().wait().map_err(zerr("matching_listener"))?;
            let matching = querier.matching_status().wait().map_err(zerr("matching_status"))?.matching();
            wait_matched(matching, &listener, "the peer's queryable")?;
        }
        let get = |seq: u64| -> Result<Duration, String> {
            let start = Instant::now();
            let replies = session
                .get(&key)
                .payload(payload(seq))
                .consolidation(ConsolidationMode::None)
                .timeout(REPLY_LIMIT)
                .wait()
                .map_err(zerr("get"))?;
            let reply = replies.recv_timeout(REPLY_LIMIT).map_err(zerr("reply"))?.ok_or("no reply in time")?;
            let elapsed = start.elapsed();
            let sample = reply.result().map_err(|e| format!("error reply: {e:?}"))?;
            if seq_of(&sample.payload().to_bytes()) != Some(seq) {
                return Err(format!("reply to get {seq} carries another payload"));
            }
            // The query's end (untimed): the channel closes.
            match replies.recv_timeout(REPLY_LIMIT) {
                Err(_) => Ok(elapsed),
                Ok(Some(_)) => Err("a second reply".to_owned()),
                Ok(None) => Err("the query did not end in time".to_owned()),
            }
        };
        let samples = driver.sizes().sample_round_trips(get)?;
        session.close().wait().map_err(zerr("close"))?;
        Ok(Measured::Latency(samples))
    }
}

/// A request put on one key and a reply put on another: the driver puts on
/// `req` with a declared publisher and waits on a subscriber of `rep`; the
/// peer's `req` subscriber callback puts the payload back on `rep` with its
/// own declared publisher. Both publishers reliable, `Block`, not express.
#[derive(Debug)]
pub(crate) struct PubSubRoundTrip;

impl Row for PubSubRoundTrip {
    fn key(&self) -> &'static str {
        "zenoh-pubsub-rt"
    }

    fn label(&self) -> &'static str {
        "Zenoh pub/sub round trip (req key / rep key)"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} sequential requests of {PAYLOAD} B on a declared publisher; the peer's subscriber callback puts it \
             back on the reply key with its declared publisher; op = put to reply received",
            sizes.round_trips
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        let session = open_listening(peer.port())?;
        let reply = session
            .declare_publisher("tractor-bench/rep")
            .congestion_control(CongestionControl::Block)
            .express(false)
            .wait()
            .map_err(zerr("declare_publisher"))?;
        let subscriber = session
            .declare_subscriber("tractor-bench/req")
            .callback(move |sample| {
                if let Err(e) = reply.put(sample.payload().clone()).wait() {
                    eprintln!("remote peer: reply put: {e}");
                }
            })
            .wait()
            .map_err(zerr("declare_subscriber"))?;
        peer.ready();
        peer.until_stop();
        drop(subscriber);
        session.close().wait().map_err(zerr("close"))
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let session = open_connected(driver.port())?;
        // Declared before the request publisher: the peer learns of it before
        // any request, on the same ordered link.
        let replies = session.declare_subscriber("tractor-bench/rep").wait().map_err(zerr("declare_subscriber"))?;
        let request = session
            .declare_publisher("tractor-bench/req")
            .congestion_control(CongestionControl::Block)
            .express(false)
            .wait()
            .map_err(zerr("declare_publisher"))?;
        let listener = request.matching_listener().wait().map_err(zerr("matching_listener"))?;
        let matching = request.matching_status().wait().map_err(zerr("matching_status"))?.matching();
        wait_matched(matching, &listener, "the peer's request subscriber")?;
        let round_trip = |seq: u64| -> Result<Duration, String> {
            let start = Instant::now();
            request.put(payload(seq)).wait().map_err(zerr("put"))?;
            let sample = replies.recv_timeout(REPLY_LIMIT).map_err(zerr("reply"))?.ok_or("no reply in time")?;
            let elapsed = start.elapsed();
            if seq_of(&sample.payload().to_bytes()) != Some(seq) {
                return Err(format!("reply to request {seq} carries another payload"));
            }
            Ok(elapsed)
        };
        let samples = driver.sizes().sample_round_trips(round_trip)?;
        drop(listener);
        session.close().wait().map_err(zerr("close"))?;
        Ok(Measured::Latency(samples))
    }
}
