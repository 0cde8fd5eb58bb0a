use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn increment(&mut self, by: i64, ctx: &mut Context<Self>) {
        let _ = ctx.id();
        self.count += by;
    }
}

// One error, at the `ctx` argument: it is not a field of `Increment` nor an
// argument of `increment()`, so these uses add none (no E0106/E0061/E0063).
async fn use_it(counter: ActorRef<Counter>) -> Result<(), tractor::Error> {
    counter.increment(1).tell().await?;
    counter.tell(Increment { by: 1 }).await?;
    Ok(())
}

fn main() {
    let _ = use_it;
}
