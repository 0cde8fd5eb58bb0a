//! Black-box tests of what `#[actor]` generates: message structs, typed ref
//! methods and every request form, the dispatch and reply enums, generic
//! actors, forwarding handlers, visibility.

use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::watch;

use tractor::prelude::*;

/// Runs `body` under a time limit, so a hang fails the test instead of CI.
async fn bounded<T>(body: impl Future<Output = Result<T, tractor::Error>>) -> T {
    tokio::time::timeout(Duration::from_secs(10), body).await.expect("test hung").expect("test failed")
}

#[derive(Actor, Default)]
struct Account {
    balance: i64,
    log: Vec<String>,
}

#[actor]
impl Account {
    #[message]
    fn deposit(&mut self, amount: i64, memo: String) -> i64 {
        self.balance += amount;
        self.log.push(memo);
        self.balance
    }

    #[message]
    fn balance(&self) -> i64 {
        self.balance
    }

    #[message]
    async fn history(&mut self, ctx: &mut Context<Self>) -> (ActorId, Vec<String>) {
        tokio::task::yield_now().await;
        (ctx.id(), self.log.clone())
    }

    #[message]
    fn reset(&mut self) {
        self.balance = 0;
    }

    /// Not a message: stays an ordinary method.
    fn total_with(&self, extra: i64) -> i64 {
        self.balance + extra
    }
}

#[tokio::test]
async fn structs_have_one_pub_field_per_argument_and_unit_structs_have_none() {
    let deposit = Deposit { amount: 5, memo: "first".into() };
    assert_eq!(deposit.amount, 5);
    assert_eq!(deposit.memo, "first");
    let _unit: Balance = Balance;
    let _unit: Reset = Reset;
    let _ctx_is_not_a_field: History = History;
    assert_eq!(Account::default().total_with(2), 2);
}

#[tokio::test]
async fn every_request_form_works_on_generated_methods() {
    bounded(async {
        let runtime = Runtime::new();
        let account = runtime.spawn(Account::default());

        assert_eq!(account.deposit(10, "a".into()).await?, 10); // ask
        account.deposit(5, "b".into()).tell().await?; // tell
        account.deposit(1, "c".into()).try_tell().map_err(tractor::Error::from)?;
        assert_eq!(account.deposit(0, "d".into()).try_ask().await.map_err(tractor::Error::from)?, 16);
        assert_eq!(account.balance().timeout(Duration::from_secs(5)).await?, 16);

        let (id, log) = account.history().await?;
        assert_eq!(id, account.id());
        assert_eq!(log, ["a", "b", "c", "d"]);

        account.reset().await?;
        assert_eq!(account.balance().await?, 0);
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn generated_methods_send_the_same_message_as_ask() {
    bounded(async {
        let runtime = Runtime::new();
        let account = runtime.spawn(Account::default());
        account.ask(Deposit { amount: 2, memo: "x".into() }).await?;
        runtime.tell(&account, Deposit { amount: 3, memo: "y".into() }).await?;
        assert_eq!(runtime.ask(&account, Balance).await?, account.balance().await?);
        let sender: Sender<Deposit, i64> = Sender::from(account.clone());
        assert_eq!(sender.ask(Deposit { amount: 1, memo: "z".into() }).await?, 6);
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn dispatch_enum_round_trips_every_message() {
    bounded(async {
        let runtime = Runtime::new();
        let account = runtime.spawn(Account::default());

        let messages: Vec<AccountMessage> = vec![
            Deposit { amount: 7, memo: "m".into() }.into(),
            AccountMessage::from(Balance),
            AccountMessage::History(History),
            Reset.into(),
            AccountMessage::Balance(Balance),
        ];
        let mut replies = Vec::new();
        for message in messages {
            replies.push(account.ask(message).await?);
        }
        assert!(matches!(replies[0], AccountReply::Deposit(7)));
        assert!(matches!(replies[1], AccountReply::Balance(7)));
        assert!(matches!(&replies[2], AccountReply::History((id, log)) if *id == account.id() && log == &["m"]));
        assert!(matches!(replies[3], AccountReply::Reset(())));
        assert!(matches!(replies[4], AccountReply::Balance(0)));

        // The enum is a message like any other: tell works too.
        account.tell(AccountMessage::from(Deposit { amount: 1, memo: "t".into() })).await?;
        assert_eq!(account.balance().await?, 1);
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[derive(Actor)]
struct Stack<T: Send + 'static> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + Clone + 'static> Stack<T> {
    #[message]
    fn push(&mut self, item: T) -> usize {
        self.items.push(item);
        self.items.len()
    }

    #[message]
    fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    #[message]
    async fn drain(&mut self) -> Vec<T> {
        std::mem::take(&mut self.items)
    }

    #[message]
    fn push_all(&mut self, items: Vec<T>) {
        self.items.extend(items);
    }
}

#[tokio::test]
async fn generic_actors_carry_only_the_generics_each_message_uses() {
    bounded(async {
        let runtime = Runtime::new();
        let numbers = runtime.spawn(Stack { items: Vec::<u32>::new() });
        let words = runtime.spawn(Stack { items: vec!["a".to_string()] });

        assert_eq!(numbers.push(1).await?, 1);
        numbers.push_all(vec![2, 3]).await?;
        assert_eq!(numbers.pop().await?, Some(3));
        // `Pop` is not generic: the same value goes to stacks of any type.
        assert_eq!(numbers.ask(Pop).await?, Some(2));
        assert_eq!(words.ask(Pop).await?, Some("a".to_string()));
        assert_eq!(numbers.drain().await?, vec![1]);

        let reply: StackReply<u32> = numbers.ask(StackMessage::from(Push { item: 9u32 })).await?;
        assert!(matches!(reply, StackReply::Push(1)));
        let reply = numbers.ask(StackMessage::<u32>::Drain(Drain)).await?;
        assert!(matches!(reply, StackReply::Drain(items) if items == [9]));
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[derive(Actor)]
struct Warehouse {
    value: i64,
    /// `slow_value` answers only once this is `true`.
    open: watch::Receiver<bool>,
}

impl Warehouse {
    fn new(value: i64) -> (Self, watch::Sender<bool>) {
        let (open, closed) = watch::channel(false);
        (Warehouse { value, open: closed }, open)
    }
}

#[actor]
impl Warehouse {
    /// Parks until the warehouse is opened.
    #[message]
    async fn slow_value(&self) -> i64 {
        let mut open = self.open.clone();
        let _ = open.wait_for(|open| *open).await;
        self.value
    }

    #[message]
    fn value(&self) -> i64 {
        self.value
    }
}

#[derive(Actor)]
struct Proxy {
    warehouse: ActorRef<Warehouse>,
    seen: u32,
}

#[actor]
impl Proxy {
    /// Sync forward: the proxy is free as soon as the forward is handed over.
    #[message(reply = i64)]
    fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        self.seen += 1;
        ctx.forward(&self.warehouse, SlowValue)
    }

    /// Async forward, reply read from `Forward<i64>`.
    #[message]
    async fn lookup_after_yield(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        tokio::task::yield_now().await;
        self.seen += 1;
        ctx.forward(&self.warehouse, Value)
    }

    /// Async forward to the parked `SlowValue`.
    #[message]
    async fn slow_lookup_after_yield(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
        tokio::task::yield_now().await;
        self.seen += 1;
        ctx.forward(&self.warehouse, SlowValue)
    }

    #[message]
    fn seen(&self) -> u32 {
        self.seen
    }
}

/// Polls `fut` once.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// Asks the proxy how many lookups it handled, for a shorter time than the
/// test's bound: a proxy blocked on a forward never answers.
async fn seen_while_forward_parked(proxy: &ActorRef<Proxy>) -> u32 {
    tokio::time::timeout(Duration::from_secs(5), proxy.seen())
        .await
        .expect("the proxy did not answer while the warehouse held its forward: the forward blocks the forwarder")
        .unwrap()
}

#[tokio::test]
async fn forwarding_methods_reply_with_the_targets_reply() {
    bounded(async {
        let runtime = Runtime::new();
        let (warehouse, open) = Warehouse::new(42);
        open.send(true).unwrap();
        let warehouse = runtime.spawn(warehouse);
        let proxy = runtime.spawn(Proxy { warehouse, seen: 0 });

        assert_eq!(proxy.lookup().await?, 42);
        assert_eq!(proxy.lookup_after_yield().await?, 42);
        assert_eq!(proxy.slow_lookup_after_yield().await?, 42);
        assert_eq!(runtime.ask(&proxy, Lookup).await?, 42);
        assert!(matches!(proxy.ask(ProxyMessage::from(Lookup)).await?, ProxyReply::Lookup(42)));
        assert!(matches!(proxy.ask(ProxyMessage::from(LookupAfterYield)).await?, ProxyReply::LookupAfterYield(42)));
        assert_eq!(proxy.seen().await?, 6);
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_forwarding_actor_answers_its_next_message_while_the_forward_is_in_work() {
    bounded(async {
        let runtime = Runtime::new();
        let (warehouse, open) = Warehouse::new(7);
        let warehouse = runtime.spawn(warehouse);
        let proxy = runtime.spawn(Proxy { warehouse, seen: 0 });

        // Delivered on the first poll; the warehouse parks on it until opened.
        let mut slow = Box::pin(proxy.lookup().into_future());
        let mut slow_async = Box::pin(proxy.slow_lookup_after_yield().into_future());
        assert!(poll_once(&mut slow).await.is_pending());
        assert!(poll_once(&mut slow_async).await.is_pending());
        assert_eq!(seen_while_forward_parked(&proxy).await, 2, "the proxy handled both lookups");
        assert!(poll_once(&mut slow).await.is_pending(), "answered before the warehouse was opened");
        assert!(poll_once(&mut slow_async).await.is_pending(), "answered before the warehouse was opened");
        open.send(true).unwrap();
        assert_eq!(slow.await?, 7);
        assert_eq!(slow_async.await?, 7);
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_forward_through_the_dispatch_enum_does_not_block_the_forwarder() {
    bounded(async {
        let runtime = Runtime::new();
        let (warehouse, open) = Warehouse::new(7);
        let warehouse = runtime.spawn(warehouse);
        let proxy = runtime.spawn(Proxy { warehouse, seen: 0 });

        let mut slow = Box::pin(proxy.ask(ProxyMessage::from(Lookup)).into_future());
        let mut slow_async = Box::pin(proxy.ask(ProxyMessage::from(SlowLookupAfterYield)).into_future());
        assert!(poll_once(&mut slow).await.is_pending());
        assert!(poll_once(&mut slow_async).await.is_pending());
        assert_eq!(seen_while_forward_parked(&proxy).await, 2, "the proxy handled both lookups");
        assert!(poll_once(&mut slow).await.is_pending(), "answered before the warehouse was opened");
        open.send(true).unwrap();
        assert!(matches!(slow.await?, ProxyReply::Lookup(7)));
        assert!(matches!(slow_async.await?, ProxyReply::SlowLookupAfterYield(7)));
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn handle_called_directly_runs_the_method() {
    // `Message::handle` is public: calling it directly (as a wrapper message
    // might) runs the method, and waits out a forward.
    bounded(async {
        let runtime = Runtime::new();
        let (warehouse, open) = Warehouse::new(3);
        open.send(true).unwrap();
        let warehouse = runtime.spawn(warehouse);
        let proxy = runtime.spawn(Proxy { warehouse, seen: 0 });
        assert_eq!(proxy.ask(Wrapped(Lookup)).await?, 3);
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}

/// Hand-written: handles an inner message of the same actor by calling its
/// `handle` directly.
struct Wrapped<M>(M);

impl<M: Message<Proxy>> Message<Proxy> for Wrapped<M> {
    type Reply = M::Reply;

    async fn handle(self, proxy: &mut Proxy, ctx: &mut Context<Proxy>) -> M::Reply {
        self.0.handle(proxy, ctx).await
    }
}

mod visibility {
    pub mod bank {
        use tractor::prelude::*;

        #[derive(Actor, Default)]
        pub struct Vault {
            gold: u32,
        }

        #[actor]
        impl Vault {
            #[message]
            pub fn store(&mut self, gold: u32) {
                self.gold += gold;
            }

            #[message]
            pub(crate) fn count(&self) -> u32 {
                self.gold
            }

            #[message]
            fn audit(&self) -> bool {
                true
            }

            pub async fn audit_via(vault: &ActorRef<Vault>) -> Result<bool, tractor::Error> {
                vault.audit().await
            }
        }
    }

    #[tokio::test]
    async fn structs_keep_the_methods_visibility_and_one_glob_import_brings_the_ref_methods() {
        use bank::*;
        super::bounded(async {
            let runtime = tractor::Runtime::new();
            let vault = runtime.spawn(Vault::default());
            vault.store(3).await?;
            vault.tell(Store { gold: 2 }).await?;
            assert_eq!(vault.count().await?, 5);
            assert_eq!(vault.ask(Count).await?, 5);
            assert!(Vault::audit_via(&vault).await?);
            runtime.shutdown().await;
            Ok(())
        })
        .await;
    }
}

/// Messages of very different sizes share one dispatch enum without lints.
#[derive(Actor, Default)]
struct Buffer {
    bytes: Vec<u8>,
}

#[actor]
impl Buffer {
    #[message]
    fn write_block(&mut self, block: [u8; 4096]) -> usize {
        self.bytes.extend_from_slice(&block);
        self.bytes.len()
    }

    #[message]
    fn len(&self) -> usize {
        self.bytes.len()
    }

    /// `Self` in an argument or the reply means the actor.
    #[message]
    fn merge_into(&mut self, other: ActorRef<Self>) -> Option<ActorRef<Self>> {
        self.bytes.clear();
        Some(other)
    }
}

#[tokio::test]
async fn self_in_fields_and_replies_means_the_actor() {
    bounded(async {
        let runtime = Runtime::new();
        let a = runtime.spawn(Buffer::default());
        let b = runtime.spawn(Buffer::default());
        assert_eq!(a.write_block([1; 4096]).await?, 4096);
        let back: Option<ActorRef<Buffer>> = a.merge_into(b.clone()).await?;
        assert_eq!(back, Some(b));
        assert!(matches!(a.ask(BufferMessage::from(Len)).await?, BufferReply::Len(0)));
        runtime.shutdown().await;
        Ok(())
    })
    .await;
}
