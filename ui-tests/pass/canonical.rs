// The canonical program from DESIGN.md, verbatim.
use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    /// Generates `pub struct Increment { pub by: i64 }` with `Reply = ()`.
    #[message]
    pub fn increment(&mut self, by: i64) {
        self.count += by;
    }

    /// Reply type written out; must agree with the method's return type.
    #[message(reply = i64)]
    pub fn get(&self) -> i64 {
        self.count
    }

    /// Handlers may be async and may take the context.
    #[message]
    pub async fn add_from(&mut self, ctx: &mut Context<Self>, other: ActorRef<Counter>) -> i64 {
        let n = ctx.ask(&other, Get).await.unwrap_or(0);
        self.count += n;
        self.count
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let counter = runtime.spawn(Counter::default());

    runtime.tell(&counter, Increment { by: 3 }).await?; // fire-and-forget
    counter.increment(1).tell().await?;                 // generated typed method
    let total: i64 = counter.get().await?;              // awaiting a request = ask
    assert_eq!(total, 4);
    assert_eq!(runtime.ask(&counter, Get).await?, 4);

    counter.stop().await?;     // graceful: pending messages first, then on_stop
    runtime.shutdown().await;  // stops every actor still running, waits for all
    Ok(())
}
