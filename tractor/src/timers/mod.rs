//! Timers and attached streams: [`Context::tell_after`],
//! [`Context::tell_every`], [`Context::timer`] (keyed timers) and
//! [`Context::attach`], with their handles [`Timer`] and [`StreamHandle`].
//!
//! # How a tick travels
//!
//! Each timer or stream has an entry (`source.rs`) shared by its handle, by
//! the actor's list of them (`registry.rs`, in the box its context keeps for
//! its children: `None` until first used), by a small tokio task that sleeps
//! or polls the stream, and by every tick or item of it in the mailbox. The
//! task sends ticks and items into the actor's own mailbox, from the actor
//! itself, as ordinary messages (`message.rs`). So:
//!
//! - they are handled like tells: one at a time, in order, with panic
//!   isolation, `ctx.sender()` being the actor's own id;
//! - a bounded mailbox holds them back: the task waits for room before it
//!   pulls the next item;
//! - an actor that never starts one pays nothing on its message path: there
//!   is no check in the loop, only message types it never receives.
//!
//! A tick or item checks its entry when the actor takes it: a cancel flag,
//! and the incarnation the entry was started in. A cancel sets the flag, so
//! even a tick already queued is dropped; the actor's end (and a restart)
//! starts a new incarnation, so nothing queued for the old one is handled.
//! The task holds the actor weakly (its mailbox's cell, upgraded for each
//! push only), so a timer or stream never keeps an actor alive.
//!
//! The message a timer sends lives in its entry until the tick is handled
//! (a `tell_every` makes it then, with its closure), so a cancel, or the
//! actor's end, drops it at once with the closure or the stream.

mod message;
mod registry;
mod source;

use std::any::type_name;
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use futures_core::Stream;

use self::registry::Key;
pub(crate) use self::registry::Timers;
use self::source::{Entry, Every, Inbox, Once, Switch};
use crate::actor::{Actor, Context};
use crate::message::Message;
use crate::util::short_type_name;

/// A timer started with [`Context::tell_after`] or [`Context::tell_every`]:
/// [`cancel`](Timer::cancel) it to stop its ticks.
///
/// Dropping a `Timer` does not cancel it (keep it to cancel it, or use a
/// [keyed timer](Context::timer)). Every timer ends with its actor: when the
/// actor stops (or restarts), its timers are cancelled and their messages
/// and closures dropped. Clones cancel the same timer.
///
/// A timer does not keep its actor alive: an actor that only has timers is
/// kept alive by its refs, its parent or its name, like any other.
///
/// In logs and crash reports a tick's message type reads `TimerTick<Flush>`
/// (and an attached stream's item `StreamItem<Line>`), its sender being the
/// actor itself.
#[derive(Clone)]
pub struct Timer {
    entry: Arc<dyn Switch>,
}

impl Timer {
    /// Cancels the timer: once this returns, no tick of it is handled, even
    /// one already queued in the mailbox, and its message (or its closure)
    /// is dropped, here. A tick whose handling has already begun (when this
    /// is called from another task, or from the `tell_every` closure itself)
    /// runs to its end, and a closure that is running then is dropped as it
    /// returns. Cancelling a timer that is over does nothing.
    pub fn cancel(&self) {
        self.entry.cancel();
    }

    /// `true` until the timer is cancelled, its actor stops, or (for a
    /// [`tell_after`](Context::tell_after)) its tick has been handled.
    pub fn is_active(&self) -> bool {
        self.entry.is_active()
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer").field("active", &self.is_active()).finish()
    }
}

/// A stream attached with [`Context::attach`]: [`cancel`](StreamHandle::cancel)
/// it to stop its items.
///
/// Dropping the handle does not detach the stream. Every attached stream
/// ends with its actor: when the actor stops (or restarts), its streams are
/// dropped. Clones cancel the same stream.
///
/// A stream does not keep its actor alive: an actor that only has streams is
/// kept alive by its refs, its parent or its name, like any other.
#[derive(Clone)]
pub struct StreamHandle {
    entry: Arc<dyn Switch>,
}

impl StreamHandle {
    /// Detaches the stream: once this returns, no item of it is handled,
    /// even one already queued in the mailbox, and the stream is dropped,
    /// here. An item whose handling has already begun (when this is called
    /// from another task) runs to its end.
    pub fn cancel(&self) {
        self.entry.cancel();
    }

    /// `true` until the stream is cancelled, its actor stops, or the stream
    /// has ended (its last items may still be queued, and are handled).
    pub fn is_active(&self) -> bool {
        self.entry.is_active()
    }
}

impl fmt::Debug for StreamHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamHandle").field("active", &self.is_active()).finish()
    }
}

/// The timer of one key, from [`Context::timer`]: starting a timer under a
/// key in use replaces the one there, as Akka's `TimerScheduler` does.
///
/// ```
/// # use std::time::Duration;
/// # use tractor::prelude::*;
/// # #[derive(Actor)] struct Session;
/// # #[actor] impl Session { #[message] fn idle(&mut self, ctx: &mut Context<Self>) { ctx.stop() } }
/// # fn touch(ctx: &mut Context<Session>) {
/// // An idle timeout, moved on at every touch: one line.
/// ctx.timer("idle").tell_after(Duration::from_secs(30), Idle);
/// # }
/// ```
pub struct KeyedTimer<'a, A: Actor, K> {
    ctx: &'a mut Context<A>,
    key: K,
}

impl<A: Actor, K: Hash + Eq + Send + Sync + 'static> KeyedTimer<'_, A, K> {
    /// [`tell_after`](Context::tell_after) under this key: the timer there
    /// before (if any) is cancelled, with the guarantee of
    /// [`Timer::cancel`] (a tick of it already queued is not handled).
    pub fn tell_after<M: Message<A>>(self, delay: Duration, msg: M) -> Timer {
        let entry = start_after(self.ctx, delay, msg);
        self.ctx.children().timers().add_keyed(Key::new(self.key), Arc::clone(&entry));
        Timer { entry }
    }

    /// [`tell_every`](Context::tell_every) under this key: the timer there
    /// before (if any) is cancelled, as for
    /// [`tell_after`](KeyedTimer::tell_after).
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    pub fn tell_every<M, F>(self, period: Duration, make: F) -> Timer
    where
        M: Message<A>,
        F: FnMut() -> M + Send + 'static,
    {
        let entry = start_every(self.ctx, period, make);
        self.ctx.children().timers().add_keyed(Key::new(self.key), Arc::clone(&entry));
        Timer { entry }
    }

    /// Cancels the timer under this key, if any, as [`Timer::cancel`] does.
    pub fn cancel(self) {
        if let Some(timers) = self.ctx.children().timers_if_any() {
            timers.cancel_key(&self.key);
        }
    }

    /// `true` if a timer under this key is active (see [`Timer::is_active`]).
    pub fn is_active(self) -> bool {
        self.ctx.children().timers_if_any().is_some_and(|t| t.is_active_key(&self.key))
    }
}

impl<A: Actor, K> fmt::Debug for KeyedTimer<'_, A, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedTimer")
            .field("actor", &self.ctx.id())
            .field("key", &short_type_name(type_name::<K>()))
            .finish()
    }
}

/// The actor's mailbox, weakly, for a timer's or stream's task.
fn inbox<A: Actor>(ctx: &Context<A>) -> Inbox<A> {
    Inbox::new(ctx.cell_weak(), Arc::clone(ctx.control()))
}

fn start_after<A: Actor, M: Message<A>>(ctx: &mut Context<A>, delay: Duration, msg: M) -> Arc<dyn Switch> {
    let entry = Entry::new(ctx.children().timers().incarnation(), Once(msg));
    let task = tokio::spawn(source::after(inbox(ctx), Arc::clone(&entry), delay));
    entry.set_task(task.abort_handle());
    entry
}

fn start_every<A, M, F>(ctx: &mut Context<A>, period: Duration, make: F) -> Arc<dyn Switch>
where
    A: Actor,
    M: Message<A>,
    F: FnMut() -> M + Send + 'static,
{
    assert!(!period.is_zero(), "`tell_every` needs a period above zero");
    let entry = Entry::new(ctx.children().timers().incarnation(), Every(make));
    let task = tokio::spawn(source::every(inbox(ctx), Arc::clone(&entry), period));
    entry.set_task(task.abort_handle());
    entry
}

impl<A: Actor> Context<A> {
    /// Tells this actor `msg` once, `delay` from now, as if the actor had
    /// told itself ([`sender`](Context::sender) is its own id).
    ///
    /// - [`Timer::cancel`] stops it: once `cancel` returns, the tick is not
    ///   handled even if it is already queued, and `msg` is dropped.
    /// - `msg` stays with the timer until the tick is handled; the actor's
    ///   end (or restart) drops it with the timer.
    /// - It waits for room in a full bounded mailbox, like a `tell`.
    /// - It does not keep the actor alive (see [`Timer`]).
    ///
    /// For a timer that a later call replaces (a debounce, an idle timeout),
    /// see [`timer`](Context::timer).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tractor::prelude::*;
    ///
    /// /// Buffers lines and writes them out 10 ms after the first one.
    /// #[derive(Actor, Default)]
    /// struct Buffer {
    ///     lines: Vec<String>,
    ///     written: usize,
    /// }
    ///
    /// #[actor]
    /// impl Buffer {
    ///     #[message]
    ///     pub fn push(&mut self, ctx: &mut Context<Self>, line: String) {
    ///         if self.lines.is_empty() {
    ///             ctx.tell_after(Duration::from_millis(10), Flush);
    ///         }
    ///         self.lines.push(line);
    ///     }
    ///
    ///     #[message]
    ///     pub fn flush(&mut self) {
    ///         self.written += self.lines.drain(..).count();
    ///     }
    ///
    ///     #[message]
    ///     pub fn written(&self) -> usize {
    ///         self.written
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// let buffer = runtime.spawn(Buffer::default());
    /// buffer.push("a".to_string()).tell().await?;
    /// buffer.push("b".to_string()).tell().await?;
    /// assert_eq!(buffer.written().await?, 0);
    /// tokio::time::sleep(Duration::from_millis(20)).await;
    /// assert_eq!(buffer.written().await?, 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn tell_after<M: Message<A>>(&mut self, delay: Duration, msg: M) -> Timer {
        let entry = start_after(self, delay, msg);
        self.children().timers().add(Arc::clone(&entry));
        Timer { entry }
    }

    /// Tells this actor `make()` every `period`, as if the actor had told
    /// itself, until the timer is cancelled or the actor stops.
    ///
    /// `make` runs on the actor, when it takes the tick (a panic in it is
    /// the actor's, with the usual isolation); [`Timer::cancel`] stops the
    /// ticks, even one already queued, and drops `make`.
    ///
    /// # Fixed delay, and missed ticks
    ///
    /// The first tick comes `period` after this call, and each next one
    /// `period` after the actor took the one before. So a timer has at most
    /// one tick in the mailbox, and its ticks are never closer than
    /// `period`. An actor that is busy (or whose bounded mailbox is full)
    /// when a tick is due gets it late, once, and the next one a full period
    /// after that: what tokio calls `MissedTickBehavior::Delay`, measured
    /// from when the actor takes the tick. Never a burst of catch-up ticks
    /// (tokio's default, `Burst`), which would land on an actor just when it
    /// is behind, and never a backlog that grows in an unbounded mailbox
    /// behind a slow handler. The price is drift: each period also counts
    /// the time its tick waited in the mailbox (none for an idle actor). For
    /// ticks on a clock grid, read the time in the handler.
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tractor::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Heart {
    ///     beats: u32,
    ///     beat: Option<Timer>,
    /// }
    ///
    /// impl Actor for Heart {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         self.beat = Some(ctx.tell_every(Duration::from_millis(10), || Beat));
    ///         Ok(())
    ///     }
    /// }
    ///
    /// #[actor]
    /// impl Heart {
    ///     #[message]
    ///     pub fn beat(&mut self) {
    ///         self.beats += 1;
    ///         if self.beats == 3 {
    ///             self.beat.take().unwrap().cancel(); // no fourth beat
    ///         }
    ///     }
    ///
    ///     #[message]
    ///     pub fn beats(&self) -> u32 {
    ///         self.beats
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// let heart = runtime.spawn(Heart::default());
    /// tokio::time::sleep(Duration::from_millis(100)).await;
    /// assert_eq!(heart.beats().await?, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn tell_every<M, F>(&mut self, period: Duration, make: F) -> Timer
    where
        M: Message<A>,
        F: FnMut() -> M + Send + 'static,
    {
        let entry = start_every(self, period, make);
        self.children().timers().add(Arc::clone(&entry));
        Timer { entry }
    }

    /// The timer under `key` (any `Hash + Eq` value: a `&'static str`, an
    /// enum, a session id): starting one there replaces the one that was,
    /// with the guarantee of [`Timer::cancel`]. A debounce or an idle
    /// timeout is one line:
    ///
    /// ```
    /// use std::time::Duration;
    /// use tractor::prelude::*;
    ///
    /// /// Saves 50 ms after the last edit, however many came.
    /// #[derive(Actor, Default)]
    /// struct Editor {
    ///     edits: u32,
    ///     saves: u32,
    /// }
    ///
    /// #[actor]
    /// impl Editor {
    ///     #[message]
    ///     pub fn edit(&mut self, ctx: &mut Context<Self>) {
    ///         self.edits += 1;
    ///         ctx.timer("save").tell_after(Duration::from_millis(50), Save);
    ///     }
    ///
    ///     #[message]
    ///     pub fn save(&mut self) {
    ///         self.saves += 1;
    ///     }
    ///
    ///     #[message]
    ///     pub fn saves(&self) -> u32 {
    ///         self.saves
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), tractor::Error> {
    /// let runtime = Runtime::new();
    /// let editor = runtime.spawn(Editor::default());
    /// for _ in 0..5 {
    ///     editor.edit().tell().await?;
    ///     tokio::time::sleep(Duration::from_millis(10)).await;
    /// }
    /// tokio::time::sleep(Duration::from_millis(100)).await;
    /// assert_eq!(editor.saves().await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Keys of different types never clash: `1u32` and `1u64` are two keys.
    pub fn timer<K: Hash + Eq + Send + Sync + 'static>(&mut self, key: K) -> KeyedTimer<'_, A, K> {
        KeyedTimer { ctx: self, key }
    }

    /// Attaches `stream` to this actor: each item is handled as a message,
    /// as if the actor had told it to itself ([`sender`](Context::sender)
    /// is its own id), in the stream's order.
    ///
    /// - Back-pressure: the next item is pulled only once the last one is
    ///   in the mailbox, so a full bounded mailbox holds the stream back
    ///   (one item pulled ahead, waiting for room) and nothing is dropped.
    ///   On an unbounded mailbox a fast stream's items queue up.
    /// - A stream that ends does not stop the actor. For an end marker, chain
    ///   one: the dispatch enum `#[actor]` generates makes "item or end" one
    ///   type (see the example).
    /// - [`StreamHandle::cancel`] detaches it: once `cancel` returns, no item
    ///   of it is handled, even one already queued, and the stream is
    ///   dropped. The actor's end (or restart) does the same.
    /// - A panic in the stream's `poll_next` ends the stream and is the
    ///   actor's, like a panic in a handler (`on_panic` decides, the crash
    ///   policy is told), once the items before it are handled.
    /// - It does not keep the actor alive (see [`StreamHandle`]).
    ///
    /// Any [`futures_core::Stream`] will do: tokio-stream's wrappers, the
    /// `futures` crate's combinators, a hand-written one.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::stream::{self, BoxStream, StreamExt};
    /// use tokio::sync::oneshot;
    /// use tractor::prelude::*;
    ///
    /// struct Summer {
    ///     numbers: Option<BoxStream<'static, SummerMessage>>,
    ///     total: i64,
    ///     done: Option<oneshot::Sender<i64>>,
    /// }
    ///
    /// impl Actor for Summer {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         ctx.attach(self.numbers.take().unwrap());
    ///         Ok(())
    ///     }
    /// }
    ///
    /// #[actor]
    /// impl Summer {
    ///     #[message]
    ///     pub fn add(&mut self, n: i64) {
    ///         self.total += n;
    ///     }
    ///
    ///     /// The end marker chained after the numbers.
    ///     #[message]
    ///     pub fn end(&mut self) {
    ///         let _ = self.done.take().unwrap().send(self.total);
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let numbers = stream::iter(1..=4)
    ///     .map(|n| SummerMessage::from(Add { n }))
    ///     .chain(stream::once(async { SummerMessage::from(End) }));
    /// let (done, total) = oneshot::channel();
    /// let runtime = Runtime::new();
    /// let summer = runtime.spawn(Summer { numbers: Some(numbers.boxed()), total: 0, done: Some(done) });
    /// assert_eq!(total.await.unwrap(), 10);
    /// assert!(summer.is_alive(), "the end of a stream does not stop the actor");
    /// # }
    /// ```
    pub fn attach<S>(&mut self, stream: S) -> StreamHandle
    where
        S: Stream + Send + 'static,
        S::Item: Message<A>,
    {
        let entry = Entry::new(self.children().timers().incarnation(), Box::pin(stream));
        let task = tokio::spawn(source::feed(inbox(self), Arc::clone(&entry)));
        entry.set_task(task.abort_handle());
        let entry: Arc<dyn Switch> = entry;
        self.children().timers().add(Arc::clone(&entry));
        StreamHandle { entry }
    }

    /// Cancels every timer and stream of this actor: nothing queued for
    /// them is handled from now on (a new incarnation begins), their tasks
    /// end and their messages, closures and streams are dropped. Called when
    /// the actor stops, and at each restart, before the next instance starts.
    pub(crate) fn cancel_timers(&mut self) {
        if let Some(timers) = self.children().timers_if_any() {
            timers.cancel_all();
        }
    }
}

/// The restart hook, from inside: supervision (which will call
/// `cancel_timers` between incarnations) is not built yet, so these call it
/// the way a restart will, in the middle of an actor's life.
#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use crate::actor::{Actor, Context};
    use crate::message::Message;
    use crate::runtime::Runtime;

    #[derive(Default)]
    struct Life {
        seen: Arc<Mutex<Vec<&'static str>>>,
    }

    impl Actor for Life {}

    /// Reports its name.
    struct Seen(&'static str);

    impl Message<Life> for Seen {
        type Reply = ();
        async fn handle(self, life: &mut Life, _: &mut Context<Life>) {
            life.seen.lock().unwrap().push(self.0);
        }
    }

    type Job = Box<dyn FnOnce(&mut Context<Life>) + Send>;

    /// Runs a closure on the actor, after `busy`.
    struct Later(Duration, Job);

    impl Message<Life> for Later {
        type Reply = ();
        async fn handle(self, _: &mut Life, ctx: &mut Context<Life>) {
            tokio::time::sleep(self.0).await;
            (self.1)(ctx);
        }
    }

    fn later(busy: Duration, f: impl FnOnce(&mut Context<Life>) + Send + 'static) -> Later {
        Later(busy, Box::new(f))
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_queued_for_an_incarnation_reaches_the_next() {
        let runtime = Runtime::new();
        let life = Life::default();
        let seen = Arc::clone(&life.seen);
        let life = runtime.spawn(life);
        // Old ticks and a stream's item, queued while the actor is busy. The
        // stream ends at once, and four more timers make the list prune it:
        // only the incarnation can still tell its item apart.
        life.tell(later(ms(0), |ctx| {
            ctx.tell_after(ms(10), Seen("old once"));
            ctx.tell_every(ms(10), || Seen("old every"));
            ctx.attach(futures::stream::iter([Seen("old item")]));
        }))
        .await
        .unwrap();
        life.tell(later(ms(30), |ctx| {
            for _ in 0..4 {
                ctx.tell_after(Duration::from_secs(3600), Seen("never"));
            }
            let all = &ctx.children().timers().all;
            assert!(all.len() == 6 && all.iter().all(|e| e.is_active()), "the ended stream was pruned");
            // What a restart does before the next instance starts.
            ctx.cancel_timers();
            ctx.tell_after(ms(10), Seen("new once"));
        }))
        .await
        .unwrap();
        tokio::time::sleep(ms(100)).await;
        life.ask(Seen("probe")).await.unwrap();
        assert_eq!(*seen.lock().unwrap(), ["new once", "probe"]);
        runtime.shutdown().await;
    }
}
