//! Subcommands, one module each; `opt` holds the clap definitions.

mod demo;
mod gen;
mod opt;

use std::process::ExitCode;

use clap::Parser;

use opt::{Command, Opt};

/// Parses the command line and runs the subcommand. Exit codes: 0 success,
/// 1 failure, 2 usage or input errors.
pub fn run() -> ExitCode {
    let opt = Opt::parse();
    let result = match opt.command {
        Command::Gen(args) => gen::run(&args),
        Command::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
