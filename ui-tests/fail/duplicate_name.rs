use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }

    #[message(name = Get)]
    pub fn get_doubled(&self) -> i64 {
        self.count * 2
    }
}

fn main() {}
