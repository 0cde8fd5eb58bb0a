//! Deferred replies: `ctx.reply_later()` and `ReplyTo`. Answered from
//! anywhere at any time (before the handler returns, from another task,
//! after the actor stopped); dropped unanswered, the asker gets
//! `is_stopped`; under a tell or for an asker who gave up, answering is a
//! quiet no-op and `is_closed` says so; only the returned `Forward` is
//! connected; the `Result`/`Option` handler forms and the dispatch enum.

mod support;

use std::time::Duration;

use support::within;
use tokio::sync::mpsc;
use tractor::prelude::*;

/// Keeps deferred replies and answers them when told.
struct Desk {
    waiting: Vec<(u32, ReplyTo<u32>)>,
    /// Told each time a reply is deferred, so a test knows the handler ran.
    deferred: mpsc::UnboundedSender<u32>,
    /// A reply deferred in `on_start`, where there is no asker.
    from_start: Option<ReplyTo<u32>>,
}

impl Desk {
    fn new() -> (Self, mpsc::UnboundedReceiver<u32>) {
        let (deferred, rx) = mpsc::unbounded_channel();
        (Desk { waiting: Vec::new(), deferred, from_start: None }, rx)
    }

    fn keep(&mut self, tag: u32, reply_to: ReplyTo<u32>) {
        self.waiting.push((tag, reply_to));
        let _ = self.deferred.send(tag);
    }
}

impl Actor for Desk {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let (_later, reply_to) = ctx.reply_later::<u32>();
        self.from_start = Some(reply_to);
        Ok(())
    }
}

#[actor]
impl Desk {
    /// Defers the reply; `tag` names the asker.
    #[message(reply = u32)]
    fn later(&mut self, ctx: &mut Context<Self>, tag: u32) -> Forward<u32> {
        let (later, reply_to) = ctx.reply_later();
        self.keep(tag, reply_to);
        later
    }

    /// Answers before the handler has even returned.
    #[message(reply = u32)]
    fn at_once(&mut self, ctx: &mut Context<Self>, value: u32) -> Forward<u32> {
        let (later, reply_to) = ctx.reply_later();
        reply_to.send(value);
        later
    }

    /// Answers from a task of its own.
    #[message(reply = u32)]
    fn in_task(&mut self, ctx: &mut Context<Self>, value: u32) -> Forward<u32> {
        let (later, reply_to) = ctx.reply_later();
        tokio::spawn(async move { reply_to.send(value) });
        later
    }

    /// Two deferred replies; only the second is returned.
    #[message(reply = u32)]
    fn twice(&mut self, ctx: &mut Context<Self>) -> Forward<u32> {
        let (_first, first) = ctx.reply_later();
        let (second, reply_to) = ctx.reply_later();
        self.keep(1, first);
        self.keep(2, reply_to);
        second
    }

    /// `Ok` defers, `Err` answers at once (after making a reply it drops).
    #[message]
    fn checked(&mut self, ctx: &mut Context<Self>, ok: bool) -> Result<Forward<u32>, String> {
        let (later, reply_to) = ctx.reply_later();
        self.keep(0, reply_to);
        if ok { Ok(later) } else { Err("refused".to_string()) }
    }

    /// `Some` defers, `None` answers at once.
    #[message]
    fn maybe(&mut self, ctx: &mut Context<Self>, some: bool) -> Option<Forward<u32>> {
        let (later, reply_to) = ctx.reply_later();
        self.keep(0, reply_to);
        some.then_some(later)
    }

    /// An async handler: the `Forward` is made after its last await.
    #[message(reply = u32)]
    async fn after_await(&mut self, ctx: &mut Context<Self>) -> Forward<u32> {
        tokio::task::yield_now().await;
        let (later, reply_to) = ctx.reply_later();
        self.keep(0, reply_to);
        later
    }

    /// Answers every deferred reply with `tag * 10`, newest first.
    #[message]
    fn answer_all(&mut self) {
        while let Some((tag, reply_to)) = self.waiting.pop() {
            reply_to.send(tag * 10);
        }
    }

    /// Drops every deferred reply unanswered.
    #[message]
    fn drop_all(&mut self) {
        self.waiting.clear();
    }

    /// Hands the deferred replies out, to be answered from outside.
    #[message]
    fn take(&mut self) -> Vec<ReplyTo<u32>> {
        self.waiting.drain(..).map(|(_, r)| r).collect()
    }

    /// Whether each deferred reply would reach nobody.
    #[message]
    fn closed(&self) -> Vec<bool> {
        self.waiting.iter().map(|(_, r)| r.is_closed()).collect()
    }

    /// Whether the reply deferred in `on_start` would reach nobody.
    #[message]
    fn start_reply_closed(&self) -> bool {
        self.from_start.as_ref().is_some_and(ReplyTo::is_closed)
    }

    #[message]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

fn spawn_desk(runtime: &Runtime) -> (ActorRef<Desk>, mpsc::UnboundedReceiver<u32>) {
    let (desk, deferred) = Desk::new();
    (runtime.spawn(desk), deferred)
}

/// Asks `later(tag)` on a task of its own and waits until the reply is deferred.
async fn ask_later(
    desk: &ActorRef<Desk>,
    deferred: &mut mpsc::UnboundedReceiver<u32>,
    tag: u32,
) -> tokio::task::JoinHandle<Result<u32, Error>> {
    let asker = tokio::spawn({
        let desk = desk.clone();
        async move { desk.later(tag).await }
    });
    assert_eq!(within(deferred.recv()).await, Some(tag));
    asker
}

async fn answered_later_while_the_actor_handles_other_messages() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let asker = ask_later(&desk, &mut deferred, 4).await;
    // The desk is free while the reply is pending.
    assert_eq!(within(desk.ping()).await.unwrap(), "pong");
    assert!(!asker.is_finished());
    within(desk.answer_all().tell()).await.unwrap();
    assert_eq!(within(asker).await.unwrap().unwrap(), 40);
    within(runtime.shutdown()).await;
}

async fn answered_before_the_handler_returns_or_from_another_task() {
    let runtime = Runtime::new();
    let (desk, _deferred) = spawn_desk(&runtime);
    assert_eq!(within(desk.at_once(5)).await.unwrap(), 5);
    for n in 0..100 {
        assert_eq!(within(desk.in_task(n)).await.unwrap(), n);
    }
    within(runtime.shutdown()).await;
}

async fn each_asker_gets_its_own_answer_in_any_order() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let mut askers = Vec::new();
    for tag in 1..=50 {
        askers.push((tag, ask_later(&desk, &mut deferred, tag).await));
    }
    // Answered newest first.
    within(desk.answer_all().tell()).await.unwrap();
    for (tag, asker) in askers {
        assert_eq!(within(asker).await.unwrap().unwrap(), tag * 10);
    }
    within(runtime.shutdown()).await;
}

async fn a_dropped_reply_to_fails_its_asker_with_is_stopped() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let asker = ask_later(&desk, &mut deferred, 1).await;
    within(desk.drop_all().tell()).await.unwrap();
    let err = within(asker).await.unwrap().unwrap_err();
    assert!(err.is_stopped(), "{err}");
    // The desk is still fine.
    assert_eq!(within(desk.ping()).await.unwrap(), "pong");
    within(runtime.shutdown()).await;
}

async fn replies_kept_by_an_actor_fail_when_it_stops_or_is_killed() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let stopped = ask_later(&desk, &mut deferred, 1).await;
    within(desk.stop()).await.unwrap();
    assert!(within(stopped).await.unwrap().unwrap_err().is_stopped());

    let (desk, mut deferred) = spawn_desk(&runtime);
    let killed = ask_later(&desk, &mut deferred, 1).await;
    desk.kill();
    assert!(within(killed).await.unwrap().unwrap_err().is_stopped());
    within(runtime.shutdown()).await;
}

async fn an_answer_reaches_the_asker_after_the_actor_stopped() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let asker = ask_later(&desk, &mut deferred, 1).await;
    let mut taken = within(desk.take()).await.unwrap();
    within(desk.stop()).await.unwrap();
    assert!(!desk.is_alive());
    assert!(!asker.is_finished());
    let reply_to = taken.pop().unwrap();
    assert!(!reply_to.is_closed());
    assert_eq!(reply_to.deferred_by(), desk.id());
    reply_to.send(9);
    assert_eq!(within(asker).await.unwrap().unwrap(), 9);
    within(runtime.shutdown()).await;
}

async fn under_a_tell_answering_is_a_quiet_no_op() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    within(desk.later(1).tell()).await.unwrap();
    assert_eq!(within(deferred.recv()).await, Some(1));
    assert_eq!(within(desk.closed()).await.unwrap(), [true]);
    within(desk.answer_all().tell()).await.unwrap();
    assert_eq!(within(desk.ping()).await.unwrap(), "pong");
    // The same from outside the actor.
    within(desk.later(2).tell()).await.unwrap();
    let reply_to = within(desk.take()).await.unwrap().pop().unwrap();
    assert!(reply_to.is_closed());
    reply_to.send(3);
    within(runtime.shutdown()).await;
}

async fn an_asker_who_gave_up_closes_the_reply() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let asker = ask_later(&desk, &mut deferred, 1).await;
    assert_eq!(within(desk.closed()).await.unwrap(), [false]);
    asker.abort();
    assert!(within(asker).await.unwrap_err().is_cancelled());
    assert_eq!(within(desk.closed()).await.unwrap(), [true]);
    within(desk.answer_all().tell()).await.unwrap();

    // A timed-out ask likewise.
    let err = within(desk.later(2).timeout(Duration::from_millis(1))).await.unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(within(deferred.recv()).await, Some(2));
    assert_eq!(within(desk.closed()).await.unwrap(), [true]);
    within(runtime.shutdown()).await;
}

async fn only_the_returned_forward_is_connected() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let asker = tokio::spawn({
        let desk = desk.clone();
        async move { desk.twice().await }
    });
    assert_eq!(within(deferred.recv()).await, Some(1));
    assert_eq!(within(deferred.recv()).await, Some(2));
    // The first pair's forward was dropped with the handler.
    assert_eq!(within(desk.closed()).await.unwrap(), [true, false]);
    let mut taken = within(desk.take()).await.unwrap();
    let (second, first) = (taken.pop().unwrap(), taken.pop().unwrap());
    first.send(1);
    assert!(!asker.is_finished());
    second.send(2);
    assert_eq!(within(asker).await.unwrap().unwrap(), 2);
    // No asker at all in `on_start`.
    assert!(within(desk.start_reply_closed()).await.unwrap());
    within(runtime.shutdown()).await;
}

async fn the_result_and_option_forms_defer_or_answer_at_once() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);

    let asker = tokio::spawn({
        let desk = desk.clone();
        async move { desk.checked(true).await }
    });
    assert_eq!(within(deferred.recv()).await, Some(0));
    let reply_to = within(desk.take()).await.unwrap().pop().unwrap();
    reply_to.send(5);
    assert_eq!(within(asker).await.unwrap().unwrap(), Ok(5));
    assert_eq!(within(desk.checked(false)).await.unwrap(), Err("refused".to_string()));
    assert_eq!(within(deferred.recv()).await, Some(0));
    assert_eq!(within(desk.closed()).await.unwrap(), [true], "the reply an `Err` dropped reaches nobody");
    within(desk.drop_all().tell()).await.unwrap();

    let asker = tokio::spawn({
        let desk = desk.clone();
        async move { desk.maybe(true).await }
    });
    assert_eq!(within(deferred.recv()).await, Some(0));
    let reply_to = within(desk.take()).await.unwrap().pop().unwrap();
    reply_to.send(6);
    assert_eq!(within(asker).await.unwrap().unwrap(), Some(6));
    assert_eq!(within(desk.maybe(false)).await.unwrap(), None);
    assert_eq!(within(deferred.recv()).await, Some(0));
    assert_eq!(within(desk.closed()).await.unwrap(), [true]);
    within(runtime.shutdown()).await;
}

async fn an_async_handler_and_the_dispatch_enum_defer_too() {
    let runtime = Runtime::new();
    let (desk, mut deferred) = spawn_desk(&runtime);
    let asker = tokio::spawn({
        let desk = desk.clone();
        async move { desk.after_await().await }
    });
    assert_eq!(within(deferred.recv()).await, Some(0));
    within(desk.answer_all().tell()).await.unwrap();
    assert_eq!(within(asker).await.unwrap().unwrap(), 0);

    // Through the dispatch enum, the reply comes back as its variant.
    let asker = tokio::spawn({
        let desk = desk.clone();
        async move { desk.ask(DeskMessage::from(Later { tag: 7 })).await }
    });
    assert_eq!(within(deferred.recv()).await, Some(7));
    within(desk.answer_all().tell()).await.unwrap();
    assert!(matches!(within(asker).await.unwrap().unwrap(), DeskReply::Later(70)));
    within(runtime.shutdown()).await;
}

/// Hand-written: handles an inner message of the desk by calling its
/// `handle` directly, which waits out a deferred reply.
struct Wrapped<M>(M);

impl<M: Message<Desk>> Message<Desk> for Wrapped<M> {
    type Reply = M::Reply;

    async fn handle(self, desk: &mut Desk, ctx: &mut Context<Desk>) -> M::Reply {
        self.0.handle(desk, ctx).await
    }
}

async fn handle_called_directly_waits_for_the_deferred_answer() {
    let runtime = Runtime::new();
    let (desk, _deferred) = spawn_desk(&runtime);
    assert_eq!(within(desk.ask(Wrapped(AtOnce { value: 3 }))).await.unwrap(), 3);
    assert_eq!(within(desk.ask(Wrapped(InTask { value: 4 }))).await.unwrap(), 4);
    within(runtime.shutdown()).await;
}

/// `ReplyTo` can go anywhere.
#[test]
fn reply_to_is_send_sync_and_static() {
    fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<ReplyTo<u32>>();
    assert_send_sync_static::<ReplyTo<Vec<String>>>();
}

on_both_runtimes!(
    answered_later_while_the_actor_handles_other_messages,
    answered_before_the_handler_returns_or_from_another_task,
    each_asker_gets_its_own_answer_in_any_order,
    a_dropped_reply_to_fails_its_asker_with_is_stopped,
    replies_kept_by_an_actor_fail_when_it_stops_or_is_killed,
    an_answer_reaches_the_asker_after_the_actor_stopped,
    under_a_tell_answering_is_a_quiet_no_op,
    an_asker_who_gave_up_closes_the_reply,
    only_the_returned_forward_is_connected,
    the_result_and_option_forms_defer_or_answer_at_once,
    an_async_handler_and_the_dispatch_enum_defer_too,
    handle_called_directly_waits_for_the_deferred_answer,
);
