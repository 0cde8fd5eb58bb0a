use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message(reply = String)]
    pub fn reset(&mut self) {
        self.count = 0;
    }
}

fn main() {}
