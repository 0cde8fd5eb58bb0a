//! Statistics over the samples and the Markdown table.

use std::fmt::Write as _;

use crate::harness::Sample;
use crate::libs::LibId;
use crate::{Flavor, Outcome, Sizes, Workload};

/// One (library, workload, flavor) result.
#[derive(Debug)]
pub(crate) struct Cell {
    pub(crate) lib: LibId,
    pub(crate) workload: Workload,
    pub(crate) flavor: Flavor,
    pub(crate) outcome: Outcome,
}

/// Median and min ns/op over the runs, and the first run's KiB per actor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stats {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) kib_per_actor: Option<f64>,
}

pub(crate) fn stats(samples: &[Sample]) -> Stats {
    let mut ns: Vec<f64> = samples.iter().map(|s| s.elapsed.as_nanos() as f64 / s.ops as f64).collect();
    ns.sort_by(f64::total_cmp);
    let mid = ns.len() / 2;
    let median = if ns.len() % 2 == 1 { ns[mid] } else { (ns[mid - 1] + ns[mid]) / 2.0 };
    // Memory only means something in the child's first run: later runs reuse
    // what the allocator kept from the first.
    Stats { median, min: ns[0], kib_per_actor: samples.first().and_then(|s| s.kib_per_actor) }
}

impl Cell {
    pub(crate) fn stats(&self) -> Option<Stats> {
        match &self.outcome {
            Outcome::Samples(samples) => Some(stats(samples)),
            _ => None,
        }
    }
}

/// One line of progress for stderr.
pub(crate) fn brief(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Samples(samples) => {
            let s = stats(samples);
            let kib = s.kib_per_actor.map(|k| format!(", {k:.2} KiB/actor")).unwrap_or_default();
            format!("median {} ns/op, min {}{kib}", ns(s.median), ns(s.min))
        }
        Outcome::NotApplicable(_) => "n/a".to_owned(),
        Outcome::Failed(why) => format!("FAILED: {why}"),
    }
}

pub(crate) fn ns(v: f64) -> String {
    if v < 1000.0 { format!("{v:.1}") } else { format!("{v:.0}") }
}

fn ratio(v: f64, base: Option<f64>) -> String {
    base.map(|b| format!("{:.2}×", v / b)).unwrap_or_else(|| "–".to_owned())
}

pub(crate) fn find(cells: &[Cell], lib: LibId, workload: Workload, flavor: Flavor) -> Option<&Cell> {
    cells.iter().find(|c| c.lib == lib && c.workload == workload && c.flavor == flavor)
}

/// The fastest peer (by median) for this workload and flavor.
pub(crate) fn best_peer(cells: &[Cell], workload: Workload, flavor: Flavor) -> Option<(LibId, Stats)> {
    cells
        .iter()
        .filter(|c| c.lib.is_peer() && c.workload == workload && c.flavor == flavor)
        .filter_map(|c| c.stats().map(|s| (c.lib, s)))
        .min_by(|a, b| a.1.median.total_cmp(&b.1.median))
}

fn floor(cells: &[Cell], workload: Workload, flavor: Flavor) -> Option<f64> {
    find(cells, LibId::TokioFloor, workload, flavor).and_then(Cell::stats).map(|s| s.median)
}

/// The whole report.
pub(crate) fn markdown(cells: &[Cell], sizes: &Sizes, mode: &str, runs: usize) -> String {
    let mut out = String::new();
    let mut workloads: Vec<Workload> = Vec::new();
    let mut flavors: Vec<Flavor> = Vec::new();
    for c in cells {
        if !workloads.contains(&c.workload) {
            workloads.push(c.workload);
        }
        if !flavors.contains(&c.flavor) {
            flavors.push(c.flavor);
        }
    }
    let _ = writeln!(out, "Sizes: {mode}; {runs} timed runs per cell, each cell in its own process.\n");

    // `broadcast` has no peer, floor or `tractor` row: its own table says it all.
    let summarised: Vec<Workload> = workloads.iter().copied().filter(|&w| w != Workload::Broadcast).collect();
    if !summarised.is_empty() {
        let _ = writeln!(out, "### Summary (median ns/op, lower is better)\n");
        let _ = writeln!(
            out,
            "| workload | runtime | tractor | best peer | tokio floor | flume floor | tractor ÷ tokio floor | tractor ÷ best peer | `get()` ÷ `ask(Get)` |"
        );
        let _ = writeln!(out, "|---|---|--:|---|--:|--:|--:|--:|--:|");
        for &w in &summarised {
            for &f in &flavors {
                let tractor = find(cells, LibId::Tractor, w, f).and_then(Cell::stats);
                let best = best_peer(cells, w, f);
                let floor_median = floor(cells, w, f);
                let flume = find(cells, LibId::FlumeFloor, w, f).and_then(Cell::stats);
                let via_ask = find(cells, LibId::TractorAsk, w, f).and_then(Cell::stats).map(|s| s.median);
                let cell = |s: Option<Stats>| s.map(|s| ns(s.median)).unwrap_or_else(|| "–".to_owned());
                let best_text =
                    best.map(|(lib, s)| format!("{} ({})", ns(s.median), lib.label())).unwrap_or("–".into());
                let (vs_floor, vs_best, vs_ask) = match tractor {
                    Some(t) => (
                        ratio(t.median, floor_median),
                        ratio(t.median, best.map(|b| b.1.median)),
                        ratio(t.median, via_ask),
                    ),
                    None => ("–".to_owned(), "–".to_owned(), "–".to_owned()),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    w.key(),
                    f.label(),
                    cell(tractor),
                    best_text,
                    floor_median.map(ns).unwrap_or("–".into()),
                    cell(flume),
                    vs_floor,
                    vs_best,
                    vs_ask,
                );
            }
        }
    }
    if workloads.contains(&Workload::Spawn) {
        let _ = writeln!(out, "\nResident memory per idle actor (KiB, first run of each `spawn` child):\n");
        let _ = write!(out, "| runtime |");
        let libs: Vec<LibId> = LibId::ALL
            .into_iter()
            .filter(|&l| cells.iter().any(|c| c.lib == l && c.workload == Workload::Spawn))
            .collect();
        for l in &libs {
            let _ = write!(out, " {} |", l.label());
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "|---|{}", "--:|".repeat(libs.len()));
        for &f in &flavors {
            let _ = write!(out, "| {} |", f.label());
            for &l in &libs {
                let kib = find(cells, l, Workload::Spawn, f)
                    .and_then(Cell::stats)
                    .and_then(|s| s.kib_per_actor)
                    .map(|k| format!("{k:.2}"))
                    .unwrap_or_else(|| "n/a".to_owned());
                let _ = write!(out, " {kib} |");
            }
            let _ = writeln!(out);
        }
    }

    for &w in &workloads {
        let _ = writeln!(out, "\n### `{}`: {}\n", w.key(), w.describe(sizes));
        let kib_col = w == Workload::Spawn;
        let _ = writeln!(
            out,
            "| runtime | library | median ns/op | min ns/op | × tokio floor | × best peer |{} note |",
            if kib_col { " KiB/actor |" } else { "" }
        );
        let _ = writeln!(out, "|---|---|--:|--:|--:|--:|{}---|", if kib_col { "--:|" } else { "" });
        for &f in &flavors {
            let floor_median = floor(cells, w, f);
            let best_median = best_peer(cells, w, f).map(|b| b.1.median);
            let sender_loop = find(cells, LibId::TractorSender, w, f).and_then(Cell::stats).map(|s| s.median);
            for c in cells.iter().filter(|c| c.workload == w && c.flavor == f) {
                let (median, min, vs_floor, vs_best, kib, note) = match (&c.outcome, c.stats()) {
                    (_, Some(s)) => (
                        ns(s.median),
                        ns(s.min),
                        ratio(s.median, floor_median),
                        ratio(s.median, best_median),
                        s.kib_per_actor.map(|k| format!("{k:.2}")).unwrap_or_default(),
                        match (c.lib, sender_loop) {
                            (
                                LibId::TractorSenderYield | LibId::TractorPubSub | LibId::TractorPubSubLatest,
                                Some(base),
                            ) => {
                                format!("{} the `Sender` loop", ratio(s.median, Some(base)))
                            }
                            _ => String::new(),
                        },
                    ),
                    (Outcome::NotApplicable(why), None) => {
                        ("n/a".into(), String::new(), String::new(), String::new(), String::new(), (*why).to_owned())
                    }
                    (Outcome::Failed(why), None) => {
                        ("failed".into(), String::new(), String::new(), String::new(), String::new(), why.clone())
                    }
                    (Outcome::Samples(_), None) => unreachable!("samples always have stats"),
                };
                let kib = if kib_col { format!(" {kib} |") } else { String::new() };
                let _ = writeln!(
                    out,
                    "| {} | {} | {median} | {min} | {vs_floor} | {vs_best} |{kib} {note} |",
                    f.label(),
                    c.lib.label()
                );
            }
        }
    }
    out
}
