//! The soak example, run for two seconds: it must print its summary lines
//! and end with a passing verdict and exit status 0. Two seconds (twenty
//! memory samples) is what lets "memory flat" see a leak of the size a
//! stopped actor kept forever makes. The long run is
//! `cargo run --release --example soak -- --seconds 60`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Reads a child's pipe to the end on a thread; the result arrives on the
/// returned channel once the child closes it (exits).
fn read_all(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    rx
}

#[test]
fn soak_runs_for_two_seconds_and_passes() {
    // Through cargo, as a user runs it: builds the example if this test run
    // did not (`cargo test --test soak` builds no examples), then runs it.
    let mut child = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "soak", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .args(["--", "--seconds", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cargo");
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    // Two seconds of work, after a build of the example at most.
    let Ok(stdout) = stdout.recv_timeout(Duration::from_secs(180)) else {
        let _ = child.kill();
        panic!("the soak hung");
    };
    // Both pipes close when the child exits: each wait is bounded anyway.
    let stderr = stderr.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    let status = wait_bounded(&mut child, Duration::from_secs(10));
    assert!(status.success(), "soak failed ({status}):\n{stdout}\n{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("[   2s] messages")), "no summary line:\n{stdout}");
    let verdict = stdout.lines().last().unwrap_or_default();
    assert!(verdict.starts_with("verdict: PASS"), "{verdict}");
    // "Memory flat" compares the two halves of the run: it needs samples in
    // both (one a second, as before, left the second half of a short run
    // empty and the check vacuous).
    let samples: usize = verdict
        .rsplit_once(" samples)")
        .and_then(|(head, _)| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no sample count in the verdict: {verdict}"));
    assert!(samples >= 20, "memory compared over {samples} samples: {verdict}");
}

/// Waits for `child` to exit, at most `limit`; kills it if it does not.
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for cargo") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the soak's process did not exit within {limit:?} of closing its output");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
