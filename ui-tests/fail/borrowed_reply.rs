use tractor::prelude::*;

#[derive(Actor, Default)]
struct Log {
    lines: Vec<String>,
}

#[actor]
impl Log {
    #[message]
    pub fn last(&self) -> &str {
        self.lines.last().map_or("", |line| line)
    }
}

// One error, at `&str`: `last()` still exists, so this adds none.
async fn use_it(log: ActorRef<Log>) -> Result<usize, tractor::Error> {
    let last = log.last().await?;
    Ok(last.len())
}

fn main() {
    let _ = use_it;
}
