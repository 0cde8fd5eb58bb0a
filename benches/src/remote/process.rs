//! The two processes of a remote row: the driver (this binary as started by
//! the user) and the peer (this binary re-executed with `--remote-peer`).
//!
//! They talk over the peer's standard streams, one line at a time, so that
//! the channel under measurement carries nothing but the row's own traffic:
//! the driver writes commands to the peer's stdin, the peer answers on its
//! stdout (its stderr goes to the terminal). The first line the peer writes
//! is `ready` (once whatever it serves is declared); the last line the driver
//! writes is `stop`.
//!
//! Nothing here waits without a bound: the driver gives up on a line after a
//! limit and kills the peer on every error path (its `Drop`), and the peer
//! exits by itself when its whole time is up (a watchdog thread), when the
//! driver closes its stdin without saying `stop` (the driver died), or after
//! `stop`.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::RemoteSizes;

/// How long the driver waits for the peer's `ready`.
const READY_LIMIT: Duration = Duration::from_secs(30);
/// How long the driver waits for the peer to exit after `stop`.
const EXIT_LIMIT: Duration = Duration::from_secs(10);

/// A free TCP port on 127.0.0.1 for the peer to listen on.
///
/// The port is bound and released here, then bound again by the peer: on
/// loopback, with the kernel handing out ephemeral ports in sequence, nothing
/// else takes it in between.
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("local_addr: {e}"))
}

/// The driver's end: the running peer process and its lines.
///
/// Dropping a `Driver` that has not [`finish`](Driver::finish)ed kills the
/// peer and reaps it.
#[derive(Debug)]
pub(crate) struct Driver {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    port: u16,
    sizes: RemoteSizes,
    ready: String,
}

impl Driver {
    /// Starts this binary as the peer of row `key`, listening on a free
    /// port, and waits (at most 30 s) for its `ready` line.
    pub(crate) fn start(key: &str, sizes: RemoteSizes, quick: bool) -> Result<Driver, String> {
        let port = free_port()?;
        let exe = std::env::current_exe().map_err(|e| format!("path of this binary: {e}"))?;
        let mut cmd = Command::new(exe);
        cmd.args(["--remote-peer", key, "--port", &port.to_string()]);
        if quick {
            cmd.arg("--quick");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("spawn the peer: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // From here on an error drops `driver`, which kills the peer.
        let mut driver = Driver { child: Some(child), stdin, lines, port, sizes, ready: String::new() };
        driver.ready = driver.expect("ready", READY_LIMIT)?;
        Ok(driver)
    }

    /// The port the peer listens on (on 127.0.0.1).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The sizes of this run.
    pub(crate) fn sizes(&self) -> &RemoteSizes {
        &self.sizes
    }

    /// What the peer said after `ready` (its [`Peer::ready_with`] text, such
    /// as a node id), trimmed; empty after a plain [`Peer::ready`].
    #[allow(
        dead_code,
        reason = "for rows that need it (the remote actor libraries' behind features, tractor-remote's)"
    )]
    pub(crate) fn ready_info(&self) -> &str {
        &self.ready
    }

    /// Sends one command line to the peer.
    pub(crate) fn send(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("the peer's stdin is closed")?;
        writeln!(stdin, "{line}").and_then(|()| stdin.flush()).map_err(|e| format!("write to the peer: {e}"))
    }

    /// Waits at most `limit` for the peer's next line starting with `word`
    /// and returns the rest of it (trimmed). Other lines are passed to stderr.
    pub(crate) fn expect(&mut self, word: &str, limit: Duration) -> Result<String, String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => match line.strip_prefix(word) {
                    Some(rest) if rest.is_empty() || rest.starts_with(' ') => return Ok(rest.trim().to_owned()),
                    _ => eprintln!("peer: {line}"),
                },
                Err(RecvTimeoutError::Timeout) => return Err(format!("no `{word}` from the peer within {limit:?}")),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.as_mut().and_then(|c| c.wait().ok());
                    return Err(format!("the peer exited ({}) before `{word}`", describe(status)));
                }
            }
        }
    }

    /// Says `stop`, closes the peer's stdin and waits (at most 10 s) for it
    /// to exit successfully.
    pub(crate) fn finish(mut self) -> Result<(), String> {
        self.send("stop")?;
        drop(self.stdin.take());
        let mut child = self.child.take().expect("a driver owns its peer until finish");
        let deadline = Instant::now() + EXIT_LIMIT;
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("the peer exited with {status}")),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("the peer did not exit within {EXIT_LIMIT:?} of `stop`"));
                }
                Err(e) => return Err(format!("wait for the peer: {e}")),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn describe(status: Option<ExitStatus>) -> String {
    status.map_or_else(|| "status unknown".to_owned(), |s| s.to_string())
}

/// What the driver said.
#[derive(Debug)]
enum Said {
    Line(String),
    Stop,
}

/// The peer's end: its port, and the driver's commands.
#[derive(Debug)]
pub(crate) struct Peer {
    port: u16,
    sizes: RemoteSizes,
    commands: Receiver<Said>,
    deadline: Instant,
    stopped: bool,
}

impl Peer {
    /// Sets the peer up: reads the driver's commands on a thread (exiting
    /// the process at once if stdin closes without `stop`: the driver is
    /// gone), and exits the process with status 3 once `limit` has passed.
    pub(crate) fn new(port: u16, sizes: RemoteSizes, limit: Duration) -> Peer {
        let (tx, commands) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines().map_while(Result::ok) {
                let said = if line.trim() == "stop" { Said::Stop } else { Said::Line(line) };
                let stop = matches!(said, Said::Stop);
                if tx.send(said).is_err() || stop {
                    return;
                }
            }
            eprintln!("remote peer: the driver closed stdin without `stop`; exiting");
            std::process::exit(4);
        });
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            eprintln!("remote peer: still running after {limit:?}; exiting");
            std::process::exit(3);
        });
        Peer { port, sizes, commands, deadline: Instant::now() + limit, stopped: false }
    }

    /// The port to listen on (on 127.0.0.1).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The sizes of this run.
    #[allow(
        dead_code,
        reason = "for rows that need it (the remote actor libraries' behind features, tractor-remote's)"
    )]
    pub(crate) fn sizes(&self) -> &RemoteSizes {
        &self.sizes
    }

    /// When the watchdog ends this process: the bound for any wait.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Tells the driver this peer is serving (call it once, after whatever
    /// the driver will reach is declared and listening).
    pub(crate) fn ready(&mut self) {
        self.say("ready");
    }

    /// [`ready`](Peer::ready), with one more word for the driver (its
    /// [`Driver::ready_info`]).
    #[allow(
        dead_code,
        reason = "for rows that need it (the remote actor libraries' behind features, tractor-remote's)"
    )]
    pub(crate) fn ready_with(&mut self, info: &str) {
        self.say(&format!("ready {info}"));
    }

    /// Writes one line to the driver.
    pub(crate) fn say(&mut self, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }

    /// The driver's next command, or `None` once it has said `stop`.
    pub(crate) fn next_command(&mut self) -> Option<String> {
        if self.stopped {
            return None;
        }
        // The watchdog exits the process at the deadline: this wait is bounded.
        match self.commands.recv() {
            Ok(Said::Line(line)) => Some(line),
            Ok(Said::Stop) | Err(_) => {
                self.stopped = true;
                None
            }
        }
    }

    /// Serves until the driver says `stop`, ignoring any other command.
    pub(crate) fn until_stop(&mut self) {
        while let Some(line) = self.next_command() {
            eprintln!("remote peer: ignoring `{line}`");
        }
    }
}
