use tractor::prelude::*;

#[derive(Actor, Default)]
struct Log {
    lines: Vec<String>,
}

#[actor]
impl Log {
    #[message]
    pub fn write<T: ToString>(&mut self, line: T) {
        self.lines.push(line.to_string());
    }

    #[message]
    pub fn clear(&mut self) {
        self.lines.clear();
    }
}

fn main() {
    // `Clear` is unaffected by the error above.
    let _ = Clear;
}
