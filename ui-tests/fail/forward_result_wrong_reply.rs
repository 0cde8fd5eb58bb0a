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
    #[message(reply = Result<i64, String>)]
    fn relabel(&mut self, ctx: &mut Context<Self>) -> Result<Forward<String>, String> {
        Ok(ctx.forward(&self.backend, Name))
    }
}

fn main() {}
