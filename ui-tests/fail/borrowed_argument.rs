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

    #[message]
    pub fn last(&self) -> &str {
        self.lines.last().map_or("", |line| line)
    }
}

fn main() {}
