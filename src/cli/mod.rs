//! Subcommands, one module each; `opt` holds the clap definitions.

mod demo;
mod gen;
mod kafka_demo;
mod lag;
mod opt;
mod topics;

use std::process::ExitCode;

use clap::Parser;

use anyhow::Context;
use schemabus::kafka::KafkaConfig;

use opt::{Command, KafkaArgs, Opt};

/// Parses the command line and runs the subcommand. Exit codes: 0 success,
/// 1 failure, 2 usage or input errors.
pub fn run() -> ExitCode {
    let opt = Opt::parse();
    let result = match opt.command {
        Command::Gen(args) => gen::run(&args),
        Command::Demo(args) => match &args.kafka {
            Some(bootstrap) => kafka_demo::run(&args, bootstrap),
            None => demo::run(&args),
        },
        Command::Topics(args) => topics::run(&args),
        Command::Lag(args) => lag::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The configuration from the environment (`KAFKA_*`), with the command
/// line's broker and prefix on top.
fn kafka_config(args: &KafkaArgs) -> anyhow::Result<KafkaConfig> {
    let mut config = KafkaConfig::from_env().context("reading KAFKA_* variables")?;
    if let Some(bootstrap) = &args.bootstrap {
        config = config.bootstrap_servers(bootstrap.clone());
    }
    if let Some(prefix) = &args.topic_prefix {
        config = config.topic_prefix(prefix.clone());
    }
    Ok(config)
}
