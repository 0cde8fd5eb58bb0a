// Only `Forward<R>`, `Result<Forward<R>, E>` and `Option<Forward<R>>`
// forward; a `Vec` of forwards would reach the asker as data.
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
    #[message]
    fn lookup_all(&mut self, ctx: &mut Context<Self>) -> Vec<Forward<i64>> {
        vec![ctx.forward(&self.backend, Value)]
    }
}

fn main() {}
