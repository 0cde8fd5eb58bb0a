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

#[derive(Actor)]
struct Logger;

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let logger = runtime.spawn(Logger);
    runtime.tell(&logger, Increment { by: 1 }).await?;
    Ok(())
}
