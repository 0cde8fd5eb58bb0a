// A message that is not marked remote cannot go through a `RemoteRef`.
use tractor::prelude::*;
use tractor_remote::RemoteRef;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message(remote)]
    fn increment(&mut self, by: i64) {
        self.count += by;
    }

    #[message]
    fn get(&self) -> i64 {
        self.count
    }
}

async fn use_it(c: RemoteRef<Counter>) -> Result<i64, tractor::Error> {
    c.increment(1).tell().await?;
    c.get().await
}

fn main() {
    let _ = use_it;
}
