// A helper generic over the actor, missing its `where Increment: Message<A>`.
use std::future::Future;

use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn increment(&mut self, by: i64) {
        self.count += by;
    }
}

fn bump<A: Actor>(target: &ActorRef<A>) -> impl Future<Output = Result<(), tractor::Error>> + '_ {
    target.tell(Increment { by: 1 })
}

fn main() {
    let _ = bump::<Counter>;
}
