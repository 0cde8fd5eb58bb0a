use tractor::prelude::*;

#[derive(Actor, Default)]
struct Canvas {
    points: Vec<(i32, i32)>,
}

#[actor]
impl Canvas {
    #[message]
    pub fn plot(&mut self, (x, y): (i32, i32)) {
        self.points.push((x, y));
    }
}

fn main() {}
