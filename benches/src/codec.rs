//! `--codec`: the candidate wire codecs for remote messages, on serde derives
//! (issue 17: "pick the codec by measurement").
//!
//! ```text
//! cargo run --release -p tractor-benches -- --codec [--quick] [--runs N]
//! ```
//!
//! For three message shapes and each codec: the encoded size, and ns per
//! encode (into a fresh `Vec`, as a send does) and per decode (into an owned
//! value, as a receive does), each the median of `--runs` timed loops (after
//! one untimed) in this one process, the codecs taking turns within each
//! round. Every codec is checked to round-trip every shape before it is timed.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A counter's tell: the smallest useful message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Increment {
    by: i64,
}

/// A key-value write: a 16-character key and 100 bytes of value.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Put {
    key: String,
    value: Vec<u8>,
}

/// A command enum: a struct variant with a nested struct and an optional field.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Job {
    Idle,
    Assign { task: Task, deadline: Option<u64> },
    Cancel(u64),
}

/// The nested struct of [`Job::Assign`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Task {
    id: u64,
    priority: u8,
    tag: String,
}

fn increment() -> Increment {
    Increment { by: 1 }
}

/// 100 bytes from a small LCG: about half of them >= 128, as arbitrary
/// binary data is (a codec that writes small integers in one byte and large
/// ones in two shows it here).
fn put() -> Put {
    let mut x: u32 = 0x2545_f491;
    let value = (0..100)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    Put { key: "user:0000001234:".to_owned(), value }
}

fn job() -> Job {
    Job::Assign {
        task: Task { id: 90_210_000_123, priority: 3, tag: "thumbnail".to_owned() },
        deadline: Some(1_767_225_600_000),
    }
}

/// One codec.
trait Codec {
    /// The table's name.
    const NAME: &'static str;
    fn encode<T: Serialize>(value: &T) -> Vec<u8>;
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T;
}

/// postcard 1.x (varints, no field names, no type tags beyond enum indexes).
struct Postcard;

impl Codec for Postcard {
    const NAME: &'static str = "postcard 1";
    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        postcard::to_allocvec(value).expect("postcard encodes")
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        postcard::from_bytes(bytes).expect("postcard decodes")
    }
}

/// rmp-serde 1.x, structs as arrays (`to_vec`, the compact default).
struct RmpCompact;

impl Codec for RmpCompact {
    const NAME: &'static str = "rmp-serde 1 (arrays)";
    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        rmp_serde::to_vec(value).expect("rmp-serde encodes")
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        rmp_serde::from_slice(bytes).expect("rmp-serde decodes")
    }
}

/// rmp-serde 1.x, structs as maps with field names (`to_vec_named`: what
/// tolerates added or reordered fields).
struct RmpNamed;

impl Codec for RmpNamed {
    const NAME: &'static str = "rmp-serde 1 (named)";
    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        rmp_serde::to_vec_named(value).expect("rmp-serde encodes")
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        rmp_serde::from_slice(bytes).expect("rmp-serde decodes")
    }
}

/// bincode 2 through its serde layer, `config::standard()` (varints).
struct Bincode2;

impl Codec for Bincode2 {
    const NAME: &'static str = "bincode 2 (serde)";
    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).expect("bincode encodes")
    }
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        bincode::serde::decode_from_slice(bytes, bincode::config::standard()).expect("bincode decodes").0
    }
}

/// One (codec, shape) result.
#[derive(Debug)]
struct Figure {
    codec: &'static str,
    shape: &'static str,
    bytes: usize,
    encode_ns: f64,
    decode_ns: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 }
}

fn ns_per(elapsed: Duration, n: u64) -> f64 {
    elapsed.as_nanos() as f64 / n as f64
}

/// A timed loop of `n` operations, returning ns per op.
type Loop = Box<dyn Fn(u64) -> f64>;

/// One (codec, shape) cell: its encoded size and its two timed loops.
struct Case {
    codec: &'static str,
    shape: &'static str,
    bytes: usize,
    encode: Loop,
    decode: Loop,
}

fn case<C: Codec, T>(shape: &'static str, value: T) -> Case
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + 'static,
{
    let bytes = C::encode(&value);
    let back: T = C::decode(&bytes);
    assert_eq!(back, value, "{} does not round-trip {shape}", C::NAME);
    let len = bytes.len();
    let encode: Loop = Box::new(move |n| {
        let start = Instant::now();
        for _ in 0..n {
            black_box(C::encode(black_box(&value)));
        }
        ns_per(start.elapsed(), n)
    });
    let decode: Loop = Box::new(move |n| {
        let start = Instant::now();
        for _ in 0..n {
            black_box(C::decode::<T>(black_box(&bytes)));
        }
        ns_per(start.elapsed(), n)
    });
    Case { codec: C::NAME, shape, bytes: len, encode, decode }
}

fn cases_of<C: Codec>(out: &mut Vec<Case>) {
    out.push(case::<C, _>("Increment { by: 1 }", increment()));
    out.push(case::<C, _>("Put { key: 16 chars, value: 100 B }", put()));
    out.push(case::<C, _>("Job::Assign { Task { u64, u8, String }, Some(u64) }", job()));
}

/// Times every case: one untimed loop each, then `runs` rounds in which
/// every case runs once (so a change in the machine's load falls on all
/// codecs alike), and the median per case.
fn measure(cases: &[Case], n: u64, runs: usize) -> Vec<Figure> {
    for c in cases {
        (c.encode)(n / 10);
        (c.decode)(n / 10);
    }
    let mut encode = vec![Vec::with_capacity(runs); cases.len()];
    let mut decode = vec![Vec::with_capacity(runs); cases.len()];
    for _ in 0..runs {
        for (i, c) in cases.iter().enumerate() {
            encode[i].push((c.encode)(n));
            decode[i].push((c.decode)(n));
        }
    }
    cases
        .iter()
        .zip(encode.into_iter().zip(decode))
        .map(|(c, (e, d))| Figure {
            codec: c.codec,
            shape: c.shape,
            bytes: c.bytes,
            encode_ns: median(e),
            decode_ns: median(d),
        })
        .collect()
}

/// `--codec`: `args` are all the arguments.
pub(crate) fn main(args: &[String]) {
    let mut quick = false;
    let mut runs = 5;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--codec" => {}
            "--quick" => quick = true,
            "--runs" => match it.next().and_then(|n| n.parse().ok()).filter(|&n: &usize| n > 0) {
                Some(n) => runs = n,
                None => fail("--runs needs N > 0"),
            },
            other => fail(&format!("unknown argument `{other}`")),
        }
    }
    let n = if quick { 100_000 } else { 1_000_000 };
    let mut cases = Vec::new();
    cases_of::<Postcard>(&mut cases);
    cases_of::<RmpCompact>(&mut cases);
    cases_of::<RmpNamed>(&mut cases);
    cases_of::<Bincode2>(&mut cases);
    let figures = measure(&cases, n, runs);
    print!("{}", markdown(&figures, n, runs));
}

fn fail(why: &str) -> ! {
    eprintln!("error: {why}\nusage: tractor-benches --codec [--quick] [--runs N]");
    std::process::exit(2);
}

fn markdown(figures: &[Figure], n: u64, runs: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Wire codecs (serde derives): {n} encodes and {n} decodes per timed loop, median of {runs} loops\n"
    );
    let _ = writeln!(out, "| message | codec | bytes | encode ns | decode ns | encode + decode ns |");
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|");
    let mut shapes: Vec<&str> = Vec::new();
    for f in figures {
        if !shapes.contains(&f.shape) {
            shapes.push(f.shape);
        }
    }
    for shape in &shapes {
        for f in figures.iter().filter(|f| f.shape == *shape) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.1} | {:.1} | {:.1} |",
                f.shape,
                f.codec,
                f.bytes,
                f.encode_ns,
                f.decode_ns,
                f.encode_ns + f.decode_ns
            );
        }
    }
    let _ = writeln!(out, "\n| codec | bytes, 3 messages | encode + decode ns, 3 messages |");
    let _ = writeln!(out, "|---|--:|--:|");
    let mut codecs: Vec<&str> = Vec::new();
    for f in figures {
        if !codecs.contains(&f.codec) {
            codecs.push(f.codec);
        }
    }
    for codec in codecs {
        let mine = figures.iter().filter(|f| f.codec == codec);
        let bytes: usize = mine.clone().map(|f| f.bytes).sum();
        let ns: f64 = mine.map(|f| f.encode_ns + f.decode_ns).sum();
        let _ = writeln!(out, "| {codec} | {bytes} | {ns:.1} |");
    }
    out
}
