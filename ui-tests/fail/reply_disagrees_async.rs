use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message(reply = i64)]
    pub async fn get_later(&self) -> u64 {
        self.count as u64
    }
}

fn main() {}
