//! Findings of `schemabus check` beyond the compatibility rules and lints:
//! the lock's state, removed subjects, configuration slips, simulation.

use anyhow::Context;
use schemabus::compat::{simulate, Direction, Finding, Severity};

use super::config::Config;
use super::lockfile::Lock;
use super::sources::{Snapshot, Subject};
use super::History;

/// In `--locked` mode: the schema differs from the lock's latest version.
pub fn lock_outdated(subject: &Subject, latest: Option<&str>) -> Option<Finding> {
    if latest == Some(subject.schema.as_str()) {
        return None;
    }
    let message = match latest {
        None => format!("subject `{}` is not in the lock", subject.name),
        Some(_) => format!(
            "schema of `{}` changed since its last lock entry",
            subject.name
        ),
    };
    let hint = "run `schemabus lock` and commit schemas/schemas.lock with the schema change";
    Some(Finding::new(
        "LOCK_OUTDATED",
        Severity::Error,
        &subject.name,
        message,
        hint,
    ))
}

/// In `--locked` mode: lock entries whose fingerprint or canonical form do
/// not belong to their schema (edited by hand or by a bad merge).
pub fn tampered_lock(lock: &Lock) -> Vec<Finding> {
    lock.inconsistencies()
        .into_iter()
        .map(|(subject, version, problem)| {
            Finding::new(
                "LOCK_INCONSISTENT",
                Severity::Error,
                subject,
                format!("lock entry version {version}: {problem}"),
                "restore schemas/schemas.lock from version control; `schemabus lock` only appends",
            )
        })
        .collect()
}

/// Subjects the history has and the schemas no longer define.
pub fn removed_subjects(current: &Snapshot, history: &History) -> Vec<Finding> {
    history
        .subjects()
        .into_iter()
        .filter(|name| !current.subjects.contains_key(*name))
        .map(|name| {
            Finding::new(
                "SUBJECT_REMOVED",
                Severity::Warning,
                name,
                format!("no schema defines `{name}` any more"),
                "consumers may still receive these events from Kafka and replays; keep the schema until none are left",
            )
        })
        .collect()
}

/// Per-subject settings for subjects that do not exist (typos).
pub fn unknown_overrides(config: &Config, current: &Snapshot) -> Vec<Finding> {
    config
        .check
        .subjects
        .keys()
        .filter(|name| !current.subjects.contains_key(*name))
        .map(|name| {
            Finding::new(
                "CONFIG_UNKNOWN_SUBJECT",
                Severity::Warning,
                name,
                format!("schemabus.toml sets a level for `{name}`, which no schema defines"),
                "check the subject's full name (namespace and record name)",
            )
        })
        .collect()
}

/// `--simulate`: random values written on one side, read on the other.
pub fn simulation(
    subject: &Subject,
    label: &str,
    old_schema: &str,
    direction: Direction,
    values: usize,
    seed: u64,
) -> anyhow::Result<Option<Finding>> {
    let (writer, reader, written, read) = match direction {
        Direction::Backward => (old_schema, subject.schema.as_str(), label, "the new schema"),
        Direction::Forward => (subject.schema.as_str(), old_schema, "the new schema", label),
    };
    let outcome = simulate(writer, reader, values, seed)
        .with_context(|| format!("simulating {} against {label}", subject.name))?;
    Ok(outcome.failures.first().map(|first| {
        Finding::new(
            "SIMULATION_FAILED",
            Severity::Error,
            &subject.name,
            format!(
                "{} of {} random values written with {written} could not be read with {read}: {} (e.g. {})",
                outcome.failed, outcome.values, first.error, first.value
            ),
            "the other findings of this subject say why; the simulation decodes with apache-avro's \
             resolver, a second opinion on the check",
        )
    }))
}
