//! Remote actors: two processes on loopback, one typed API.
//!
//! `cargo run --example remote` starts this program's second node as a child
//! process (the same binary, run with `--other-node`), then shows:
//!
//! - a remote tell and a remote ask, through the same generated methods as a
//!   local ref (`counter.increment(2).tell()`, `counter.get()`);
//! - a ref sent inside a message: the other node greets a local `Printer`
//!   it was handed, which prints here;
//! - a killed node being noticed: the child is killed (`kill -9`), the
//!   watcher's `on_down` says its node was lost, asks fail as unreachable,
//!   and its name is gone.
//!
//! Both nodes listen and connect on 127.0.0.1 only; multicast scouting is
//! off (the builder's default).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use tractor::prelude::*;
use tractor_remote::{Node, RemoteRef};

/// Lives on the other node.
#[derive(Actor, Default)]
struct Counter {
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

    /// Tells `printer`, which may be on any node, a greeting.
    #[message]
    pub async fn greet(&self, printer: RemoteRef<Printer>, name: String) -> Result<(), String> {
        let line = format!("hello {name}, the count is {}", self.count);
        printer.print(line).tell().await.map_err(|e| e.to_string())
    }
}

/// Lives here; its ref travels to the other node inside `Greet`.
#[derive(Actor, Default)]
struct Printer;

#[actor(remote)]
impl Printer {
    #[message]
    pub fn print(&self, line: String) {
        println!("printer (here): {line}");
    }
}

/// Says when a watched actor is gone.
struct Watcher {
    gone: Option<tokio::sync::oneshot::Sender<Down>>,
}

impl Actor for Watcher {
    async fn on_down(&mut self, _: &mut Context<Self>, down: Down) -> ControlFlow {
        if let Some(gone) = self.gone.take() {
            let _ = gone.send(down);
        }
        ControlFlow::Stop
    }
}

#[actor]
impl Watcher {
    #[message]
    pub fn watch(&mut self, ctx: &mut Context<Self>, target: RemoteRef<Counter>) {
        ctx.watch(&target);
    }
}

fn free_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    format!("tcp/127.0.0.1:{}", listener.local_addr().expect("its address").port())
}

/// The child: serves a `Counter` as "counter" until its stdin closes.
async fn other_node(connect: String) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = Runtime::new();
    let node = Node::builder(&runtime).listen(free_endpoint()).connect(connect).build().await?;
    node.serve("counter", &runtime.spawn(Counter::default())).await?;
    println!("ready");
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {}
    })
    .await?;
    node.close().await;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, endpoint] = args.as_slice()
        && flag == "--other-node"
    {
        return other_node(endpoint.clone()).await;
    }

    let runtime = Runtime::new();
    let endpoint = free_endpoint();
    let node = Node::builder(&runtime).listen(endpoint.clone()).build().await?;
    println!("node {} listening on {endpoint}", node.id());

    let mut child = Command::new(std::env::current_exe()?)
        .args(["--other-node", &endpoint])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let ready =
        tokio::task::spawn_blocking(move || BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l == "ready"));
    if !tokio::time::timeout(Duration::from_secs(10), ready).await?? {
        return Err("the other node did not start".into());
    }
    println!("other node started (pid {})", child.id());

    // The other node's declarations arrive shortly after it connects.
    let counter: RemoteRef<Counter> = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match node.lookup::<Counter>("counter").await {
                Ok(counter) => return Ok(counter),
                Err(e) if e.is_not_found() => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(e) => return Err(e),
            }
        }
    })
    .await??;
    println!("looked up \"counter\": {counter:?}");

    counter.increment(2).tell().await?;
    counter.increment(3).tell().await?;
    println!("remote tell: increment(2), increment(3)");
    let n: i64 = counter.get().await?;
    println!("remote ask: get() = {n}");

    let printer = runtime.spawn(Printer);
    counter.greet(RemoteRef::from(&printer), "tractor".into()).await??;
    println!("a ref to the local printer went there inside `Greet`, and came back as a tell");

    let (gone, noticed) = tokio::sync::oneshot::channel();
    let watcher = runtime.spawn(Watcher { gone: Some(gone) });
    watcher.watch(counter.clone()).await?;
    child.kill()?; // kill -9
    child.wait()?;
    println!("killed the other node");
    let down = tokio::time::timeout(Duration::from_secs(10), noticed).await??;
    println!("watcher: on_down for {}: {}", down.id(), down.reason());
    let err = counter.get().await.unwrap_err();
    println!("ask after the kill: unreachable = {} ({err})", err.is_unreachable());
    let err = node.lookup::<Counter>("counter").await.unwrap_err();
    println!("lookup after the kill: not found = {}", err.is_not_found());

    node.close().await;
    runtime.shutdown().await;
    Ok(())
}
