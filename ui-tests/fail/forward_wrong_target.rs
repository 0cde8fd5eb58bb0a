use tractor::prelude::*;

#[derive(Actor)]
struct Backend;

#[actor]
impl Backend {
    #[message]
    pub fn name(&self) -> String {
        "backend".to_string()
    }
}

#[derive(Actor)]
struct Front {
    backend: ActorRef<Backend>,
}

#[actor]
impl Front {
    #[message(reply = i64)]
    fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        ctx.forward(&self.backend, Name)
    }
}

fn main() {}
