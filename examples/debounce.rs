//! Keyed timers: a debounced autosave and an idle stop, one line each.
//!
//! Every edit moves the "save" timer on (so a burst of edits is saved once,
//! 100 ms after the last of them) and the "idle" timer (so the editor stops
//! itself once nobody has typed for 400 ms). A timer under a key in use
//! replaces it, and a replaced timer's tick never arrives, even if it was
//! already queued.
//!
//! Run it with `cargo run --example debounce`.

use std::time::Duration;

use tractor::prelude::*;

const SAVE_AFTER: Duration = Duration::from_millis(100);
const IDLE_AFTER: Duration = Duration::from_millis(400);

#[derive(Actor, Default)]
struct Editor {
    text: String,
    unsaved: u32,
}

#[actor]
impl Editor {
    /// Appends to the text; saving and stopping wait for a quiet moment.
    #[message]
    pub fn edit(&mut self, ctx: &mut Context<Self>, more: &'static str) {
        self.text.push_str(more);
        self.unsaved += 1;
        ctx.timer("save").tell_after(SAVE_AFTER, Save); // debounce
        ctx.timer("idle").tell_after(IDLE_AFTER, Idle); // idle timeout
    }

    #[message]
    pub fn save(&mut self) {
        println!("saved {:?} (after {} edits)", self.text, self.unsaved);
        self.unsaved = 0;
    }

    #[message]
    pub fn idle(&mut self, ctx: &mut Context<Self>) {
        println!("idle for {} ms: the editor stops itself", IDLE_AFTER.as_millis());
        ctx.stop();
    }
}

#[tractor::main]
async fn main(runtime: Runtime) -> Result<(), tractor::Error> {
    let editor = runtime.spawn(Editor::default());

    println!("5 edits in a burst");
    for word in ["Hello", ",", " ", "world", "!"] {
        editor.edit(word).tell().await?;
    }
    tokio::time::sleep(Duration::from_millis(300)).await; // the user pauses

    println!("3 edits in a burst");
    for word in [" Bye", "", "."] {
        editor.edit(word).tell().await?;
    }

    // Nothing keeps it but this ref, and nothing stops it but its idle timer.
    let reason = editor.wait().await;
    println!("editor stopped: {reason}");
    Ok(())
}
