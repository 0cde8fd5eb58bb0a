use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message(name = Total, timeout = 5)]
    pub fn total(&self) -> i64 {
        self.count
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    // The message is still generated: no errors here.
    let counter = Runtime::new().spawn(Counter::default());
    let _: i64 = counter.ask(Total).await?;
    Ok(())
}
