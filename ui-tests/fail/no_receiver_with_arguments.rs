use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn make(start: i64) -> Counter {
        Counter { count: start }
    }
}

fn main() {
    // The message still exists, so this line adds no error of its own.
    let _ = Make { start: 1 };
}
