//! `schemabus check`: every current schema against its history, at the
//! configured compatibility level, plus lints; and `schemabus lock`.

mod accepted;
mod config;
mod lockfile;
mod sources;

use std::process::ExitCode;

use anyhow::Context;
use schemabus::compat::{
    check_level, lint, simulate, Direction, Finding, Location, Report, Rule, Schema, Severity,
};

use super::opt::{CheckArgs, LockArgs};
use accepted::AcceptedBreaks;
use config::Config;
use lockfile::Lock;
pub use sources::InputError;
use sources::{Snapshot, Subject};

/// What the current schemas are compared with.
enum History {
    /// The lock file's recorded versions.
    Lock(Lock),
    /// The schemas at a git revision.
    Git(String, Snapshot),
}

impl History {
    /// The earlier versions of `subject`, oldest first, with their labels.
    fn versions(&self, subject: &str) -> Vec<(String, String)> {
        match self {
            History::Lock(lock) => lock
                .versions(subject)
                .iter()
                .map(|v| (format!("version {}", v.version), v.schema.clone()))
                .collect(),
            History::Git(rev, snapshot) => snapshot
                .subjects
                .get(subject)
                .map(|s| (format!("`{rev}`"), s.schema.clone()))
                .into_iter()
                .collect(),
        }
    }
}

/// Settings of one check run.
struct Options {
    locked: bool,
    simulate: usize,
}

/// `schemabus check`
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(args.config.as_deref())?;
    let current = Snapshot::load_dir(&config.check.schemas)?;
    let history = match args.against.as_deref() {
        None => History::Lock(Lock::load(&config.check.lock)?),
        Some(against) => match against.strip_prefix("git:") {
            Some(rev) => History::Git(
                rev.to_owned(),
                Snapshot::load_git(rev, &config.check.schemas)?,
            ),
            None => {
                return Err(InputError::Message(format!(
                    "--against `{against}`: expected `git:<ref>`"
                ))
                .into());
            }
        },
    };
    let options = Options {
        locked: args.locked,
        simulate: args.simulate,
    };
    let report = check(&config, &current, &history, &options)?;
    print!("{}", report.render(args.format.into()));
    Ok(if report.compatible() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `schemabus lock`: appends every changed schema to the lock, if the
/// check passes.
pub fn lock(args: &LockArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(args.config.as_deref())?;
    let current = Snapshot::load_dir(&config.check.schemas)?;
    let history = History::Lock(Lock::load(&config.check.lock)?);
    let report = check(
        &config,
        &current,
        &history,
        &Options {
            locked: false,
            simulate: 0,
        },
    )?;
    if !report.compatible() {
        print!("{}", report.render(schemabus::compat::Format::Text));
        eprintln!("error: not locking: the schemas break compatibility (see above)");
        return Ok(ExitCode::FAILURE);
    }
    let History::Lock(mut lock) = history else {
        unreachable!("built as a lock above")
    };
    let mut appended = Vec::new();
    for subject in current.subjects.values() {
        if lock.append(
            &subject.name,
            &subject.fingerprint,
            &subject.canonical,
            &subject.schema,
        ) {
            appended.push(format!(
                "{} v{}",
                subject.name,
                lock.versions(&subject.name).len()
            ));
        }
    }
    if appended.is_empty() {
        println!(
            "{}: up to date ({} subjects)",
            config.check.lock.display(),
            current.subjects.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    lock.save(&config.check.lock)?;
    for line in &appended {
        println!("locked {line}");
    }
    println!(
        "{}: {} new version(s)",
        config.check.lock.display(),
        appended.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(
    config: &Config,
    current: &Snapshot,
    history: &History,
    options: &Options,
) -> anyhow::Result<Report> {
    let accepted = AcceptedBreaks::load(&config.check.accepted_breaks)?;
    let mut report = Report::default();
    for subject in current.subjects.values() {
        report.subjects.push(subject.name.clone());
        let mut findings = check_subject(config, history, options, subject)?;
        for finding in &mut findings {
            if finding.location.is_none() {
                finding.location = current.locate(&subject.name, &finding.path);
            }
        }
        for finding in findings {
            // A lint of a shared type (an enum in schemas/common) is one
            // finding, not one per event that embeds the type.
            let is_break = finding.rule.parse::<Rule>().is_ok();
            let repeated = report.findings.iter().any(|seen| {
                seen.rule == finding.rule
                    && seen.location == finding.location
                    && seen.message == finding.message
            });
            if is_break || !repeated {
                report.findings.push(finding);
            }
        }
    }
    if let History::Lock(lock) = history {
        for name in lock
            .subjects
            .keys()
            .filter(|name| !current.subjects.contains_key(*name))
        {
            report.findings.push(Finding {
                rule: "SUBJECT_REMOVED".to_owned(),
                severity: Severity::Warning,
                subject: name.clone(),
                path: String::new(),
                location: Some(Location {
                    file: config.check.lock.display().to_string(),
                    line: 1,
                    column: 1,
                    source_line: String::new(),
                }),
                message: format!("subject `{name}` is in the lock but no schema defines it any more"),
                hint: "consumers may still receive these events from Kafka; keep the schema until they are gone"
                    .to_owned(),
                accepted: None,
            });
        }
    }
    accepted.apply(&mut report.findings);
    Ok(report)
}

fn check_subject(
    config: &Config,
    history: &History,
    options: &Options,
    subject: &Subject,
) -> anyhow::Result<Vec<Finding>> {
    let parse = |text: &str, what: &str| {
        Schema::parse_str(text)
            .map_err(|e| InputError::Message(format!("{} ({what}): {e}", subject.name)))
    };
    let new = parse(&subject.schema, "current schema")?;
    let versions = history.versions(&subject.name);
    let old: Vec<Schema> = versions
        .iter()
        .map(|(label, text)| parse(text, label))
        .collect::<Result<_, _>>()?;
    let level = config.level(&subject.name);
    let mut findings: Vec<Finding> = check_level(&new, &old, level)
        .iter()
        .map(|brk| Finding::from_break(&subject.name, brk, &versions[brk.version].0))
        .collect();
    findings.extend(lint(&subject.name, &new, old.last(), &config.lint));
    if options.locked && matches!(history, History::Lock(_)) {
        if let Some(finding) = lock_outdated(subject, versions.last().map(|(_, s)| s.as_str())) {
            findings.push(finding);
        }
    }
    if options.simulate > 0 {
        for version in level.versions_checked(old.len()) {
            let (label, text) = &versions[version];
            for &direction in level.directions() {
                let (writer, reader) = match direction {
                    Direction::Backward => (text.as_str(), subject.schema.as_str()),
                    Direction::Forward => (subject.schema.as_str(), text.as_str()),
                };
                let seed =
                    u64::from_str_radix(&subject.fingerprint, 16).unwrap_or(0) ^ version as u64;
                let outcome = simulate(writer, reader, options.simulate, seed)
                    .with_context(|| format!("simulating {} against {label}", subject.name))?;
                if let Some(first) = outcome.failures.first() {
                    let (written, read) = match direction {
                        Direction::Backward => (label.clone(), "the new schema".to_owned()),
                        Direction::Forward => ("the new schema".to_owned(), label.clone()),
                    };
                    findings.push(Finding {
                        rule: "SIMULATION_FAILED".to_owned(),
                        severity: Severity::Error,
                        subject: subject.name.clone(),
                        path: String::new(),
                        location: None,
                        message: format!(
                            "{} of {} random values written with {written} could not be read with {read}: {} (e.g. {})",
                            outcome.failed, outcome.values, first.error, first.value
                        ),
                        hint: "the other findings of this subject say why; the simulation \
                               decodes with apache-avro's resolver, a second opinion on the check"
                            .to_owned(),
                        accepted: None,
                    });
                }
            }
        }
    }
    Ok(findings)
}

/// In `--locked` mode: the schema differs from the lock's latest version.
fn lock_outdated(subject: &Subject, latest: Option<&str>) -> Option<Finding> {
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
    Some(Finding {
        rule: "LOCK_OUTDATED".to_owned(),
        severity: Severity::Error,
        subject: subject.name.clone(),
        path: String::new(),
        location: None,
        message,
        hint: "run `schemabus lock` and commit schemas/schemas.lock with the schema change"
            .to_owned(),
        accepted: None,
    })
}
