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
}

#[derive(Actor)]
struct Logger;

#[actor]
impl Logger {
    #[message]
    pub async fn nudge(&mut self, ctx: &mut Context<Self>, other: ActorRef<Logger>) -> Result<(), tractor::Error> {
        ctx.tell(&other, Increment { by: 1 }).await?;
        Ok(())
    }
}

fn main() {}
