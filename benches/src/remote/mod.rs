//! `--remote`: what crossing a process boundary costs, measured between two
//! real OS processes on loopback (issue 17).
//!
//! ```text
//! cargo run --release -p tractor-benches -- --remote [--quick] [--runs N] [--rows a,b]
//! ```
//!
//! Each [`Row`] runs in its own pair of fresh processes, one row at a time:
//! this binary starts itself as the row's driver (`--remote-driver ROW`),
//! which starts itself as the peer (`--remote-peer ROW --port P`); the peer
//! listens on `127.0.0.1:P` and says `ready`, the driver connects, waits
//! until the peer is reachable through the channel under measurement (a
//! matched publisher, a first round trip), times, and prints its figures for
//! the first process to tabulate. The rows here are the
//! raw floors a remote actor layer builds on: a Zenoh put stream, a Zenoh
//! queryable round trip, a request-key/reply-key Zenoh pub/sub round trip and
//! a plain TCP round trip. A remote actor library adds its rows by
//! implementing [`Row`] and listing them in [`rows`].
//!
//! Every Zenoh session here is in peer mode with multicast and gossip
//! scouting off and explicit `tcp/127.0.0.1` endpoints ([`zenoh_floor`]):
//! nothing leaves loopback.

#[cfg(feature = "kameo-remote")]
mod kameo_remote;
mod process;
#[cfg(feature = "ractor-cluster")]
mod ractor_remote;
mod tcp_floor;
mod tractor_remote;
pub(crate) mod zenoh_floor;

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) use process::{Driver, Peer};

/// How much work each row does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RemoteSizes {
    /// Messages per timed run of a throughput row.
    pub(crate) messages: u64,
    /// Timed round trips of a latency row (one sample each).
    pub(crate) round_trips: u64,
    /// Timed runs of a throughput row.
    pub(crate) runs: usize,
}

impl RemoteSizes {
    /// The issue's sizes.
    const FULL: RemoteSizes = RemoteSizes { messages: 1_000_000, round_trips: 20_000, runs: 3 };
    /// A tenth of the messages, a quarter of the round trips.
    const QUICK: RemoteSizes = RemoteSizes { messages: 100_000, round_trips: 5_000, runs: 3 };

    /// The untimed warm-up of a throughput row.
    pub(crate) fn warm_up_messages(&self) -> u64 {
        (self.messages / 10).max(1)
    }

    /// The untimed warm-up of a latency row.
    pub(crate) fn warm_up_round_trips(&self) -> u64 {
        (self.round_trips / 10).max(100)
    }

    /// Runs `round_trip(seq)` for the warm-up, then for the timed round
    /// trips: their durations.
    pub(crate) fn sample_round_trips(
        &self,
        mut round_trip: impl FnMut(u64) -> Result<Duration, String>,
    ) -> Result<Vec<Duration>, String> {
        for seq in 0..self.warm_up_round_trips() {
            round_trip(seq)?;
        }
        (0..self.round_trips).map(round_trip).collect()
    }
}

/// What a row measured.
#[derive(Clone, Debug)]
pub(crate) enum Measured {
    /// One `(messages, elapsed)` per timed run: from the first send to the
    /// peer's confirmation that it has them all.
    Throughput(Vec<(u64, Duration)>),
    /// One duration per timed round trip, in order.
    Latency(Vec<Duration>),
}

/// One row of the `--remote` table: a measurement between two processes.
///
/// [`serve`](Row::serve) runs in the peer process, [`drive`](Row::drive) in
/// the driver; the peer is listening on `127.0.0.1:{peer.port()}` and has
/// said `ready` before `drive` starts. A row for a remote actor library
/// serves an actor in `serve` (building its runtime/node there, listening on
/// `peer.port()`, then `peer.ready()` and `peer.until_stop()`) and in `drive`
/// connects to `driver.port()`, looks the actor up, and times tells (return
/// [`Measured::Throughput`], confirming with one ask that the actor has them
/// all) or asks (return [`Measured::Latency`], one sample per ask). Both
/// sides can start whatever async runtime they need inside these calls.
pub(crate) trait Row: Sync {
    /// Short name: `--rows` and the peer's role argument.
    fn key(&self) -> &'static str;
    /// The table's first column.
    fn label(&self) -> &'static str;
    /// What one op is, for the table's note.
    fn describe(&self, sizes: &RemoteSizes) -> String;
    /// In the peer process: listen on `peer.port()`, declare what the driver
    /// will reach, call `peer.ready()`, and serve until `peer` says stop.
    fn serve(&self, peer: &mut Peer) -> Result<(), String>;
    /// In the driver: connect to the peer on `driver.port()`, wait until it
    /// is reachable, time, and return the figures.
    fn drive(&self, driver: &mut Driver) -> Result<Measured, String>;
}

/// Every row, in table order.
pub(crate) fn rows() -> Vec<&'static dyn Row> {
    let mut rows: Vec<&'static dyn Row> = vec![
        &zenoh_floor::PutStream,
        &zenoh_floor::QueryRoundTrip,
        &zenoh_floor::PubSubRoundTrip,
        &tcp_floor::TcpRoundTrip,
    ];
    rows.extend(tractor_remote::ROWS);
    #[cfg(feature = "kameo-remote")]
    rows.extend(kameo_remote::ROWS);
    #[cfg(feature = "ractor-cluster")]
    rows.extend(ractor_remote::ROWS);
    rows
}

fn find(key: &str) -> Option<&'static dyn Row> {
    rows().into_iter().find(|r| r.key() == key)
}

/// How long one peer process may live.
fn peer_limit(quick: bool) -> Duration {
    if quick { Duration::from_secs(90) } else { Duration::from_secs(300) }
}

const USAGE: &str = "usage: tractor-benches --remote [--quick] [--runs N] [--rows a,b]
       tractor-benches --remote-driver ROW [--quick] [--runs N]   (started by --remote)
       tractor-benches --remote-peer ROW --port P [--quick]       (started by --remote-driver)";

/// `--remote` and `--remote-peer`: `args` are all the arguments.
pub(crate) fn main(args: &[String]) {
    if let Err(e) = run(args) {
        eprintln!("error: {e}\n{USAGE}");
        std::process::exit(2);
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let mut quick = false;
    let mut runs = None;
    let mut peer = None;
    let mut driver_of = None;
    let mut port = None;
    let mut only: Option<Vec<&'static dyn Row>> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--remote" => {}
            "--quick" => quick = true,
            "--runs" => {
                runs = Some(
                    args.next().and_then(|n| n.parse().ok()).filter(|&n: &usize| n > 0).ok_or("--runs needs N > 0")?,
                )
            }
            "--rows" => {
                let list = args.next().ok_or("--rows needs a list")?;
                only = Some(
                    list.split(',')
                        .map(|k| find(k).ok_or_else(|| format!("unknown row `{k}`; rows: {}", row_keys())))
                        .collect::<Result<_, _>>()?,
                );
            }
            "--remote-peer" => peer = Some(args.next().ok_or("--remote-peer needs a row")?.clone()),
            "--remote-driver" => driver_of = Some(args.next().ok_or("--remote-driver needs a row")?.clone()),
            "--port" => port = Some(args.next().and_then(|p| p.parse().ok()).ok_or("--port needs a port")?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let mut sizes = if quick { RemoteSizes::QUICK } else { RemoteSizes::FULL };
    if let Some(runs) = runs {
        sizes.runs = runs;
    }
    match (peer, driver_of) {
        (Some(key), _) => {
            let row = find(&key).ok_or_else(|| format!("unknown row `{key}`"))?;
            let port = port.ok_or("--remote-peer needs --port")?;
            let mut peer = Peer::new(port, sizes, peer_limit(quick));
            row.serve(&mut peer).map_err(|e| format!("peer `{key}`: {e}"))
        }
        (None, Some(key)) => {
            let row = find(&key).ok_or_else(|| format!("unknown row `{key}`"))?;
            drive_row(row, sizes, quick);
            Ok(())
        }
        (None, None) => {
            orchestrate(only.unwrap_or_else(rows), sizes, quick, runs);
            Ok(())
        }
    }
}

fn row_keys() -> String {
    rows().iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")
}

/// Runs every row in its own pair of processes, one row at a time, then
/// prints the table.
///
/// This process only starts and reads them: each row's driver is a fresh
/// process too (`--remote-driver ROW`, which starts its peer), so a library
/// with process-wide state (kameo's global swarm, ractor's process groups)
/// starts clean in every row.
fn orchestrate(rows: Vec<&'static dyn Row>, sizes: RemoteSizes, quick: bool, runs: Option<usize>) {
    let started = Instant::now();
    let mut results = Vec::new();
    for row in rows {
        let outcome = run_driver(row, quick, runs, driver_limit(quick));
        eprintln!("{:<22} {}", row.key(), brief(&outcome));
        results.push((row, outcome));
    }
    eprintln!("done in {:.0?}", started.elapsed());
    print!("{}", markdown(&results, &sizes, quick));
}

/// How long one row's driver may run (its peer's limit, and some).
fn driver_limit(quick: bool) -> Duration {
    peer_limit(quick) + Duration::from_secs(30)
}

/// In a row's driver process: starts the peer, drives, and prints the
/// figures on stdout (`throughput MESSAGES NANOS` per run, `latency NANOS`
/// per round trip) or `error WHY`, then exits 0 or 1.
fn drive_row(row: &dyn Row, sizes: RemoteSizes, quick: bool) {
    let outcome = Driver::start(row.key(), sizes, quick).and_then(|mut driver| {
        // On an error `driver` is dropped, which kills the peer.
        let measured = row.drive(&mut driver)?;
        driver.finish()?;
        Ok(measured)
    });
    let mut out = String::new();
    match &outcome {
        Ok(Measured::Throughput(runs)) => {
            for (n, d) in runs {
                let _ = writeln!(out, "throughput {n} {}", d.as_nanos());
            }
        }
        Ok(Measured::Latency(samples)) => {
            for d in samples {
                let _ = writeln!(out, "latency {}", d.as_nanos());
            }
        }
        Err(e) => {
            let _ = writeln!(out, "error {}", e.replace('\n', " "));
        }
    }
    print!("{out}");
    std::process::exit(if outcome.is_ok() { 0 } else { 1 });
}

/// Runs `row`'s driver process and reads its figures; kills it after `limit`.
fn run_driver(row: &dyn Row, quick: bool, runs: Option<usize>, limit: Duration) -> Result<Measured, String> {
    let exe = std::env::current_exe().map_err(|e| format!("path of this binary: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.args(["--remote-driver", row.key()]);
    if quick {
        cmd.arg("--quick");
    }
    if let Some(runs) = runs {
        cmd.args(["--runs", &runs.to_string()]);
    }
    cmd.stdin(Stdio::null());
    let (status, lines) = crate::run_process(cmd, limit).map_err(|e| format!("the driver: {e}"))?;
    let mut throughput = Vec::new();
    let mut latency = Vec::new();
    for line in &lines {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("throughput") => {
                let n = words.next().and_then(|w| w.parse().ok());
                let ns = words.next().and_then(|w| w.parse().ok());
                match (n, ns) {
                    (Some(n), Some(ns)) => throughput.push((n, Duration::from_nanos(ns))),
                    _ => return Err(format!("bad line from the driver: `{line}`")),
                }
            }
            Some("latency") => match words.next().and_then(|w| w.parse().ok()) {
                Some(ns) => latency.push(Duration::from_nanos(ns)),
                None => return Err(format!("bad line from the driver: `{line}`")),
            },
            Some("error") => return Err(line["error".len()..].trim().to_owned()),
            _ => eprintln!("driver: {line}"),
        }
    }
    match (status.success(), throughput.is_empty(), latency.is_empty()) {
        (false, _, _) => Err(format!("the driver exited with {status}")),
        (true, false, true) => Ok(Measured::Throughput(throughput)),
        (true, true, false) => Ok(Measured::Latency(latency)),
        _ => Err("the driver printed no figures (or both kinds)".to_owned()),
    }
}

/// Median, min and max messages per second over the runs.
fn throughput(runs: &[(u64, Duration)]) -> (f64, f64, f64) {
    let mut rates: Vec<f64> = runs.iter().map(|&(n, d)| n as f64 / d.as_secs_f64()).collect();
    rates.sort_by(f64::total_cmp);
    (median(&rates), rates[0], rates[rates.len() - 1])
}

fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 }
}

/// The `q` quantile (nearest rank) of sorted samples, in µs.
fn quantile_us(sorted: &[Duration], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e6
}

/// p50, p99, mean and max in µs.
fn latency(samples: &[Duration]) -> (f64, f64, f64, f64) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let mean = sorted.iter().map(Duration::as_secs_f64).sum::<f64>() / sorted.len() as f64 * 1e6;
    (quantile_us(&sorted, 0.50), quantile_us(&sorted, 0.99), mean, sorted[sorted.len() - 1].as_secs_f64() * 1e6)
}

fn rate(v: f64) -> String {
    match v {
        v if v >= 1e6 => format!("{:.2} M/s", v / 1e6),
        v if v >= 1e5 => format!("{:.0} k/s", v / 1e3),
        v => format!("{:.1} k/s", v / 1e3),
    }
}

fn brief(outcome: &Result<Measured, String>) -> String {
    match outcome {
        Ok(Measured::Throughput(runs)) if !runs.is_empty() => {
            let (med, min, max) = throughput(runs);
            format!("median {} (min {}, max {})", rate(med), rate(min), rate(max))
        }
        Ok(Measured::Latency(samples)) if !samples.is_empty() => {
            let (p50, p99, mean, max) = latency(samples);
            format!("p50 {p50:.1} µs, p99 {p99:.1} µs, mean {mean:.1} µs, max {max:.0} µs")
        }
        Ok(_) => "FAILED: no samples".to_owned(),
        Err(e) => format!("FAILED: {e}"),
    }
}

/// The `--remote` table.
fn markdown(results: &[(&dyn Row, Result<Measured, String>)], sizes: &RemoteSizes, quick: bool) -> String {
    let mut out = String::new();
    let mode = if quick { "--quick" } else { "full" };
    let _ = writeln!(
        out,
        "Sizes: {mode}; throughput rows: {} timed runs of {} messages (after {} untimed); latency rows: {} timed \
         round trips (after {} untimed). Each row is its own pair of processes on 127.0.0.1.\n",
        sizes.runs,
        sizes.messages,
        sizes.warm_up_messages(),
        sizes.round_trips,
        sizes.warm_up_round_trips()
    );
    let _ = writeln!(out, "### Remote: two processes on loopback\n");
    let _ = writeln!(out, "| row | msgs/s (median) | min – max | p50 µs | p99 µs | mean µs | max µs | what |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|---|");
    for (row, outcome) in results {
        let what = row.describe(sizes);
        let cells = match outcome {
            Ok(Measured::Throughput(runs)) if !runs.is_empty() => {
                let (med, min, max) = throughput(runs);
                format!("{} | {} – {} | | | | ", rate(med), rate(min), rate(max))
            }
            Ok(Measured::Latency(samples)) if !samples.is_empty() => {
                let (p50, p99, mean, max) = latency(samples);
                format!(" | | {p50:.1} | {p99:.1} | {mean:.1} | {max:.0} ")
            }
            Ok(_) => "failed: no samples | | | | | ".to_owned(),
            Err(e) => format!("failed: {} | | | | | ", e.replace('|', "/")),
        };
        let _ = writeln!(out, "| {} | {cells}| {what} |", row.label());
    }
    out
}
