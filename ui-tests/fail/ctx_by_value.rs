use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn increment(&mut self, ctx: Context<Self>, by: i64) {
        let _ = ctx.id();
        self.count += by;
    }
}

// One error, at `Context<Self>`; the uses add none.
async fn use_it(counter: ActorRef<Counter>) -> Result<(), tractor::Error> {
    counter.increment(1).tell().await?;
    counter.tell(Increment { by: 1 }).await?;
    Ok(())
}

fn main() {
    let _ = use_it;
}
