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

#[derive(Actor)]
struct Logger;

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let logger = runtime.spawn(Logger);
    let _n = logger.ask(Get).await?;
    Ok(())
}
