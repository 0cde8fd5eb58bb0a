//! A loom copy of the part of tokio's `Notify` the waiting send relies on,
//! for the models (tokio's own is built on std's primitives, which loom
//! cannot interleave). What it keeps of tokio's documented behaviour:
//!
//! - `notify_one` wakes one registered waiter (the oldest), or stores one
//!   permit if none is registered; a `Notified` takes the permit when it is
//!   first polled or enabled.
//! - `notify_waiters` wakes every waiter registered, and every `Notified`
//!   created before the call, and stores no permit.
//! - A `Notified` woken by `notify_one` and dropped before it saw the
//!   wakeup passes it on to the next waiter (or back as the permit).
//!
//! Everything is under one loom mutex.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use loom::sync::Mutex;

pub(crate) struct Notify {
    inner: Mutex<Inner>,
}

struct Inner {
    permit: bool,
    /// Calls to `notify_waiters` so far.
    calls: usize,
    next_id: u64,
    /// Registered waiters, oldest first.
    waiters: VecDeque<(u64, Option<Waker>)>,
    /// Waiters taken off the list by a notification they have not seen yet.
    notified: Vec<(u64, Kind)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    One,
    All,
}

impl Inner {
    fn notify_one(&mut self) {
        match self.waiters.pop_front() {
            Some((id, waker)) => {
                self.notified.push((id, Kind::One));
                if let Some(w) = waker {
                    w.wake();
                }
            }
            None => self.permit = true,
        }
    }

    fn take_notified(&mut self, id: u64) -> Option<Kind> {
        let at = self.notified.iter().position(|&(n, _)| n == id)?;
        Some(self.notified.swap_remove(at).1)
    }
}

impl Notify {
    pub(crate) fn new() -> Self {
        Notify {
            inner: Mutex::new(Inner {
                permit: false,
                calls: 0,
                next_id: 0,
                waiters: VecDeque::new(),
                notified: Vec::new(),
            }),
        }
    }

    pub(crate) fn notified(&self) -> Notified<'_> {
        let mut inner = self.inner.lock().unwrap();
        let id = inner.next_id;
        inner.next_id += 1;
        Notified { notify: self, id, calls: inner.calls, state: State::Init }
    }

    pub(crate) fn notify_one(&self) {
        self.inner.lock().unwrap().notify_one();
    }

    pub(crate) fn notify_waiters(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.calls += 1;
        while let Some((id, waker)) = inner.waiters.pop_front() {
            inner.notified.push((id, Kind::All));
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Init,
    Waiting,
    Done,
}

pub(crate) struct Notified<'a> {
    notify: &'a Notify,
    id: u64,
    /// `notify_waiters` calls when it was created.
    calls: usize,
    state: State,
}

impl Notified<'_> {
    /// Registers for `notify_one`, as tokio's `Notified::enable` does; `true`
    /// if already notified.
    pub(crate) fn enable(self: Pin<&mut Self>) -> bool {
        self.get_mut().poll_with(None).is_ready()
    }

    fn poll_with(&mut self, waker: Option<&Waker>) -> Poll<()> {
        let mut inner = self.notify.inner.lock().unwrap();
        match self.state {
            State::Done => return Poll::Ready(()),
            State::Init => {
                if inner.calls != self.calls || std::mem::take(&mut inner.permit) {
                    self.state = State::Done;
                    return Poll::Ready(());
                }
                inner.waiters.push_back((self.id, waker.cloned()));
                self.state = State::Waiting;
            }
            State::Waiting => {
                if inner.take_notified(self.id).is_some() {
                    self.state = State::Done;
                    return Poll::Ready(());
                }
                if let Some(w) = waker
                    && let Some(slot) = inner.waiters.iter_mut().find(|(n, _)| *n == self.id)
                {
                    slot.1 = Some(w.clone());
                }
            }
        }
        Poll::Pending
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_with(Some(cx.waker()))
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.state != State::Waiting {
            return;
        }
        let mut inner = self.notify.inner.lock().unwrap();
        inner.waiters.retain(|(n, _)| *n != self.id);
        if inner.take_notified(self.id) == Some(Kind::One) {
            inner.notify_one();
        }
    }
}
