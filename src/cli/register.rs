//! `schemabus register`: every event schema under its subject (the
//! record's full name, as producers register them by default).

use std::process::ExitCode;

use anyhow::Context;
use schemabus::registry::{RegistryError, SchemaRegistry};

use super::check::SchemaTree;
use super::opt::RegisterArgs;

/// Registers (or with `--dry-run` checks) every schema; exit code 1 when
/// the registry refused one.
pub fn run(args: &RegisterArgs) -> anyhow::Result<ExitCode> {
    let tree = SchemaTree::load_dir(&args.schemas)?;
    let registry = super::http_registry(args.registry.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a runtime")?;
    let mut refused = 0;
    for subject in tree.subjects.values() {
        let line = runtime.block_on(register(
            &registry,
            &subject.name,
            &subject.schema,
            args.dry_run,
        ));
        match line {
            Ok(line) => println!("{line}"),
            Err(RegistryError::Incompatible { messages, .. }) => {
                refused += 1;
                println!("{}: refused (incompatible)", subject.name);
                for message in messages {
                    println!("    {message}");
                }
            }
            Err(e) => return Err(e).with_context(|| format!("registering `{}`", subject.name)),
        }
    }
    let total = tree.subjects.len();
    println!(
        "{} of {total} subject(s) {}",
        total - refused,
        if args.dry_run {
            "would be accepted"
        } else {
            "registered"
        }
    );
    Ok(if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One subject: `<subject>: id N (version V, new|unchanged)`, or for a
/// dry run what would happen.
async fn register(
    registry: &impl SchemaRegistry,
    subject: &str,
    schema: &str,
    dry_run: bool,
) -> Result<String, RegistryError> {
    let existing = match registry.lookup(subject, schema).await {
        Ok(found) => Some(found),
        Err(RegistryError::SubjectNotFound(_) | RegistryError::SchemaNotFound(_)) => None,
        Err(e) => return Err(e),
    };
    if let Some(found) = existing {
        return Ok(format!(
            "{subject}: id {} (version {}, unchanged)",
            found.id, found.version
        ));
    }
    if dry_run {
        let report = registry.check_compatibility(subject, schema).await?;
        if !report.compatible {
            return Err(RegistryError::Incompatible {
                subject: subject.to_owned(),
                messages: report.messages,
            });
        }
        return Ok(format!("{subject}: would register a new version"));
    }
    let id = registry.register(subject, schema).await?;
    let version = registry.lookup(subject, schema).await?.version;
    Ok(format!("{subject}: id {id} (version {version}, new)"))
}
