//! One mistake, one error: every `fail/*.rs` case holds one mistake, and
//! its `.stderr` (what trybuild compares the compiler's output with) must
//! hold exactly one error. A second error for the same mistake is a cascade:
//! it points away from the user's token or gives advice that does not apply.

use std::fs;
use std::path::Path;

/// Cases that still give more than one error for their one mistake. Each
/// must still cascade (so this list cannot go stale); empty since the send
/// API's returned types stopped carrying `M: Message<A>` (a wrong-actor send
/// is reported once, at the message, however it is sent and awaited).
const KNOWN_CASCADES: &[&str] = &[];

fn errors_in(stderr: &str) -> usize {
    stderr.lines().filter(|line| line.starts_with("error[") || line.starts_with("error:")).count()
}

#[test]
fn each_fail_case_gives_exactly_one_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    let mut cases = 0;
    let mut wrong = Vec::new();
    for entry in fs::read_dir(&dir).expect("ui-tests/fail") {
        let path = entry.expect("a fail case").path();
        if path.extension().is_none_or(|ext| ext != "stderr") {
            continue;
        }
        let name = path.file_stem().and_then(|stem| stem.to_str()).expect("a UTF-8 file name").to_string();
        let errors = errors_in(&fs::read_to_string(&path).expect("a readable .stderr"));
        cases += 1;
        let known = KNOWN_CASCADES.contains(&name.as_str());
        match (errors, known) {
            (1, false) => {}
            (1, true) => wrong.push(format!("{name}: no longer cascades; remove it from KNOWN_CASCADES")),
            (_, true) if errors > 1 => {}
            (n, _) => wrong.push(format!("{name}: {n} errors")),
        }
    }
    assert!(cases > 0, "no .stderr files in {}", dir.display());
    assert!(wrong.is_empty(), "one mistake must give one error:\n{}", wrong.join("\n"));
}

#[test]
fn every_fail_case_has_its_stderr() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fail");
    for entry in fs::read_dir(&dir).expect("ui-tests/fail") {
        let path = entry.expect("a fail case").path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            assert!(path.with_extension("stderr").exists(), "{} has no .stderr", path.display());
        }
    }
}
