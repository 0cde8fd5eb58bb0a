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
}

fn main() {
    // The message still exists, so this line adds no error of its own.
    let _ = Zero;
}
