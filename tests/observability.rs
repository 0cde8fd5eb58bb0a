//! Observability: every message is handled inside a `tracing` span that
//! carries the actor id and type, the message type and the sender id, so a
//! causal chain across actors can be rebuilt from the logs; the default crash
//! policy logs through `tracing::error!`.

mod support;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use support::within;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::{Layer, Registry};
use tractor::prelude::*;

/// Records the fields of every span named `handle`, and every error event.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    errors: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    infos: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: LayerContext<'_, S>) {
        if attrs.metadata().name() == "handle" {
            let mut fields = BTreeMap::new();
            attrs.record(&mut Fields(&mut fields));
            self.spans.lock().unwrap().push(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: LayerContext<'_, S>) {
        let level = *event.metadata().level();
        if level == tracing::Level::ERROR || level == tracing::Level::INFO {
            let mut fields = BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            let list = if level == tracing::Level::ERROR { &self.errors } else { &self.infos };
            list.lock().unwrap().push(fields);
        }
    }
}

#[derive(Default)]
struct Store;

impl Actor for Store {}

struct Load;

impl Message<Store> for Load {
    type Reply = u32;
    async fn handle(self, _: &mut Store, _: &mut Context<Store>) -> u32 {
        7
    }
}

struct Explode;

impl Message<Store> for Explode {
    type Reply = ();
    async fn handle(self, _: &mut Store, _: &mut Context<Store>) {
        panic!("disk on fire")
    }
}

struct Front {
    store: ActorRef<Store>,
}

impl Actor for Front {}

struct Request;

impl Message<Front> for Request {
    type Reply = u32;
    async fn handle(self, front: &mut Front, ctx: &mut Context<Front>) -> u32 {
        ctx.ask(&front.store, Load).await.unwrap()
    }
}

// Current-thread only: the capturing subscriber is installed for this thread.
#[tokio::test(flavor = "current_thread")]
async fn each_message_is_handled_in_a_span_with_its_causal_fields() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(capture.clone()));

    let runtime = Runtime::new();
    let store = runtime.spawn(Store);
    let front = runtime.spawn(Front { store: store.clone() });
    assert_eq!(within(front.ask(Request)).await.unwrap(), 7);

    let spans = capture.spans.lock().unwrap().clone();
    assert_eq!(spans.len(), 2, "{spans:?}");
    let outer = &spans[0];
    assert_eq!(outer["actor.id"], front.id().to_string());
    assert_eq!(outer["actor.type"], "Front");
    assert_eq!(outer["message.type"], "Request");
    assert_eq!(outer["sender"], "None");
    // The inner span names the outer actor as its sender: the chain is rebuilt.
    let inner = &spans[1];
    assert_eq!(inner["actor.id"], store.id().to_string());
    assert_eq!(inner["actor.type"], "Store");
    assert_eq!(inner["message.type"], "Load");
    assert_eq!(inner["sender"], format!("{:?}", Some(front.id())));

    within(runtime.shutdown()).await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_default_crash_policy_logs_an_error() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(capture.clone()));

    let runtime = Runtime::new();
    let store = runtime.spawn(Store);
    assert!(within(store.ask(Explode)).await.unwrap_err().is_panicked());
    within(store.wait()).await;

    let errors = capture.errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert!(error["message"].contains("disk on fire"), "{error:?}");
    assert_eq!(error["actor.id"], store.id().to_string());
    assert_eq!(error["actor.type"], "Store");
    assert_eq!(error["message.type"], "Explode");
    assert_eq!(error["decision"], "Stop");
    within(runtime.shutdown()).await;
}

/// Each restart of a supervised actor is one `info!` event with the actor's
/// id, type and restart count; the crash's `error!` says a restart follows.
#[tokio::test(flavor = "current_thread")]
async fn a_restart_is_traced_with_id_type_and_count() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(capture.clone()));

    let runtime = Runtime::new();
    let store = runtime.supervise(Store::default).max_restarts(1, std::time::Duration::from_secs(60)).spawn();
    for _ in 0..2 {
        assert!(within(store.ask(Explode)).await.unwrap_err().is_panicked());
    }
    within(store.wait()).await;

    let restarts: Vec<_> =
        capture.infos.lock().unwrap().iter().filter(|e| e["message"].starts_with("restarting")).cloned().collect();
    assert_eq!(restarts.len(), 1, "one restart, then the limit: {restarts:?}");
    assert_eq!(restarts[0]["actor.id"], store.id().to_string());
    assert_eq!(restarts[0]["actor.type"], "Store");
    assert_eq!(restarts[0]["restart"], "1");
    let errors = capture.errors.lock().unwrap().clone();
    let follows: Vec<&str> = errors.iter().map(|e| e["restart"].as_str()).collect();
    assert_eq!(follows, ["true", "false"], "{errors:?}");
    within(runtime.shutdown()).await;
}

// ---------------------------------------------------------------------------
// With no subscriber set, the default policy still says what crashed, on
// stderr, and installs nothing. Checked in a child process (this test binary
// run again for this one test), whose stderr is read whole.

const CHILD: &str = "TRACTOR_NO_SUBSCRIBER_CHILD";

#[derive(Actor)]
struct Fragile;

#[actor]
impl Fragile {
    #[message]
    fn shatter(&mut self) {
        panic!("kaboom");
    }
}

#[test]
fn with_no_subscriber_the_default_policy_writes_one_line_to_stderr() {
    if std::env::var_os(CHILD).is_some() {
        let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        tokio.block_on(async {
            let runtime = Runtime::new();
            let fragile = runtime.spawn(Fragile);
            assert!(within(fragile.shatter()).await.unwrap_err().is_panicked());
            within(fragile.wait()).await;
        });
        assert!(!tracing::dispatcher::has_been_set(), "the library installed a global subscriber");
        return;
    }
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let out = tokio.block_on(async {
        let child = tokio::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "with_no_subscriber_the_default_policy_writes_one_line_to_stderr", "--nocapture"])
            .env(CHILD, "1")
            .kill_on_drop(true)
            .output();
        within(child).await.unwrap()
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the child failed: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("tractor: ")).collect();
    assert_eq!(lines.len(), 1, "one line per crash: {stderr}");
    let line = lines[0];
    for part in ["actor Fragile#", "handling `Shatter`", "kaboom", "it stops"] {
        assert!(line.contains(part), "{part:?} missing from {line:?}");
    }
}
