//! Every example runs to completion by itself, quickly, and prints its key
//! lines. `cargo test` builds the examples; these tests run the binaries.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `target/<profile>/examples/<name>` and returns its stdout.
fn run_example(name: &str) -> String {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<this test> -> target/<profile>/examples/<name>
    let dir: PathBuf = exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let started = Instant::now();
    let mut child = Command::new(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {} ({e}): run the whole `cargo test`, which builds the examples", path.display())
        });
    // Bounded: an example that hangs fails the test instead of stalling CI.
    loop {
        if child.try_wait().expect("wait on example").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("example {name} did not finish within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("example output");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "example {name} failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(3), "example {name} took {:?}", started.elapsed());
    stdout
}

fn assert_lines(output: &str, expected: &[&str]) {
    for line in expected {
        assert!(output.contains(line), "missing {line:?} in:\n{output}");
    }
}

#[test]
fn pub_sub() {
    let out = run_example("pub_sub");
    assert_lines(
        &out,
        &[
            "logger: started",
            "slow: listening",
            "hub: published #6 (culture) to 3 subscribers",
            "snapshot: fast-1 already has [1, 2, 3, 4, 5, 6]",
            "stats: fast-1 (Wait) delivered 6, dropped 0 of 6 published",
            "stats: fast-2 (Wait) delivered 6, dropped 0 of 6 published",
            "logger: (quiet) heartbeat",
            "done: 0 actors still running",
        ],
    );
    // The slow listener never holds the fast ones up: they have every event
    // before the slow one has its first.
    let pos = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("missing {needle:?}"));
    assert!(pos("fast-1: got #6") < pos("slow: got #1"), "{out}");
    assert!(pos("fast-2: got #6") < pos("slow: got #1"), "{out}");
    // What it got plus what it skipped is everything, and the newest came last.
    let line = |prefix: &str| {
        out.lines().find_map(|l| l.split_once(prefix).map(|(_, rest)| rest)).unwrap_or_else(|| panic!("no {prefix:?}"))
    };
    let numbers = |text: &str| -> Vec<u64> {
        text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect()
    };
    let counts = numbers(line("stats: slow (Latest) delivered "));
    let [delivered, dropped, published] = counts[..] else { panic!("slow's stats: {counts:?}\n{out}") };
    assert_eq!(published, 6);
    assert_eq!(delivered + dropped, published, "{out}");
    let slow = numbers(line("snapshot: slow has "));
    assert_eq!(slow.len() as u64, delivered, "{out}");
    assert_eq!(slow.last(), Some(&6), "the newest event reaches the slow listener: {out}");
}

#[test]
fn greetings() {
    let out = run_example("greetings");
    assert_lines(&out, &["hand-written: Good day, Ada.", "generated:    hey Grace!", "greeted 3 people"]);
}

#[test]
fn worker_pool() {
    let out = run_example("worker_pool");
    assert_lines(
        &out,
        &[
            "submitted job 1: started",
            "submitted job 3: queued",
            "try-submit while full: refused (pool full)",
            "job 5 has started",
            "all done: 5 completed, 0 panicked",
            "run: the job's output is 55",
        ],
    );
}

#[test]
fn supervision() {
    let out = run_example("supervision");
    assert_lines(
        &out,
        &[
            "connection #1: up",
            "client: key 2 -> row 2 (via connection #1); cache holds 2",
            "client: key 3 failed (actor Connection#2 panicked while handling `Query`); keeping my refs",
            "connection reset while reading key 3 (restart follows)",
            // OneForAll: the cache came back empty with the connection.
            "client: key 4 -> row 4 (via connection #2); cache holds 1",
            // The backend's third crash: over its limit, the outer group restarts it.
            "connection reset while reading key 9 (no restart)",
            "exceeded 2 restarts within 60s; last failure: panicked: connection reset while reading key 9 (restart follows)",
            "client: key 10 -> row 10 (via connection #4); cache holds 1",
            // And at last the outer limit trips.
            "client: key 19: actor Connection#2 is stopped",
            "top group stopped: panicked: supervisor: child Supervisor#1 exceeded 1 restarts within 60s",
            "client: 12 answered, 6 failed, 6 connections built",
            "done: 0 actors still running",
        ],
    );
}

#[test]
fn debounce() {
    let out = run_example("debounce");
    assert_lines(
        &out,
        &[
            "saved \"Hello, world!\" (after 5 edits)",
            "saved \"Hello, world! Bye.\" (after 3 edits)",
            "idle for 400 ms: the editor stops itself",
            "editor stopped: normal",
        ],
    );
    // One save per burst, none after the stop.
    assert_eq!(out.matches("saved").count(), 2, "{out}");
    let pos = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("missing {needle:?}"));
    assert!(pos("(after 3 edits)") < pos("idle for"), "{out}");
}

#[test]
fn remote() {
    let out = run_example("remote");
    assert_lines(
        &out,
        &[
            "other node started",
            "remote tell: increment(2), increment(3)",
            "remote ask: get() = 5",
            "printer (here): hello tractor, the count is 5",
            "killed the other node",
            "its node was lost",
            "ask after the kill: unreachable = true",
            "lookup after the kill: not found = true",
        ],
    );
}
