//! Side-by-side benchmarks of tractor against kameo, ractor, xtra, actix and
//! two raw-channel floors (issue 5).
//!
//! ```text
//! cargo run --release -p tractor-benches -- [--quick] [--runs N]
//!     [--libs tractor,kameo,..] [--workloads tell,ask,..] [--flavors current,multi]
//!     [--svg PATH | --no-svg]
//! ```
//!
//! `--remote` measures between two processes on loopback instead (the raw
//! Zenoh and TCP floors under remote actors: `remote/`), and `--codec` the
//! candidate wire codecs (`codec.rs`); each prints its own table.
//!
//! The parent process re-executes this binary once per (library, workload,
//! runtime flavor) with `--child`, so no allocator, runtime or global state is
//! shared between libraries. Each child does one untimed warm-up run (not for
//! `spawn`, whose first run measures memory) and then `--runs` timed runs
//! (default 5), printing one `sample` line per run. The parent prints a
//! Markdown table: median and min ns/op, and the ratio of each median to the
//! tokio floor and to the best peer. It also writes the summary as an SVG bar
//! chart (`chart.rs`), by default to `bench-summary.svg` in cargo's target
//! directory (next to `release/`, where this binary is), and says where on
//! stderr.

mod chart;
mod codec;
mod harness;
mod libs;
mod remote;
mod report;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::harness::Sample;
use crate::libs::LibId;

/// One workload of the issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// Many tells to one actor, then one ask to confirm all were handled.
    Tell,
    /// Sequential asks to one actor.
    Ask,
    /// Spawn many actors, ask each once, stop them all; memory per idle actor.
    Spawn,
    /// One task tells many actors, round after round.
    Fanout,
    /// Two actors: one asks the other from inside a handler.
    PingPong,
    /// Several tasks tell one actor.
    Contended,
    /// One task sends each round to every subscriber: tractor's `PubSub`
    /// next to the hand-written `Sender` loop it replaces.
    Broadcast,
}

impl Workload {
    pub(crate) const ALL: [Workload; 7] = [
        Workload::Tell,
        Workload::Ask,
        Workload::Spawn,
        Workload::Fanout,
        Workload::PingPong,
        Workload::Contended,
        Workload::Broadcast,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Workload::Tell => "tell",
            Workload::Ask => "ask",
            Workload::Spawn => "spawn",
            Workload::Fanout => "fanout",
            Workload::PingPong => "ping_pong",
            Workload::Contended => "contended",
            Workload::Broadcast => "broadcast",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.key() == s)
    }

    /// What one op is, for the table's headings.
    pub(crate) fn describe(self, sizes: &Sizes) -> String {
        match self {
            Workload::Tell => format!("{} tells to one actor, then one ask; op = one tell", sizes.tell),
            Workload::Ask => format!("{} sequential asks to one actor; op = one ask", sizes.ask),
            Workload::Spawn => format!(
                "spawn {} actors, one ask each, stop them all; op = one actor's life; KiB = resident memory per idle actor",
                sizes.spawn
            ),
            Workload::Fanout => format!(
                "one task tells {} actors, {} rounds, then asks each; op = one tell",
                sizes.fanout_actors, sizes.fanout_rounds
            ),
            Workload::PingPong => {
                format!(
                    "an actor asks another from inside its handler, {} round trips; op = one round trip",
                    sizes.ping_pong
                )
            }
            Workload::Contended => format!(
                "{} tasks tell one actor, {} tells in all, then one ask; op = one tell",
                sizes.contended_tasks, sizes.contended
            ),
            Workload::Broadcast => format!(
                "one task sends to {} subscribers, {} rounds, then asks each (tractor only: `PubSub` next to a `Sender` loop); op = one delivery",
                sizes.fanout_actors, sizes.fanout_rounds
            ),
        }
    }
}

/// The tokio runtime a workload runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `new_current_thread`.
    Current,
    /// `new_multi_thread` with 2 workers, the calling loop in a spawned task.
    Multi,
}

impl Flavor {
    pub(crate) const ALL: [Flavor; 2] = [Flavor::Current, Flavor::Multi];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Flavor::Current => "current",
            Flavor::Multi => "multi",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Flavor::Current => "current-thread",
            Flavor::Multi => "multi-thread, 2 workers",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == s)
    }
}

/// How much work each workload does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    pub(crate) tell: u64,
    pub(crate) ask: u64,
    pub(crate) spawn: u64,
    pub(crate) fanout_actors: u64,
    pub(crate) fanout_rounds: u64,
    pub(crate) ping_pong: u64,
    pub(crate) contended_tasks: u64,
    pub(crate) contended: u64,
}

impl Sizes {
    /// The sizes the issue names.
    const FULL: Sizes = Sizes {
        tell: 1_000_000,
        ask: 200_000,
        spawn: 100_000,
        fanout_actors: 1_000,
        fanout_rounds: 1_000,
        ping_pong: 100_000,
        contended_tasks: 4,
        contended: 1_000_000,
    };

    /// A tenth of the work (fanout: a tenth of the rounds).
    const QUICK: Sizes = Sizes {
        tell: 100_000,
        ask: 20_000,
        spawn: 10_000,
        fanout_actors: 1_000,
        fanout_rounds: 100,
        ping_pong: 10_000,
        contended_tasks: 4,
        contended: 100_000,
    };

    /// A tenth again: the warm-up run.
    fn warm_up(self) -> Sizes {
        Sizes {
            tell: self.tell / 10,
            ask: self.ask / 10,
            spawn: self.spawn / 10,
            fanout_actors: self.fanout_actors,
            fanout_rounds: (self.fanout_rounds / 10).max(1),
            ping_pong: self.ping_pong / 10,
            contended_tasks: self.contended_tasks,
            contended: self.contended / 10,
        }
    }
}

/// Command-line options.
#[derive(Debug)]
struct Options {
    quick: bool,
    runs: usize,
    warm_up: bool,
    libs: Vec<LibId>,
    workloads: Vec<Workload>,
    flavors: Vec<Flavor>,
    child: Option<(LibId, Workload, Flavor)>,
    /// Where the chart goes: `None` for `--no-svg`, the default until parsed.
    svg: Option<PathBuf>,
}

const USAGE: &str =
    "usage: tractor-benches [--quick] [--runs N] [--libs a,b] [--workloads a,b] [--flavors current,multi]
                       [--svg PATH | --no-svg]
       tractor-benches --child LIB WORKLOAD FLAVOR [--quick] [--runs N] [--no-warm-up]
       tractor-benches --remote [--quick] [--runs N] [--rows a,b]   (two processes on loopback)
       tractor-benches --codec [--quick]                           (wire codecs: postcard, rmp-serde, bincode)
libs: tractor, tractor-ask, tractor-hand, tractor-supervised, kameo, ractor, xtra, actix, tokio-floor, flume-floor,
      tractor-sender, tractor-sender-yield, tractor-pubsub, tractor-pubsub-latest (`broadcast` only)
workloads: tell, ask, spawn, fanout, ping_pong, contended, broadcast (tractor only, same sizes as fanout)
The Markdown report goes to stdout; the summary as an SVG bar chart goes to --svg PATH, by default
bench-summary.svg in cargo's target directory (target/bench-summary.svg); --no-svg writes none.";

fn parse_list<T>(arg: Option<String>, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    let arg = arg.ok_or("a list is missing")?;
    arg.split(',').map(|s| parse(s).ok_or_else(|| format!("unknown name `{s}`"))).collect()
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        quick: false,
        runs: 5,
        warm_up: true,
        libs: LibId::ALL.to_vec(),
        workloads: Workload::ALL.to_vec(),
        flavors: Flavor::ALL.to_vec(),
        child: None,
        svg: Some(default_svg_path()),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => opts.quick = true,
            "--no-warm-up" => opts.warm_up = false,
            "--runs" => {
                opts.runs = args.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0).ok_or("--runs needs N > 0")?
            }
            "--libs" => opts.libs = parse_list(args.next(), LibId::parse)?,
            "--workloads" => opts.workloads = parse_list(args.next(), Workload::parse)?,
            "--flavors" => opts.flavors = parse_list(args.next(), Flavor::parse)?,
            "--child" => {
                let lib = args.next().as_deref().and_then(LibId::parse).ok_or("--child needs a library")?;
                let workload = args.next().as_deref().and_then(Workload::parse).ok_or("--child needs a workload")?;
                let flavor = args.next().as_deref().and_then(Flavor::parse).ok_or("--child needs a flavor")?;
                opts.child = Some((lib, workload, flavor));
            }
            "--svg" => opts.svg = Some(args.next().ok_or("--svg needs a path")?.into()),
            "--no-svg" => opts.svg = None,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(opts)
}

/// `bench-summary.svg` in cargo's target directory: this binary is
/// `<target>/release/tractor-benches` (or `debug/`), so two levels up. Falls
/// back to the current directory if the binary lives elsewhere.
fn default_svg_path() -> PathBuf {
    let target =
        std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf())).unwrap_or_default();
    target.join("bench-summary.svg")
}

fn main() {
    // `--remote` and `--codec` are measurements of their own, with their own
    // arguments and tables (src/remote/, src/codec.rs).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| matches!(a.as_str(), "--remote" | "--remote-driver" | "--remote-peer")) {
        return remote::main(&args);
    }
    if args.iter().any(|a| a == "--codec") {
        return codec::main(&args);
    }
    let opts = match parse_args() {
        Ok(opts) => opts,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let sizes = if opts.quick { Sizes::QUICK } else { Sizes::FULL };
    match opts.child {
        Some((lib, workload, flavor)) => child(lib, workload, flavor, sizes, opts.runs, opts.warm_up),
        None => parent(&opts, sizes),
    }
}

/// In the child: warm up, then print one `sample` line per timed run.
fn child(lib: LibId, workload: Workload, flavor: Flavor, sizes: Sizes, runs: usize, warm_up: bool) {
    if warm_up && workload != Workload::Spawn {
        libs::run(lib, workload, flavor, sizes.warm_up());
    }
    for _ in 0..runs {
        let s = libs::run(lib, workload, flavor, sizes);
        let kib = s.kib_per_actor.map_or_else(|| "-".to_owned(), |k| format!("{k:.4}"));
        println!("sample {} {} {kib}", s.elapsed.as_nanos(), s.ops);
    }
}

/// The result of one (library, workload, flavor) cell of the table.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// The timed runs, in order.
    Samples(Vec<Sample>),
    /// The library cannot run this workload on this flavor; why.
    NotApplicable(&'static str),
    /// The child failed or timed out.
    Failed(String),
}

/// In the parent: one child per cell, one at a time, then the table.
fn parent(opts: &Options, sizes: Sizes) {
    let exe = std::env::current_exe().expect("path of this binary");
    let limit = if opts.quick { Duration::from_secs(120) } else { Duration::from_secs(600) };
    let mut cells = Vec::new();
    let started = Instant::now();
    for &workload in &opts.workloads {
        for &flavor in &opts.flavors {
            for &lib in opts.libs.iter().filter(|lib| lib.runs(workload)) {
                let outcome = match lib.not_applicable(flavor) {
                    Some(why) => Outcome::NotApplicable(why),
                    None => run_child(&exe, opts, lib, workload, flavor, limit),
                };
                eprintln!("{:<10} {:<8} {:<12} {}", workload.key(), flavor.key(), lib.key(), report::brief(&outcome));
                cells.push(report::Cell { lib, workload, flavor, outcome });
            }
        }
    }
    eprintln!("done in {:.0?}", started.elapsed());
    let mode = if opts.quick { "--quick (a tenth of the issue's sizes)" } else { "full (the issue's sizes)" };
    print!("{}", report::markdown(&cells, &sizes, mode, opts.runs));
    if let Some(path) = &opts.svg {
        let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let args: Vec<String> = std::env::args().skip(1).collect();
        let caption = format!(
            "tractor-benches {}\nsizes: {mode}; {} timed runs per cell; {} (UTC)",
            args.join(" "),
            opts.runs,
            chart::utc_date(secs)
        );
        match chart::svg(&cells, &caption) {
            Some(svg) => match std::fs::write(path, svg) {
                Ok(()) => eprintln!("chart: {}", path.display()),
                Err(e) => eprintln!("chart: cannot write {}: {e}", path.display()),
            },
            None => eprintln!("chart: nothing to chart (no summary rows ran)"),
        }
    }
}

fn run_child(
    exe: &std::path::Path,
    opts: &Options,
    lib: LibId,
    workload: Workload,
    flavor: Flavor,
    limit: Duration,
) -> Outcome {
    let mut cmd = Command::new(exe);
    cmd.args(["--child", lib.key(), workload.key(), flavor.key(), "--runs", &opts.runs.to_string()]);
    if opts.quick {
        cmd.arg("--quick");
    }
    let (status, lines) = match run_process(cmd, limit) {
        Ok(done) => done,
        Err(e) => return Outcome::Failed(e),
    };
    if !status.success() {
        return Outcome::Failed(format!("child exited with {status}"));
    }
    let samples: Vec<Sample> = lines.iter().filter_map(|line| parse_sample(line)).collect();
    if samples.len() != opts.runs {
        return Outcome::Failed(format!("{} of {} samples", samples.len(), opts.runs));
    }
    Outcome::Samples(samples)
}

/// Runs `cmd` (its stdout piped, its stderr inherited) and collects its
/// stdout lines; kills it once `limit` has passed.
pub(crate) fn run_process(
    mut cmd: Command,
    limit: Duration,
) -> Result<(std::process::ExitStatus, Vec<String>), String> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().map_err(|e| format!("spawn: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {limit:?}"));
            }
            Err(e) => return Err(format!("wait: {e}")),
        }
    };
    Ok((status, reader.join().unwrap_or_default()))
}

fn parse_sample(line: &str) -> Option<Sample> {
    let mut parts = line.strip_prefix("sample ")?.split_whitespace();
    let nanos: u64 = parts.next()?.parse().ok()?;
    let ops: u64 = parts.next()?.parse().ok()?;
    let kib_per_actor = parts.next()?.parse().ok();
    Some(Sample { elapsed: Duration::from_nanos(nanos), ops, kib_per_actor })
}
