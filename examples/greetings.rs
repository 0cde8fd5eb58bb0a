//! The two ways to define a message, side by side: a hand-written
//! `impl Message<A>` and a generated `#[message]` method. Both are sent
//! through the same `ActorRef`, with the same typed replies.
//!
//! Run it with `cargo run --example greetings`.

use tractor::prelude::*;

#[derive(Actor, Default)]
struct Greeter {
    greeted: Vec<String>,
}

// 1. By hand: a struct and its `Message` impl. The impl names the one actor
//    type that handles it and the reply type.

/// Greets someone formally.
struct Formal {
    name: String,
}

impl Message<Greeter> for Formal {
    type Reply = String;

    async fn handle(self, greeter: &mut Greeter, _ctx: &mut Context<Greeter>) -> String {
        greeter.greeted.push(self.name.clone());
        format!("Good day, {}.", self.name)
    }
}

// 2. Generated: `#[actor]` turns each `#[message]` method into a struct
//    (`Casual { name }`, `Count`), its `Message<Greeter>` impl, and a typed
//    method on `ActorRef<Greeter>` (`greeter.casual(..)`, `greeter.count()`).

#[actor]
impl Greeter {
    /// Greets someone casually.
    #[message]
    pub fn casual(&mut self, name: String) -> String {
        self.greeted.push(name.clone());
        format!("hey {name}!")
    }

    /// How many people were greeted so far.
    #[message]
    pub fn count(&self) -> usize {
        self.greeted.len()
    }
}

// `#[tractor::main]` builds the tokio runtime and a `Runtime`, passes it in,
// and shuts it down when `main` returns.
#[tractor::main]
async fn main(runtime: Runtime) -> Result<(), tractor::Error> {
    let greeter = runtime.spawn(Greeter::default());

    // The hand-written message, sent like any other.
    let formal = greeter.ask(Formal { name: "Ada".into() }).await?;
    println!("hand-written: {formal}");

    // The generated one: the struct by hand, or the typed method.
    let casual = greeter.ask(Casual { name: "Grace".into() }).await?;
    println!("generated:    {casual}");
    let casual = greeter.casual("Linus".into()).await?;
    println!("generated:    {casual}");

    let n: usize = greeter.count().await?;
    println!("greeted {n} people");
    Ok(())
}
