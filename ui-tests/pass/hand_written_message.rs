// A hand-written `Message` impl next to generated ones, sent through the same refs.
use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn increment(&mut self, by: i64) {
        self.count += by;
    }

    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }
}

/// Written by hand: resets the count and replies with the old one.
struct Reset;

impl Message<Counter> for Reset {
    type Reply = i64;

    async fn handle(self, counter: &mut Counter, _ctx: &mut Context<Counter>) -> i64 {
        std::mem::take(&mut counter.count)
    }
}

/// A capability message, for every actor with `Named`.
struct Name;

trait Named: Actor {
    fn name(&self) -> &'static str;
}

impl Named for Counter {
    fn name(&self) -> &'static str {
        "counter"
    }
}

impl<A: Named> Message<A> for Name {
    type Reply = &'static str;

    async fn handle(self, actor: &mut A, _ctx: &mut Context<A>) -> &'static str {
        actor.name()
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let counter = runtime.spawn(Counter::default());
    counter.increment(5).tell().await?;
    assert_eq!(counter.ask(Reset).await?, 5);
    assert_eq!(counter.get().await?, 0);
    assert_eq!(runtime.ask(&counter, Name).await?, "counter");
    let sender: Sender<Reset, i64> = Sender::from(counter.clone());
    assert_eq!(sender.ask(Reset).await?, 0);
    runtime.shutdown().await;
    Ok(())
}
