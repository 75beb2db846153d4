//! Compile-fail tests: every misuse of the builder in `ui-tests/` must fail to compile with the
//! message in its `.stderr` snapshot. Snapshots belong to the rustc version named in
//! docs/guarantees.md (1.95.0); refresh them with `TRYBUILD=overwrite cargo test --test ui` and
//! read the diff.

#[test]
fn misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui-tests/*.rs");
}
