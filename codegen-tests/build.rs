//! Compiles the fixture schemas, one per Avro construct.

fn main() {
    if let Err(error) = schemabus_codegen::Builder::new()
        .schemas("schemas")
        .compile()
    {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
