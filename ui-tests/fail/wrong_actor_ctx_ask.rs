use tractor::prelude::*;

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor]
impl Counter {
    #[message]
    pub fn get(&self) -> i64 {
        self.count
    }
}

#[derive(Actor)]
struct Logger {
    lines: Vec<String>,
}

#[actor]
impl Logger {
    #[message]
    pub async fn poll(&mut self, ctx: &mut Context<Self>, other: ActorRef<Logger>) {
        let n = ctx.ask(&other, Get).await.unwrap_or(0);
        self.lines.push(n.to_string());
    }
}

fn main() {}
