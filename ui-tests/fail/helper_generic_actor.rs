// A generic helper sends a message it cannot know its actor handles: the
// fix is a bound, `where ChatLine: Message<A>`, not a `#[message]` method.
use tractor::prelude::*;

#[derive(Actor, Default)]
struct Chat {
    lines: Vec<String>,
}

#[actor]
impl Chat {
    #[message]
    pub fn chat_line(&mut self, line: String) {
        self.lines.push(line);
    }
}

fn greet<A: Actor>(actor: &ActorRef<A>) {
    let _ = actor.try_tell(ChatLine { line: "hi".to_string() });
}

fn main() {
    let _ = greet::<Chat>;
}
