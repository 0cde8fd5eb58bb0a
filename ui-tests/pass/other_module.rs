// The actor lives in one module; another reaches its messages and its typed
// ref methods with one glob import.
mod counter {
    use tractor::prelude::*;

    #[derive(Actor, Default)]
    pub struct Counter {
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

        /// Private: usable only inside this module.
        #[message]
        fn secret(&self) -> i64 {
            42
        }
    }

    pub async fn ask_secret(counter: &ActorRef<Counter>) -> Result<i64, tractor::Error> {
        counter.secret().await
    }
}

mod client {
    use crate::counter::*;
    use tractor::{ActorRef, Error};

    pub async fn run(counter: &ActorRef<Counter>) -> Result<i64, Error> {
        counter.increment(2).tell().await?; // CounterRefExt, from the glob import
        counter.tell(Increment { by: 1 }).await?;
        counter.get().await
    }
}

mod by_name {
    use crate::counter::{Counter, CounterRefExt, Get};

    pub async fn run(counter: &tractor::ActorRef<Counter>) -> Result<i64, tractor::Error> {
        assert_eq!(counter.ask(Get).await?, counter.get().await?);
        counter.get().await
    }
}

#[tractor::main]
async fn main(runtime: tractor::Runtime) -> Result<(), tractor::Error> {
    let counter = runtime.spawn(counter::Counter::default());
    assert_eq!(client::run(&counter).await?, 3);
    assert_eq!(by_name::run(&counter).await?, 3);
    assert_eq!(counter::ask_secret(&counter).await?, 42);
    Ok(())
}
