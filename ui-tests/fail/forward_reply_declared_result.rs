// `reply = Result<Forward<i64>, String>`, spelled like the return type: a
// plain reply, which cannot hold a forward. (`reply = Result<i64, String>`
// is the forwarding form.)
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
    #[message(reply = Result<Forward<i64>, String>)]
    fn lookup(&mut self, ctx: &mut Context<Self>) -> Result<Forward<i64>, String> {
        Ok(ctx.forward(&self.backend, Value))
    }
}

fn main() {}
