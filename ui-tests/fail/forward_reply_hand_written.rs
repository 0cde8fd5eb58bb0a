// A hand-written message whose reply is a `Forward`: the asker would get the
// forward as data and nothing would be forwarded.
use tractor::prelude::*;

#[derive(Actor)]
struct Backend;

struct Get;

impl Message<Backend> for Get {
    type Reply = u64;
    async fn handle(self, _: &mut Backend, _: &mut Context<Backend>) -> u64 {
        42
    }
}

#[derive(Actor)]
struct Front {
    backend: ActorRef<Backend>,
}

struct Lookup;

impl Message<Front> for Lookup {
    type Reply = Result<Forward<u64>, String>;
    async fn handle(self, front: &mut Front, ctx: &mut Context<Front>) -> Result<Forward<u64>, String> {
        Ok(ctx.forward(&front.backend, Get))
    }
}

fn main() {}
