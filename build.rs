//! Compiles `schemas/` into `$OUT_DIR/events.rs` (the reference domain).

fn main() {
    if let Err(error) = schemabus_codegen::Builder::new()
        .schemas("schemas")
        .compile()
    {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
