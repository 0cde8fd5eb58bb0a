// `reply = Forward<i64>`: a forward is never a reply value.
use tractor::prelude::*;

#[derive(Actor)]
struct Backend;

#[actor]
impl Backend {
    #[message]
    pub fn value(&self) -> i64 {
        42
    }
}

#[derive(Actor)]
struct Front {
    backend: ActorRef<Backend>,
}

#[actor]
impl Front {
    #[message(reply = Forward<i64>)]
    fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        ctx.forward(&self.backend, Value)
    }
}

fn main() {}
