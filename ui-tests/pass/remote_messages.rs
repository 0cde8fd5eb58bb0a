// `#[actor(remote)]` and `#[message(remote)]`: serde derives, wire ids,
// the same generated methods on `ActorRef` and `RemoteRef`.
use tractor::prelude::*;
use tractor_remote::{Remote, RemoteActor, RemoteRef, wire_id};

#[derive(Actor, Default)]
struct Counter {
    count: i64,
}

#[actor(remote)]
impl Counter {
    #[message]
    pub fn increment(&mut self, by: i64) {
        self.count += by;
    }

    #[message(id = 42)]
    pub fn get(&self) -> i64 {
        self.count
    }
}

#[derive(Actor, Default)]
struct Mixed;

#[actor]
impl Mixed {
    #[message(remote)]
    pub fn shout(&self, text: String) -> String {
        text.to_uppercase()
    }

    #[message]
    pub fn local_only(&self) {}
}

async fn both(local: ActorRef<Counter>, remote: RemoteRef<Counter>, mixed: RemoteRef<Mixed>) -> Result<(), tractor::Error> {
    local.increment(1).tell().await?;
    remote.increment(1).tell().await?;
    remote.increment(1).try_tell()?;
    let _: i64 = local.get().await?;
    let _: i64 = remote.get().timeout(std::time::Duration::from_secs(1)).await?;
    let _: String = mixed.shout("hi".into()).await?;
    Ok(())
}

fn main() {
    let _ = both;
    assert_eq!(<Increment as Remote<Counter>>::WIRE_ID, wire_id("Counter::Increment"));
    assert_eq!(<Get as Remote<Counter>>::WIRE_ID, 42);
    assert_eq!(<Increment as Remote<Counter>>::SHAPE, "Increment{by:i64}->()");
    assert_eq!(<Shout as Remote<Mixed>>::SHAPE, "Shout{text:String}->String");
    assert_eq!(Counter::messages().len(), 2);
    assert_eq!(Mixed::messages().len(), 1);
}
