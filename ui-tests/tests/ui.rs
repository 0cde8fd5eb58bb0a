//! Compile-fail and compile-pass cases for the macros and the typed API.
//!
//! `fail/*.rs` must not compile, with exactly the errors in the matching
//! `.stderr`; `pass/*.rs` must compile and run. Regenerate the `.stderr`
//! files with `TRYBUILD=overwrite cargo test -p tractor-ui-tests`, then read
//! each one: it is the message a user will see.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("pass/*.rs");
    cases.compile_fail("fail/*.rs");
}
