// Forwarding handlers, sync and async, with and without `reply = ..`, and
// through the dispatch enum.
use tractor::prelude::*;

#[derive(Actor)]
struct Backend {
    value: i64,
}

#[actor]
impl Backend {
    #[message]
    pub fn value(&self) -> i64 {
        self.value
    }
}

#[derive(Actor)]
struct Front {
    backend: ActorRef<Backend>,
    hits: u32,
}

#[actor]
impl Front {
    /// From DESIGN.md's pinned call shapes.
    #[message(reply = i64)]
    fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        self.hits += 1;
        ctx.forward(&self.backend, Value)
    }

    /// `Reply` is `i64`, read from `Forward<i64>`.
    #[message]
    async fn lookup_later(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        tokio::task::yield_now().await;
        ctx.forward(&self.backend, Value)
    }

    #[message]
    fn hits(&self) -> u32 {
        self.hits
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend { value: 42 });
    let front = runtime.spawn(Front { backend, hits: 0 });
    assert_eq!(front.lookup().await?, 42);
    assert_eq!(front.lookup_later().await?, 42);
    assert_eq!(runtime.ask(&front, Lookup).await?, 42);
    let n: i64 = front.ask(LookupLater).await?;
    assert_eq!(n, 42);
    assert!(matches!(front.ask(FrontMessage::from(Lookup)).await?, FrontReply::Lookup(42)));
    assert!(matches!(front.ask(FrontMessage::LookupLater(LookupLater)).await?, FrontReply::LookupLater(42)));
    assert!(matches!(front.ask(FrontMessage::Hits(Hits)).await?, FrontReply::Hits(3)));
    runtime.shutdown().await;
    Ok(())
}
