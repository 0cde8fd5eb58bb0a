// `id = N` is a wire id: it means nothing without `remote`.
use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter;

#[actor]
impl Counter {
    #[message(id = 7)]
    fn get(&self) -> i64 {
        1
    }
}

fn main() {}
