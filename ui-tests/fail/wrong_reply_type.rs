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

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let counter = runtime.spawn(Counter::default());
    let total: Result<String, tractor::Error> = counter.get().await;
    println!("{total:?}");
    Ok(())
}
