// The same helper written for a concrete actor that does not handle the
// message: the fix is to send it to `Chat`, or give `Other` a handler.
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

#[derive(Actor)]
struct Other;

fn greet(actor: &ActorRef<Other>) {
    let _ = actor.try_tell(ChatLine { line: "hi".to_string() });
}

fn main() {
    let _ = greet;
}
