//! The summary as an SVG bar chart, written by hand (no plotting dependency).
//!
//! One column per runtime, one group per workload in it, one horizontal bar
//! per library: tractor, every peer and both floors, each labelled with its
//! median ns/op. Every group shares one logarithmic axis, so equal distances
//! are equal ratios: "tractor is 1.8× the best peer" is the same gap in every
//! group, whether the workload costs 50 ns or 2 µs an op, and a peer that is
//! 50× off (xtra's spin locks on the multi-thread runtime) still fits without
//! squashing the rest. A dashed line in each group marks the best peer, and
//! the group's heading gives tractor's ratio to it in figures.
//!
//! `broadcast` is left out, as in the Markdown summary: it has tractor rows
//! only. So are tractor's other rows (`ask(Get)`, hand-written, supervised):
//! the detailed tables compare them.

use std::fmt::Write as _;

use crate::libs::LibId;
use crate::report::{self, Cell};
use crate::{Flavor, Outcome, Workload};

/// The libraries charted, in bar order, with their bar colours.
const LIBS: [(LibId, &str); 7] = [
    (LibId::Tractor, "#d95f02"),
    (LibId::Kameo, "#1b9e77"),
    (LibId::Ractor, "#7570b3"),
    (LibId::Xtra, "#e7298a"),
    (LibId::Actix, "#66a61e"),
    (LibId::TokioFloor, "#8c8c8c"),
    (LibId::FlumeFloor, "#c4c4c4"),
];

const MARGIN: f64 = 16.0;
/// Room for the library's short name left of its bar.
const NAME_W: f64 = 84.0;
/// The plot itself, where the axis runs.
const PLOT_W: f64 = 380.0;
/// Room for the value right of the longest bar.
const VALUE_W: f64 = 56.0;
const COL_W: f64 = NAME_W + PLOT_W + VALUE_W;
const COL_GAP: f64 = 24.0;
const BAR_H: f64 = 11.0;
const BAR_STEP: f64 = 14.0;
const HEADING_H: f64 = 18.0;
const GROUP_PAD: f64 = 12.0;
const LEGEND_COLS: usize = 4;
const LEGEND_ROW: f64 = 16.0;

/// Escapes text for an SVG text node or a double-quoted attribute.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A library's table label without Markdown's backticks.
fn plain_label(lib: LibId) -> String {
    lib.label().replace('`', "")
}

/// A logarithmic axis over `[lo, hi]`, both on the 1-2-5 sequence.
#[derive(Clone, Copy, Debug)]
struct LogAxis {
    lo: f64,
    hi: f64,
}

/// The 1-2-5 sequence around `v`: the largest step at most `v` (`down`) or
/// the smallest at least `v`.
fn nice(v: f64, down: bool) -> f64 {
    let decade = 10f64.powi(v.log10().floor() as i32);
    let steps = [1.0, 2.0, 5.0, 10.0];
    if down {
        steps.iter().rev().map(|s| s * decade).find(|&s| s <= v * (1.0 + 1e-9)).unwrap_or(decade)
    } else {
        steps.iter().map(|s| s * decade).find(|&s| s >= v * (1.0 - 1e-9)).unwrap_or(10.0 * decade)
    }
}

impl LogAxis {
    /// An axis whose left end is a step below the smallest value (so the
    /// shortest bar still shows) and whose right end is at least the largest.
    fn covering(min: f64, max: f64) -> Self {
        let lo = nice(min / 1.25, true);
        let hi = nice(max, false).max(lo * 10.0);
        LogAxis { lo, hi }
    }

    /// Distance from the axis's left end, in pixels.
    fn x(self, v: f64) -> f64 {
        let t = (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10());
        t.clamp(0.0, 1.0) * PLOT_W
    }

    /// Labelled gridlines: 1-2-5 while that leaves room for the labels, else decades.
    fn ticks(self) -> Vec<f64> {
        let decades = (self.hi / self.lo).log10();
        self.steps(if decades <= 3.5 { &[1.0, 2.0, 5.0] } else { &[1.0] })
    }

    /// Every gridline, 1-2-5, and whether it is labelled (one of `ticks`).
    fn grid(self) -> Vec<(f64, bool)> {
        let ticks = self.ticks();
        self.steps(&[1.0, 2.0, 5.0]).into_iter().map(|g| (g, ticks.contains(&g))).collect()
    }

    /// The values `step × 10^k` within the axis.
    fn steps(self, steps: &[f64]) -> Vec<f64> {
        let mut ticks = Vec::new();
        let mut decade = 10f64.powi(self.lo.log10().floor() as i32);
        while decade <= self.hi * (1.0 + 1e-9) {
            for s in steps {
                let t = s * decade;
                if t >= self.lo * (1.0 - 1e-9) && t <= self.hi * (1.0 + 1e-9) {
                    ticks.push(t);
                }
            }
            decade *= 10.0;
        }
        ticks
    }
}

/// A tick's label: 20, 500, 1k, 20k.
fn tick_label(v: f64) -> String {
    if v >= 1000.0 { format!("{}k", round(v / 1000.0)) } else { round(v) }
}

fn round(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 { format!("{}", v.round()) } else { format!("{v}") }
}

/// The median of a cell, if it ran.
fn median(cells: &[Cell], lib: LibId, workload: Workload, flavor: Flavor) -> Option<f64> {
    report::find(cells, lib, workload, flavor).and_then(Cell::stats).map(|s| s.median)
}

/// The summary as an SVG document, or `None` if there is nothing to chart.
/// `caption` goes under the title, one `<text>` per line (command, sizes, date).
pub(crate) fn svg(cells: &[Cell], caption: &str) -> Option<String> {
    let charted = |c: &&Cell| c.workload != Workload::Broadcast && LIBS.iter().any(|(l, _)| *l == c.lib);
    let mut workloads: Vec<Workload> = Vec::new();
    let mut flavors: Vec<Flavor> = Vec::new();
    let mut libs: Vec<(LibId, &str)> = Vec::new();
    for c in cells.iter().filter(charted) {
        if !workloads.contains(&c.workload) {
            workloads.push(c.workload);
        }
        if !flavors.contains(&c.flavor) {
            flavors.push(c.flavor);
        }
    }
    for &(lib, colour) in &LIBS {
        if cells.iter().filter(charted).any(|c| c.lib == lib) {
            libs.push((lib, colour));
        }
    }
    let medians: Vec<f64> = cells.iter().filter(charted).filter_map(|c| c.stats()).map(|s| s.median).collect();
    let min = medians.iter().copied().filter(|v| *v > 0.0).min_by(f64::total_cmp)?;
    let max = medians.iter().copied().max_by(f64::total_cmp)?;
    let axis = LogAxis::covering(min, max);

    let width = 2.0 * MARGIN + flavors.len() as f64 * COL_W + (flavors.len() as f64 - 1.0) * COL_GAP;
    let caption_lines: Vec<&str> = caption.lines().collect();
    let legend_top = 44.0 + caption_lines.len() as f64 * 14.0;
    let legend_rows = libs.len().div_ceil(LEGEND_COLS);
    let header_y = legend_top + legend_rows as f64 * LEGEND_ROW + 18.0;
    let ticks_y = header_y + 18.0;
    let plot_top = ticks_y + 8.0;
    let group_h = HEADING_H + libs.len() as f64 * BAR_STEP + GROUP_PAD;
    let plot_bottom = plot_top + workloads.len() as f64 * group_h;
    let height = plot_bottom + 40.0;

    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##);
    let _ = writeln!(
        out,
        r#"<text x="{MARGIN}" y="24" font-size="16" font-weight="bold">Median ns/op per library and workload (log scale, lower is better)</text>"#
    );
    for (i, line) in caption_lines.iter().enumerate() {
        let y = 42.0 + i as f64 * 14.0;
        let _ =
            writeln!(out, r##"<text class="caption" x="{MARGIN}" y="{y:.1}" fill="#555555">{}</text>"##, escape(line));
    }

    // Legend: swatch and full label, LEGEND_COLS to a row.
    let legend_col_w = (width - 2.0 * MARGIN) / LEGEND_COLS as f64;
    for (i, &(lib, colour)) in libs.iter().enumerate() {
        let x = MARGIN + (i % LEGEND_COLS) as f64 * legend_col_w;
        let y = legend_top + (i / LEGEND_COLS) as f64 * LEGEND_ROW;
        let _ = writeln!(
            out,
            r#"<rect class="swatch" x="{x:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            y - 9.0,
            x + 14.0,
            y,
            escape(&plain_label(lib))
        );
    }

    for (ci, &flavor) in flavors.iter().enumerate() {
        let col_x = MARGIN + ci as f64 * (COL_W + COL_GAP);
        let plot_x = col_x + NAME_W;
        let _ = writeln!(
            out,
            r#"<text x="{plot_x:.1}" y="{header_y:.1}" font-size="13" font-weight="bold">{}</text>"#,
            escape(flavor.label())
        );
        for (t, labelled) in axis.grid() {
            let x = plot_x + axis.x(t);
            let stroke = if labelled { "#d8d8d8" } else { "#f0f0f0" };
            let _ = write!(
                out,
                r#"<line class="grid" x1="{x:.1}" y1="{plot_top:.1}" x2="{x:.1}" y2="{plot_bottom:.1}" stroke="{stroke}"/>"#
            );
            if labelled {
                let _ = write!(
                    out,
                    r##"<text class="tick" x="{x:.1}" y="{ticks_y:.1}" text-anchor="middle" fill="#555555">{}</text>"##,
                    tick_label(t)
                );
            }
            out.push('\n');
        }
        for (wi, &workload) in workloads.iter().enumerate() {
            let top = plot_top + wi as f64 * group_h;
            let best = report::best_peer(cells, workload, flavor);
            let tractor = median(cells, LibId::Tractor, workload, flavor);
            let heading = match (tractor, best) {
                (Some(t), Some((peer, b))) => {
                    format!("{}: tractor {:.2}× the best peer ({})", workload.key(), t / b.median, plain_label(peer))
                }
                _ => workload.key().to_owned(),
            };
            let _ = writeln!(
                out,
                r#"<text class="heading" x="{plot_x:.1}" y="{:.1}" font-weight="bold">{}</text>"#,
                top + 13.0,
                escape(&heading)
            );
            for (li, &(lib, colour)) in libs.iter().enumerate() {
                let y = top + HEADING_H + li as f64 * BAR_STEP;
                let text_y = y + BAR_H - 1.5;
                let weight = if lib == LibId::Tractor { r#" font-weight="bold""# } else { "" };
                let _ = writeln!(
                    out,
                    r#"<text class="name" x="{:.1}" y="{text_y:.1}" text-anchor="end"{weight}>{}</text>"#,
                    plot_x - 6.0,
                    escape(lib.key())
                );
                let cell = report::find(cells, lib, workload, flavor);
                match cell.map(|c| (&c.outcome, c.stats())) {
                    Some((_, Some(s))) => {
                        let w = axis.x(s.median).max(1.0);
                        let _ = writeln!(
                            out,
                            r#"<rect class="bar" data-lib="{}" x="{plot_x:.1}" y="{y:.1}" width="{w:.2}" height="{BAR_H}" fill="{colour}"><title>{}</title></rect><text class="value" x="{:.1}" y="{text_y:.1}"{weight}>{}</text>"#,
                            lib.key(),
                            escape(&format!(
                                "{}, {}, {}: {} ns/op",
                                plain_label(lib),
                                workload.key(),
                                flavor.label(),
                                report::ns(s.median)
                            )),
                            plot_x + w + 4.0,
                            report::ns(s.median)
                        );
                    }
                    other => {
                        let why = match other {
                            Some((Outcome::Failed(_), _)) => "failed",
                            Some(_) => "n/a",
                            None => "not run",
                        };
                        let _ = writeln!(
                            out,
                            r##"<text class="missing" x="{:.1}" y="{text_y:.1}" fill="#888888">{why}</text>"##,
                            plot_x + 4.0
                        );
                    }
                }
            }
            if let Some((peer, b)) = best {
                let x = plot_x + axis.x(b.median);
                let _ = writeln!(
                    out,
                    r##"<line class="best" data-lib="{}" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333333" stroke-dasharray="3,2"/>"##,
                    peer.key(),
                    top + HEADING_H - 3.0,
                    top + HEADING_H + libs.len() as f64 * BAR_STEP,
                );
            }
        }
    }
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="{:.1}" fill="#555555">One axis for every group: equal distances are equal ratios. Dashed line: the best peer (fastest of kameo, ractor, xtra, actix) in that group.</text>"##,
        plot_bottom + 22.0
    );
    let _ = writeln!(out, "</svg>");
    Some(out)
}

/// Today's date in UTC as `YYYY-MM-DD`, from days since the epoch
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn utc_date(secs_since_epoch: u64) -> String {
    let z = (secs_since_epoch / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::harness::Sample;

    /// A cell whose median is `ns` ns/op.
    fn ran(lib: LibId, workload: Workload, flavor: Flavor, ns: f64) -> Cell {
        let ops = 1000;
        let elapsed = Duration::from_nanos((ns * ops as f64).round() as u64);
        Cell { lib, workload, flavor, outcome: Outcome::Samples(vec![Sample { elapsed, ops, kib_per_actor: None }]) }
    }

    /// An element: its name, its attributes, its text.
    type Element = (String, Vec<(String, String)>, String);

    /// Checks that `doc` is well-formed XML with one `<svg>` root: every tag
    /// closed in order, attribute values double-quoted, `<` never in text or
    /// values, `&` only as one of the five predefined entities. Returns the
    /// elements as (name, attributes, text up to the next tag).
    fn parse(doc: &str) -> Vec<Element> {
        fn check_text(t: &str) {
            assert!(!t.contains('<'), "raw `<` in {t:?}");
            let mut rest = t;
            while let Some(i) = rest.find('&') {
                rest = &rest[i..];
                let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e));
                assert!(ok, "bare `&` in {t:?}");
                rest = &rest[1..];
            }
        }
        let mut elements: Vec<Element> = Vec::new();
        // The open elements: name and index in `elements`.
        let mut stack: Vec<(String, usize)> = Vec::new();
        let mut roots = 0;
        let mut rest = doc.trim_start();
        if let Some(after) = rest.strip_prefix("<?xml") {
            rest = &after[after.find("?>").expect("unterminated declaration") + 2..];
        }
        loop {
            let lt = rest.find('<');
            let text = &rest[..lt.unwrap_or(rest.len())];
            check_text(text);
            if let Some(&(_, open)) = stack.last() {
                elements[open].2.push_str(text);
            } else {
                assert!(text.trim().is_empty(), "text outside the root: {text:?}");
            }
            let Some(lt) = lt else { break };
            rest = &rest[lt + 1..];
            let gt = rest.find('>').expect("unterminated tag");
            let tag = &rest[..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().map(|(n, _)| n).as_deref(), Some(name.trim()), "mismatched </{name}>");
                continue;
            }
            let (body, self_closing) = match tag.strip_suffix('/') {
                Some(body) => (body, true),
                None => (tag, false),
            };
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            let name = &body[..name_end];
            assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()), "bad tag name {name:?}");
            let mut attrs = Vec::new();
            let mut a = body[name_end..].trim();
            while !a.is_empty() {
                let eq = a.find("=\"").unwrap_or_else(|| panic!("attribute without =\"..\" in <{tag}>"));
                let key = a[..eq].trim();
                assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'), "bad key {key:?}");
                assert!(attrs.iter().all(|(k, _): &(String, String)| k != key), "duplicate attribute {key}");
                let value_and_rest = &a[eq + 2..];
                let close = value_and_rest.find('"').expect("unterminated attribute value");
                let value = &value_and_rest[..close];
                check_text(value);
                attrs.push((key.to_owned(), value.to_owned()));
                a = value_and_rest[close + 1..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
                assert_eq!(name, "svg", "the root is <svg>");
            }
            if !self_closing {
                stack.push((name.to_owned(), elements.len()));
            }
            elements.push((name.to_owned(), attrs, String::new()));
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert_eq!(roots, 1, "one root element");
        elements
    }

    fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The bars' (library, width) in document order.
    fn bars(doc: &str) -> Vec<(String, f64)> {
        parse(doc)
            .into_iter()
            .filter(|(name, attrs, _)| name == "rect" && attr(attrs, "class") == Some("bar"))
            .map(|(_, attrs, _)| {
                (attr(&attrs, "data-lib").unwrap().to_owned(), attr(&attrs, "width").unwrap().parse().unwrap())
            })
            .collect()
    }

    fn texts(doc: &str, class: &str) -> Vec<String> {
        parse(doc)
            .into_iter()
            .filter(|(name, attrs, _)| name == "text" && attr(attrs, "class") == Some(class))
            .map(|(_, _, text)| text)
            .collect()
    }

    fn sample_cells() -> Vec<Cell> {
        use Flavor::*;
        use LibId::*;
        use Workload::*;
        vec![
            ran(Tractor, Tell, Current, 100.0),
            ran(Kameo, Tell, Current, 200.0),
            ran(Ractor, Tell, Current, 400.0),
            ran(Actix, Tell, Current, 50.0),
            ran(TokioFloor, Tell, Current, 25.0),
            ran(Tractor, Tell, Multi, 100.0),
            ran(Kameo, Tell, Multi, 300.0),
            Cell { lib: Actix, workload: Tell, flavor: Multi, outcome: Outcome::NotApplicable("n/a: !Send") },
            Cell { lib: Ractor, workload: Tell, flavor: Multi, outcome: Outcome::Failed("timed out".into()) },
            ran(Tractor, Spawn, Current, 2000.0),
            ran(Kameo, Spawn, Current, 1000.0),
            // Not charted: a tractor variant and the broadcast workload.
            ran(TractorHand, Tell, Current, 5.0),
            ran(TractorPubSub, Broadcast, Current, 1.0),
        ]
    }

    #[test]
    fn the_document_is_well_formed_and_escapes_its_text() {
        let doc = svg(&sample_cells(), "tractor-benches --quick\nsizes <quick> & \"5\" runs, it's").expect("a chart");
        assert_eq!(
            texts(&doc, "caption"),
            ["tractor-benches --quick", "sizes &lt;quick&gt; &amp; &quot;5&quot; runs, it&apos;s"]
        );
        // Labels with characters that need escaping come through escaped:
        // "floor: tokio mpsc + oneshot" has none, so check the escaper itself.
        assert_eq!(escape(r#"<a href="x">&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    }

    #[test]
    fn the_checker_rejects_what_is_not_well_formed() {
        for bad in [
            "<svg><text>a < b</text></svg>",
            "<svg><text>a & b</text></svg>",
            "<svg><g></svg>",
            "<svg><text x=1>a</text></svg>",
            "<svg/><svg/>",
        ] {
            assert!(std::panic::catch_unwind(|| parse(bad)).is_err(), "accepted {bad}");
        }
        parse("<svg><g a=\"1\"/><text>a &amp; b</text></svg>");
    }

    #[test]
    fn bar_lengths_are_logarithmic_on_one_axis_for_every_group() {
        let doc = svg(&sample_cells(), "").unwrap();
        let bars = bars(&doc);
        // Column current-thread: tell (tractor, kameo, ractor, actix, tokio-floor), spawn (tractor, kameo);
        // then multi-thread: tell (tractor, kameo).
        let libs: Vec<&str> = bars.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            libs,
            ["tractor", "kameo", "ractor", "actix", "tokio-floor", "tractor", "kameo", "tractor", "kameo"]
        );
        let w: Vec<f64> = bars.iter().map(|b| b.1).collect();
        // 25 < 50 < 100 < 200 < 400, each ×2: equal steps.
        let step = w[1] - w[0];
        assert!(step > 10.0, "a doubling is visible: {step}");
        for (longer, shorter) in [(w[1], w[0]), (w[2], w[1]), (w[0], w[3]), (w[3], w[4])] {
            assert!((longer - shorter - step).abs() < 0.05, "{w:?}");
        }
        // 1000 and 2000 (spawn) on the same axis: the same ×2 step, ten times further right.
        assert!((w[5] - w[6] - step).abs() < 0.05, "{w:?}");
        let decade = w[6] - w[0];
        assert!((decade - step * 10f64.log2()).abs() < 0.05, "{w:?}");
        // The same value in another column has the same length.
        assert!((w[7] - w[0]).abs() < 0.01, "{w:?}");
        // Every bar starts inside the plot and fits in it.
        assert!(w.iter().all(|&w| w > 1.0 && w <= PLOT_W), "{w:?}");
    }

    #[test]
    fn every_bar_has_its_value_every_group_its_ratio_and_the_legend_every_library() {
        let doc = svg(&sample_cells(), "").unwrap();
        let values = texts(&doc, "value");
        assert_eq!(values, ["100.0", "200.0", "400.0", "50.0", "25.0", "2000", "1000", "100.0", "300.0"]);
        let headings = texts(&doc, "heading");
        assert_eq!(
            headings,
            [
                "tell: tractor 2.00× the best peer (actix 0.13)",
                "spawn: tractor 2.00× the best peer (kameo 0.22)",
                "tell: tractor 0.33× the best peer (kameo 0.22)",
                "spawn",
            ]
        );
        let legend = texts(&doc, "legend");
        assert_eq!(
            legend,
            ["tractor: counter.get().await", "kameo 0.22", "ractor 0.16", "actix 0.13", "floor: tokio mpsc + oneshot",]
        );
        // Cells that did not run say why instead of drawing a bar; the
        // libraries that never ran here (xtra, flume-floor), the tractor
        // variants and broadcast are not charted at all.
        let missing = texts(&doc, "missing");
        assert_eq!(missing.iter().filter(|t| *t == "n/a").count(), 1);
        assert_eq!(missing.iter().filter(|t| *t == "failed").count(), 1);
        let names = texts(&doc, "name");
        assert!(names.iter().all(|n| !["xtra", "flume-floor", "tractor-hand"].contains(&n.as_str())), "{names:?}");
        assert!(!doc.contains("broadcast") && !doc.contains("tractor-pubsub"));
    }

    #[test]
    fn the_dashed_line_marks_the_best_peer() {
        let doc = svg(&sample_cells(), "").unwrap();
        let best: Vec<String> = parse(&doc)
            .into_iter()
            .filter(|(n, attrs, _)| n == "line" && attr(attrs, "class") == Some("best"))
            .map(|(_, attrs, _)| attr(&attrs, "data-lib").unwrap().to_owned())
            .collect();
        assert_eq!(best, ["actix", "kameo", "kameo"]);
    }

    #[test]
    fn nothing_to_chart_without_summary_rows() {
        let cells = vec![ran(LibId::TractorPubSub, Workload::Broadcast, Flavor::Current, 200.0)];
        assert!(svg(&cells, "").is_none());
        assert!(svg(&[], "").is_none());
    }

    #[test]
    fn the_axis_covers_every_value_on_the_1_2_5_sequence() {
        let axis = LogAxis::covering(23.0, 2607.0);
        assert_eq!((axis.lo, axis.hi), (10.0, 5000.0));
        assert_eq!(axis.ticks(), [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0]);
        let wide = LogAxis::covering(23.0, 90_000.0);
        assert_eq!(wide.ticks(), [10.0, 100.0, 1000.0, 10_000.0, 100_000.0]);
        // The 2s and 5s are still drawn, unlabelled, on a wide axis.
        let grid = wide.grid();
        assert_eq!(grid.len(), 13);
        assert_eq!(grid[..3], [(10.0, true), (20.0, false), (50.0, false)]);
        assert_eq!(tick_label(2000.0), "2k");
        assert_eq!(tick_label(50.0), "50");
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_796_083_200 + 86_399), "2026-12-01");
    }
}
