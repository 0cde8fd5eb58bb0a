// Forwarding handlers, sync and async, with and without `reply = ..`, in
// the three forms (`Forward<R>`, `Result<Forward<R>, E>`,
// `Option<Forward<R>>`), and through the dispatch enum.
use tractor::prelude::*;

#[derive(Actor)]
struct Backend {
    value: i64,
}

#[actor]
impl Backend {
    #[message]
    pub fn value(&self) -> i64 {
        self.value
    }
}

#[derive(Actor)]
struct Front {
    backend: ActorRef<Backend>,
    hits: u32,
}

#[actor]
impl Front {
    /// From DESIGN.md's pinned call shapes.
    #[message(reply = i64)]
    fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        self.hits += 1;
        ctx.forward(&self.backend, Value)
    }

    /// `Reply` is `i64`, read from `Forward<i64>`.
    #[message]
    async fn lookup_later(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        tokio::task::yield_now().await;
        ctx.forward(&self.backend, Value)
    }

    /// `Reply` is `Result<i64, String>`.
    #[message]
    fn checked(&mut self, ctx: &mut Context<Self>, ok: bool) -> Result<Forward<i64>, String> {
        if !ok {
            return Err("refused".into());
        }
        Ok(ctx.forward(&self.backend, Value))
    }

    /// The reply written out; an alias of `Result` counts too.
    #[message(reply = std::io::Result<i64>)]
    async fn checked_io(&mut self, ctx: &mut Context<Self>) -> std::io::Result<Forward<i64>> {
        Ok(ctx.forward(&self.backend, Value))
    }

    /// `Reply` is `Option<i64>`.
    #[message]
    async fn maybe(&mut self, ctx: &mut Context<Self>, ok: bool) -> Option<Forward<i64>> {
        tokio::task::yield_now().await;
        ok.then(|| ctx.forward(&self.backend, Value))
    }

    #[message]
    fn hits(&self) -> u32 {
        self.hits
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let backend = runtime.spawn(Backend { value: 42 });
    let front = runtime.spawn(Front { backend, hits: 0 });
    assert_eq!(front.lookup().await?, 42);
    assert_eq!(front.lookup_later().await?, 42);
    assert_eq!(runtime.ask(&front, Lookup).await?, 42);
    let n: i64 = front.ask(LookupLater).await?;
    assert_eq!(n, 42);
    assert!(matches!(front.ask(FrontMessage::from(Lookup)).await?, FrontReply::Lookup(42)));
    assert!(matches!(front.ask(FrontMessage::LookupLater(LookupLater)).await?, FrontReply::LookupLater(42)));
    assert!(matches!(front.ask(FrontMessage::Hits(Hits)).await?, FrontReply::Hits(3)));
    let checked: Result<i64, String> = front.checked(true).await?;
    assert_eq!(checked, Ok(42));
    assert_eq!(front.checked(false).await?, Err("refused".to_string()));
    assert_eq!(front.checked_io().await?.unwrap(), 42);
    let maybe: Option<i64> = front.maybe(true).await?;
    assert_eq!(maybe, Some(42));
    assert_eq!(front.maybe(false).await?, None);
    assert!(matches!(front.ask(FrontMessage::from(Checked { ok: true })).await?, FrontReply::Checked(Ok(42))));
    runtime.shutdown().await;
    Ok(())
}
