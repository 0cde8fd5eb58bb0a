use tractor::prelude::*;

#[derive(Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Actor for Counter {}

fn main() {
    let _ = Counter::default().count;
}
