//! `schemabus gen`: prints the code the build script generates.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use super::opt::GenArgs;

/// Generates the code for `args.schemas` and writes it to standard output.
pub fn run(args: &GenArgs) -> anyhow::Result<ExitCode> {
    let source = match schemabus_codegen::Builder::new()
        .schemas(&args.schemas)
        .generate()
    {
        Ok(source) => source,
        Err(error @ schemabus_codegen::Error::Schema(_)) => {
            // Schema diagnostics carry their own `error:` prefixes.
            eprintln!("{error}");
            return Ok(ExitCode::from(2));
        }
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    std::io::stdout()
        .lock()
        .write_all(source.as_bytes())
        .context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
