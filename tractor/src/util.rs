//! Small helpers shared by several modules.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// `std::any::type_name` without module paths: `my_app::actors::Counter<alloc::string::String>`
/// becomes `Counter<String>`.
pub(crate) fn short_type_name(full: &str) -> &str {
    // Fast path: no generics, keep what follows the last `::`.
    if !full.contains(['<', '(', '[', '&']) {
        return full.rsplit("::").next().unwrap_or(full);
    }
    // Generic names are rare in messages; leak-free shortening would need an
    // owned string, so keep them whole rather than allocate on an error path.
    let head_end = full.find(['<', '(', '[', '&']).unwrap_or(full.len());
    let start = full[..head_end].rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

/// A type's name, shortened ([`short_type_name`]) only when it is formatted:
/// a span field that costs nothing unless something records it. (With
/// `tracing`'s `log` feature on and no subscriber set, a span's fields are
/// evaluated for every span made; an eager `short_type_name` per message
/// was 9-16 % of a remote tell's CPU.)
pub(crate) struct ShortName(pub(crate) &'static str);

impl std::fmt::Display for ShortName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(short_type_name(self.0))
    }
}

/// The text of a panic payload (`&str` or `String` payloads; anything else is opaque).
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// Pushes `item` onto a list of handles to things that end on their own
/// (tasks, child actors). When the list is full it first drops the ones
/// `ended` says are over, and makes room for as many again as are left, so
/// the list stays about as long as the live entries at amortised O(1) per
/// push.
pub(crate) fn push_pruned<T>(list: &mut Vec<T>, item: T, ended: impl Fn(&T) -> bool) {
    if list.len() == list.capacity() {
        list.retain(|e| !ended(e));
        list.reserve(list.len());
    }
    list.push(item);
}

/// Drops `value`, catching a panic in its `Drop`; returns the panic's text.
/// The payload of that panic is dropped the same way, and one that panics
/// yet again is leaked rather than let unwind.
pub(crate) fn drop_quietly<T>(value: T) -> Option<String> {
    match catch_unwind(AssertUnwindSafe(move || drop(value))) {
        Ok(()) => None,
        Err(payload) => {
            let text = panic_text(&*payload);
            drop_payload(payload);
            Some(text)
        }
    }
}

/// Drops a caught panic's payload, whose own `Drop` may panic: that second
/// panic's payload is leaked (it could panic again), never let unwind.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
