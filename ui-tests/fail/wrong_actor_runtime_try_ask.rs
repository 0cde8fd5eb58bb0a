use std::time::Duration;

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

    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }
}

#[derive(Actor)]
struct Logger;

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let logger = runtime.spawn(Logger);
    let _ = Duration::ZERO;
    let _n = runtime.try_ask(&logger, Get).await?;
    Ok(())
}
