use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn into_count(self) -> i64 {
        self.count
    }
}

fn main() {}
