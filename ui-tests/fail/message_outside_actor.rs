use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

impl Counter {
    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }
}

fn main() {}
