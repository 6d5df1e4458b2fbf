//! Subcommands, one module each; `opt` holds the clap definitions.

mod check;
mod compat;
mod decode;
mod demo;
mod gen;
mod kafka_demo;
mod lag;
mod opt;
mod register;
mod registry;
mod tail;
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
        // Their errors are all about the input: bad schemas, configuration,
        // lock files or git revisions (exit code 2).
        Command::Check(args) => check::run(&args).map_err(input_error),
        Command::Lock(args) => check::lock(&args).map_err(input_error),
        Command::Compat(args) => compat::run(&args).map_err(input_error),
        Command::Registry(args) => registry::run(&args),
        Command::Register(args) => register::run(&args).map_err(input_error),
        Command::Tail(args) => tail::run(&args),
        Command::Decode(args) => decode::run(&args).map_err(input_error),
    };
    match result {
        Ok(code) => code,
        Err(error) => match error.downcast_ref::<check::InputError>() {
            Some(check::InputError::Diagnostics(diagnostics)) => {
                eprintln!("{diagnostics}");
                ExitCode::from(2)
            }
            Some(check::InputError::Message(message)) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            None => {
                eprintln!("error: {error:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// The registry named by `--registry`, else `KAFKA_SCHEMA_REGISTRY_URL`
/// (several URLs comma-separated), with basic auth and TLS files from the
/// other `KAFKA_SCHEMA_REGISTRY_*` variables (no other variable is read).
fn http_registry(url: Option<&str>) -> anyhow::Result<schemabus::registry::HttpRegistry> {
    let message = |text: String| anyhow::Error::from(check::InputError::Message(text));
    let var = |name: &str| {
        std::env::var(format!("KAFKA_SCHEMA_REGISTRY_{name}"))
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    let mut config = schemabus::kafka::KafkaConfig::default();
    config.schema_registry_url = url
        .map(str::to_owned)
        .or_else(|| var("URL"))
        .filter(|u| !u.trim().is_empty());
    config.schema_registry_user_info = var("USER_INFO");
    config.schema_registry_ca_location = var("CA_LOCATION").map(Into::into);
    config.schema_registry_certificate_location = var("CERTIFICATE_LOCATION").map(Into::into);
    config.schema_registry_key_location = var("KEY_LOCATION").map(Into::into);
    config
        .http_registry()
        .map_err(|e| message(e.to_string()))?
        .ok_or_else(|| {
            message("no registry: pass --registry URL or set KAFKA_SCHEMA_REGISTRY_URL".to_owned())
        })
}

fn input_error(error: anyhow::Error) -> anyhow::Error {
    if error.is::<check::InputError>() {
        error
    } else {
        check::InputError::Message(format!("{error:#}")).into()
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
