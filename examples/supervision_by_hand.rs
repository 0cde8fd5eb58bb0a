//! Supervision by hand: `on_panic` decides to continue or stop, a
//! `CrashPolicy` counts every crash, and `kill` differs from `stop`.
//!
//! Run it with `cargo run --example supervision_by_hand`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tractor::prelude::*;

/// Counts crashes and prints what it is told.
struct CountCrashes(Arc<AtomicUsize>);

impl CrashPolicy for CountCrashes {
    fn on_crash(&self, crash: &Crash) {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        println!(
            "crash #{n}: {} {} panicked in {} ({}) -> {:?}",
            crash.actor_type().rsplit("::").next().unwrap_or_default(),
            crash.actor_id(),
            crash.message_type().map_or("step/on_start", |m| m.rsplit("::").next().unwrap_or(m)),
            crash.panic_message(),
            crash.decision(),
        );
    }
}

/// Parses numbers; survives bad input when `resilient`.
struct Parser {
    resilient: bool,
    parsed: u32,
}

impl Actor for Parser {
    async fn on_panic(&mut self, _ctx: &mut Context<Self>, panic: &Panic) -> ControlFlow {
        println!("parser: on_panic saw {:?}", panic.message());
        if self.resilient { ControlFlow::Continue } else { ControlFlow::Stop }
    }

    async fn on_stop(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        println!("parser {}: on_stop ({reason}) after {} numbers", ctx.id(), self.parsed);
    }
}

#[actor]
impl Parser {
    /// Parses `text`; panics on bad input.
    #[message]
    pub fn parse(&mut self, text: String) -> u32 {
        let n = text.parse().unwrap_or_else(|_| panic!("not a number: {text}"));
        self.parsed += 1;
        n
    }

    /// Waits forever: only `kill` gets it out.
    #[message]
    pub async fn hang(&mut self) {
        std::future::pending::<()>().await
    }
}

#[tractor::main(crash_policy = CountCrashes(CRASHES.clone()))]
async fn main(runtime: Runtime) {
    // tractor catches every panic; std's default hook would still print each
    // one with a backtrace. Here the crash policy does the reporting.
    std::panic::set_hook(Box::new(|_| {}));

    let resilient = runtime.spawn(Parser { resilient: true, parsed: 0 });
    let fragile = runtime.spawn(Parser { resilient: false, parsed: 0 });

    for text in ["1", "two", "3"] {
        match resilient.parse(text.into()).await {
            Ok(n) => println!("resilient parsed {n}"),
            Err(e) => println!("resilient failed: {e} (is_panicked: {})", e.is_panicked()),
        }
    }
    for text in ["1", "two", "3"] {
        match fragile.parse(text.into()).await {
            Ok(n) => println!("fragile parsed {n}"),
            Err(e) => println!("fragile failed: {e}"),
        }
    }
    println!("fragile stopped because: {}", fragile.wait().await);

    // stop() would wait for the hung handler; kill() drops it.
    let hung = tokio::spawn({
        let resilient = resilient.clone();
        async move { resilient.hang().await }
    });
    tokio::task::yield_now().await;
    resilient.kill();
    let hung = hung.await.expect("the ask task itself does not panic");
    println!("the hung ask: {}", hung.unwrap_err());
    println!("resilient stopped because: {}", resilient.wait().await);
    println!("crashes counted: {}", CRASHES.load(Ordering::SeqCst));
}

static CRASHES: std::sync::LazyLock<Arc<AtomicUsize>> = std::sync::LazyLock::new(|| Arc::new(AtomicUsize::new(0)));
