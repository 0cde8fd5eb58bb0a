//! The soak example, run for one second: it must print its summary lines and
//! end with a passing verdict and exit status 0. The long run is
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
fn soak_runs_for_a_second_and_passes() {
    // Through cargo, as a user runs it: builds the example if this test run
    // did not (`cargo test --test soak` builds no examples), then runs it.
    let mut child = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "soak", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .args(["--", "--seconds", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cargo");
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    // One second of work, after a build of the example at most.
    let Ok(stdout) = stdout.recv_timeout(Duration::from_secs(180)) else {
        let _ = child.kill();
        panic!("the soak hung");
    };
    let stderr = stderr.recv().unwrap_or_default();
    let status = child.wait().expect("wait for cargo");
    assert!(status.success(), "soak failed ({status}):\n{stdout}\n{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("[   1s] messages")), "no summary line:\n{stdout}");
    let verdict = stdout.lines().last().unwrap_or_default();
    assert!(verdict.starts_with("verdict: PASS"), "{verdict}");
}
