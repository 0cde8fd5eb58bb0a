// A spawned root actor whose ref is dropped at once stops before it does
// anything: the ref is `#[must_use]`, and says why.
#![deny(unused_must_use)]

use tractor::prelude::*;

#[derive(Actor)]
struct Reporter;

#[tokio::main]
async fn main() {
    let runtime = Runtime::new();
    runtime.spawn(Reporter);
}
