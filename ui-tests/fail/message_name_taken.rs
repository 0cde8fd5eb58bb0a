use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

/// A type of the user's that happens to have the name `get`'s message would get.
pub struct Get;

#[actor]
impl Counter {
    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }
}

fn main() {
    let _ = Get;
}
