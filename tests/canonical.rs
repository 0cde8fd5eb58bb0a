//! The canonical program from DESIGN.md, as written, run as a test.

// The program is kept verbatim: its methods are `pub` as they would be in a
// library, which a test crate reports as unreachable.
#![allow(unreachable_pub)]

use std::time::Duration;

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

// The body of DESIGN.md's `main`, unchanged.
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let counter = runtime.spawn(Counter::default());

    runtime.tell(&counter, Increment { by: 3 }).await?; // fire-and-forget
    counter.increment(1).tell().await?; // generated typed method
    let total: i64 = counter.get().await?; // awaiting a request = ask
    assert_eq!(total, 4);
    assert_eq!(runtime.ask(&counter, Get).await?, 4);

    counter.stop().await?; // graceful: pending messages first, then on_stop
    runtime.shutdown().await; // stops every actor still running, waits for all
    Ok(())
}

#[tokio::test]
async fn canonical_program_runs() {
    tokio::time::timeout(Duration::from_secs(10), main())
        .await
        .expect("the canonical program hung")
        .expect("the canonical program failed");
}

#[tokio::test]
async fn add_from_asks_the_other_counter_through_the_context() {
    let run = async {
        let runtime = Runtime::new();
        let a = runtime.spawn(Counter::default());
        let b = runtime.spawn(Counter { count: 5 });
        a.increment(2).await?;
        assert_eq!(a.add_from(b.clone()).await?, 7);
        assert_eq!(runtime.ask(&a, AddFrom { other: b }).await?, 12);
        runtime.shutdown().await;
        Ok::<_, tractor::Error>(())
    };
    tokio::time::timeout(Duration::from_secs(10), run).await.expect("hung").expect("failed");
}
