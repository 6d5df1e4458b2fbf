//! Prints the code generated for a schema directory: `cargo run -p schemabus-codegen --example gen -- DIR`.

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "schemas".to_owned());
    match schemabus_codegen::Builder::new().schemas(&dir).generate() {
        Ok(source) => print!("{source}"),
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    }
}
