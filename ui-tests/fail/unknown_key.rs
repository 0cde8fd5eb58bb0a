use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message(rpely = i64)]
    pub fn get(&self) -> i64 {
        self.count
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    // The message is still generated: no errors here.
    let counter = Runtime::new().spawn(Counter::default());
    let _: i64 = counter.get().await?;
    Ok(())
}
