use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message(reply = i64)]
    pub fn get(&self) -> i32 {
        self.count as i32
    }
}

fn main() {}
