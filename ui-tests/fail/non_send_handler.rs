use std::rc::Rc;

use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub async fn slow(&mut self) {
        let shared = Rc::new(1);
        tokio::task::yield_now().await;
        self.count += *shared;
    }
}

fn main() {}
