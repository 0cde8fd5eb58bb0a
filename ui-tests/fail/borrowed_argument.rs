use tractor::prelude::*;

#[derive(Actor, Default)]
struct Log {
    lines: Vec<String>,
}

#[actor]
impl Log {
    #[message]
    pub fn write(&mut self, line: &str) {
        self.lines.push(line.to_string());
    }
}

// One error, at `&str`: the message and its ref method still exist, so the
// uses below add none (no "no method named `write`", no lifetime errors).
async fn use_it(log: ActorRef<Log>, line: String) -> Result<(), tractor::Error> {
    log.write(&line).tell().await?;
    log.tell(Write { line: "literal" }).await?;
    Ok(())
}

fn main() {
    let _ = use_it;
}
