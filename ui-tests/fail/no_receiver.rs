use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn zero() -> i64 {
        0
    }

    #[message]
    pub fn make(start: i64) -> Counter {
        Counter { count: start }
    }
}

fn main() {
    // The messages still exist, so this line adds no error of its own.
    let _ = (Zero, Make { start: 1 });
}
