use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn boxed(self: Box<Self>) -> i64 {
        self.count
    }
}

fn main() {}
