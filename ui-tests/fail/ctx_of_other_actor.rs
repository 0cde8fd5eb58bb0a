use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[derive(Actor)]
struct Logger;

#[actor]
impl Counter {
    #[message]
    pub fn increment(&mut self, ctx: &mut Context<Logger>, by: i64) {
        let _ = ctx.id();
        self.count += by;
    }
}

fn main() {}
