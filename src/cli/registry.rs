//! `schemabus registry serve`: a schema registry with Confluent's REST API,
//! kept in a directory — for development, CI and small deployments.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use schemabus::registry::server::{self, ServerOptions};
use schemabus::registry::EmbeddedRegistry;

use super::check::InputError;
use super::opt::{RegistryArgs, RegistryCommand, ServeArgs};

/// The variable holding `user:password` when `--basic-auth` is not given.
const BASIC_AUTH_ENV: &str = "SCHEMABUS_REGISTRY_BASIC_AUTH";

/// Runs a `schemabus registry` subcommand.
pub fn run(args: &RegistryArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        RegistryCommand::Serve(args) => serve(args),
    }
}

/// Opens the registry, binds the address, prints `listening on http://ADDR`
/// and serves until Ctrl-C or SIGTERM.
fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let mut options = ServerOptions::new().max_body(args.max_body);
    let user_info = match &args.basic_auth {
        Some(user_info) => Some(user_info.clone()),
        None => std::env::var(BASIC_AUTH_ENV).ok().filter(|v| !v.is_empty()),
    };
    if let Some(user_info) = user_info {
        let (user, password) = user_info.split_once(':').ok_or_else(|| {
            InputError::Message(format!(
                "basic auth must be `user:password` (--basic-auth or {BASIC_AUTH_ENV})"
            ))
        })?;
        options = options.basic_auth(user, password);
    }
    let registry = match &args.data {
        Some(dir) => EmbeddedRegistry::open(dir)
            .with_context(|| format!("opening the registry in {}", dir.display()))?,
        None => EmbeddedRegistry::in_memory(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting a runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        match registry.state_file() {
            Some(file) => eprintln!("registry state in {}", file.display()),
            None => eprintln!("registry in memory: everything is lost on exit"),
        }
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening on http://{addr}")
            .and_then(|()| stdout.flush())
            .context("writing to stdout")?;
        server::serve_with_shutdown(listener, Arc::new(registry), options, shutdown())
            .await
            .context("serving")?;
        eprintln!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    eprintln!("stopping: finishing the requests in flight");
}
