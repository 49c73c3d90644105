//! Compile-time rules: each `tests/ui/fail/*.rs` must fail to compile with exactly
//! the diagnostics in its `.stderr`; each `tests/ui/pass/*.rs` must compile and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
