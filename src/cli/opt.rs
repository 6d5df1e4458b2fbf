//! Command-line options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Schema-first domain events for Rust services on Apache Kafka.
#[derive(Debug, Parser)]
#[command(name = "schemabus", version, about)]
pub struct Opt {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Rust code generated from a schema directory (what build.rs compiles).
    Gen(GenArgs),
    /// Run the reference domain's debate flow in-process and print it.
    Demo(DemoArgs),
}

/// `schemabus gen`
#[derive(Debug, Args)]
pub struct GenArgs {
    /// The schema root: every *.avsc below it is compiled.
    #[arg(long, default_value = "schemas")]
    pub schemas: PathBuf,
}

/// Wire format used by the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// CloudEvents JSON, structured mode.
    Json,
    /// Avro binary (the payload; metadata travels as CloudEvents attributes).
    Avro,
}

/// `schemabus demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of debate scenarios to run.
    #[arg(long, default_value_t = 3)]
    pub debates: u32,
    /// Format every event is encoded to and decoded from on its way.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}
