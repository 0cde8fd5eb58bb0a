use tractor::prelude::*;

#[derive(Actor, Default)]
struct Canvas {
    points: Vec<(i32, i32)>,
}

#[actor]
impl Canvas {
    #[message]
    pub fn ignore(&mut self, _: u8) {}
}

fn main() {}
