use tractor::prelude::*;

#[derive(Actor, Default)]
struct Machine {
    running: bool,
}

#[actor]
impl Machine {
    #[message]
    pub fn stop(&mut self) {
        self.running = false;
    }
}

fn main() {}
