//! UI tests of `#[derive(DomainEvent)]`: each file under `tests/ui/<kind>/`
//! must fail to compile with the `.stderr` beside it, and each file under
//! `tests/pass/` must compile and run.
//!
//! Test files name schemas relative to this crate (`tests/schemas/...`),
//! but trybuild compiles them in a project of its own under `target/tests/`;
//! `SCHEMABUS_MANIFEST_DIR` points the derive back here.
//!
//! Re-bless with `TRYBUILD=overwrite cargo test -p schemabus-derive --test ui`
//! and read every changed `.stderr`.

#[test]
fn ui() {
    // Set before `TestCases` is created: the compiler trybuild spawns (and
    // so the derive running inside it) inherits it.
    std::env::set_var("SCHEMABUS_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"));
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
    t.pass("tests/pass/*.rs");
}
