// The user's crate has its own `Result`, `Context`, `Error`, `Sender`,
// `Future`, `Option`, `Send`, `From`, `Runtime` and `core`: generated code must
// not pick any of them up.
#![allow(dead_code)]

mod core {}
type Result<T> = std::result::Result<T, String>;
struct Context;
struct Error;
struct Sender;
trait Future {}
enum Option<T> {
    Some(T),
    None,
}
trait Send {}
trait From {}
struct Runtime;
struct ActorRef;
struct Request;
struct Forward;
struct Message;

#[derive(tractor::Actor)]
struct Counter {
    count: i64,
}

#[tractor::actor]
impl Counter {
    #[message]
    pub fn increment(&mut self, by: i64) {
        self.count += by;
    }

    #[message(reply = i64)]
    pub async fn get(&self, ctx: &mut tractor::Context<Self>) -> i64 {
        let _ = ctx.id();
        self.count
    }

    #[message]
    pub fn relay(&mut self, ctx: &mut tractor::Context<Self>, to: tractor::ActorRef<Self>) -> tractor::Forward<i64> {
        ctx.forward(&to, Get)
    }
}

#[tractor::main]
async fn main(runtime: tractor::Runtime) -> Result<()> {
    let counter = runtime.spawn(Counter { count: 0 });
    counter.increment(2).tell().await.map_err(|e| e.to_string())?;
    let other = runtime.spawn(Counter { count: 7 });
    assert_eq!(counter.relay(other).await.map_err(|e| e.to_string())?, 7);
    assert_eq!(counter.get().await.map_err(|e| e.to_string())?, 2);
    Ok(())
}
