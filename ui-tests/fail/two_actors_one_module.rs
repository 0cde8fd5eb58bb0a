// Two actors in one module with a `get` each: the second needs `name = ..`.
use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }
}

#[derive(Actor, Default)]
struct Name {
    name: String,
}

#[actor]
impl Name {
    #[message]
    pub fn get(&self) -> String {
        self.name.clone()
    }
}

fn main() {}
