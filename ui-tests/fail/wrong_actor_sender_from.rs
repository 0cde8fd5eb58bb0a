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

fn main() {
    let runtime = Runtime::new();
    let logger = runtime.spawn(Logger);
    let _s: Sender<Increment, ()> = Sender::from(logger);
}
