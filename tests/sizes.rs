//! Sizes that the docs and BENCHMARKS.md rely on, pinned.

use tractor::prelude::*;

#[derive(Actor)]
struct Counter;

struct Ping;
impl Message<Counter> for Ping {
    type Reply = ();
    async fn handle(self, _: &mut Counter, _: &mut Context<Counter>) {}
}

#[test]
fn an_optional_actor_id_takes_eight_bytes() {
    // An envelope carries its sender as an `Option<ActorId>`.
    assert_eq!(size_of::<Option<ActorId>>(), 8);
    assert_eq!(size_of::<ActorId>(), 8);
}

#[test]
fn handles_are_one_or_two_pointers() {
    assert_eq!(size_of::<ActorRef<Counter>>(), size_of::<usize>(), "an ActorRef is one Arc");
    assert_eq!(size_of::<Option<ActorRef<Counter>>>(), size_of::<usize>());
    assert_eq!(size_of::<Sender<Ping, ()>>(), 2 * size_of::<usize>(), "a Sender is one Arc<dyn ..>");
}
