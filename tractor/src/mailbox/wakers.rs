//! The two wakers of an actor, behind one lock.

use std::task::Waker;

use super::sync::{Mutex, MutexGuard};

/// The task's own waker and the one `recv` waits under.
pub(crate) struct Wakers {
    slots: Mutex<Slots>,
}

struct Slots {
    /// The actor task's own, registered once when the task starts, so a stop
    /// or kill can wake it wherever it is parked.
    task: Option<Waker>,
    /// Whoever waits in `Context::recv`; usually the task's own.
    mail: Option<Waker>,
}

impl Wakers {
    pub(crate) fn new() -> Self {
        Wakers { slots: Mutex::new(Slots { task: None, mail: None }) }
    }

    /// A panic while the lock was held cannot leave two wakers inconsistent.
    fn slots(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The task's waker, in both slots.
    pub(crate) fn set_task(&self, waker: &Waker) {
        *self.slots() = Slots { task: Some(waker.clone()), mail: Some(waker.clone()) };
    }

    /// The waker `recv` waits under.
    pub(crate) fn set_mail(&self, waker: &Waker) {
        let mut slots = self.slots();
        match slots.mail.as_ref() {
            Some(w) if w.will_wake(waker) => {}
            _ => slots.mail = Some(waker.clone()),
        }
    }

    pub(crate) fn wake_mail(&self) {
        if let Some(w) = self.slots().mail.as_ref() {
            w.wake_by_ref();
        }
    }

    /// Wakes the task, and the mail waker if it is another one.
    pub(crate) fn wake_all(&self) {
        let slots = self.slots();
        if let Some(w) = slots.task.as_ref() {
            w.wake_by_ref();
        }
        if let Some(w) = slots.mail.as_ref()
            && !slots.task.as_ref().is_some_and(|task| task.will_wake(w))
        {
            w.wake_by_ref();
        }
    }

    pub(crate) fn clear(&self) {
        *self.slots() = Slots { task: None, mail: None };
    }
}
