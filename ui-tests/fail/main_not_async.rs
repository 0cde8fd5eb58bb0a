use tractor::prelude::*;

#[tractor::main]
fn main(runtime: Runtime) {
    let _ = runtime.actor_count();
}
