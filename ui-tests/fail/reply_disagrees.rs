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

    #[message(reply = i64)]
    pub async fn get_later(&self) -> u64 {
        self.count as u64
    }

    #[message(reply = String)]
    pub fn reset(&mut self) {
        self.count = 0;
    }
}

fn main() {}
