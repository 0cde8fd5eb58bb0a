// `name = ..`, `derive(..)`, `#[cfg]`, visibility and doc comments.
#![deny(missing_docs, missing_debug_implementations, unreachable_pub, dead_code)]
//! Two actors with a `get` in one module.

use tractor::prelude::*;

/// A counter.
#[derive(Actor, Debug, Default)]
pub struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    /// The count.
    #[message(name = GetCount, derive(Debug, Clone, PartialEq))]
    pub fn get(&self) -> i64 {
        self.count
    }

    /// Adds to the count.
    #[message(derive(Debug, Clone))]
    pub fn add(&mut self, by: i64, times: u32) -> i64 {
        self.count += by * i64::from(times);
        self.count
    }

    #[cfg(any())]
    #[message]
    pub fn never(&self) {}
}

/// A name.
#[derive(Actor, Debug, Default)]
pub struct Name {
    name: String,
}

#[actor]
impl Name {
    /// The name.
    #[message(name = GetName, reply = String)]
    pub fn get(&self) -> String {
        self.name.clone()
    }
}

#[tractor::main]
async fn main(runtime: Runtime) {
    let counter = runtime.spawn(Counter::default());
    let add = Add { by: 2, times: 3 };
    assert_eq!(counter.ask(add.clone()).await.unwrap(), 6);
    assert_eq!(format!("{add:?}"), "Add { by: 2, times: 3 }");
    assert_eq!(GetCount.clone(), GetCount);
    assert_eq!(counter.get().await.unwrap(), 6);
    let name = runtime.spawn(Name { name: "n".into() });
    assert_eq!(name.get().await.unwrap(), "n");
    assert_eq!(runtime.ask(&name, GetName).await.unwrap(), "n");
}
