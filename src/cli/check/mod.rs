//! `schemabus check`: every current schema against its history, at the
//! configured compatibility level, plus lints; and `schemabus lock`.

mod accepted;
mod config;
mod lockfile;
mod notices;
mod registry;
mod sources;

use std::collections::BTreeMap;
use std::process::ExitCode;

use schemabus::compat::{check_level, lint, Finding, Report, Schema};

use super::opt::{CheckArgs, LockArgs};
use accepted::AcceptedBreaks;
use config::Config;
use lockfile::Lock;
pub use sources::InputError;
pub(super) use sources::Snapshot as SchemaTree;
use sources::{Snapshot, Subject};

/// What the current schemas are compared with.
enum History {
    /// The lock file's recorded versions.
    Lock(Lock),
    /// The schemas at a git revision.
    Git(String, Snapshot),
    /// The versions in a schema registry: subject → (version, schema).
    Registry(BTreeMap<String, Vec<(u32, String)>>),
}

impl History {
    /// Every subject the history knows.
    fn subjects(&self) -> Vec<&str> {
        match self {
            History::Lock(lock) => lock.subjects.keys().map(String::as_str).collect(),
            History::Git(_, snapshot) => snapshot.subjects.keys().map(String::as_str).collect(),
            History::Registry(subjects) => subjects.keys().map(String::as_str).collect(),
        }
    }

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
            History::Registry(subjects) => subjects
                .get(subject)
                .map(|versions| {
                    versions
                        .iter()
                        .map(|(v, schema)| (format!("registry version {v}"), schema.clone()))
                        .collect()
                })
                .unwrap_or_default(),
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
        None if args.registry.is_some() => {
            let url = args.registry.as_deref().unwrap_or_default();
            History::Registry(registry::fetch(url, current.subjects.keys())?)
        }
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
            if finding.location.is_none() && !finding.path.is_empty() {
                finding.location = current.locate(&subject.name, &finding.path);
            }
        }
        report.findings.extend(findings);
    }
    report
        .findings
        .extend(notices::removed_subjects(current, history));
    report
        .findings
        .extend(notices::unknown_overrides(config, current));
    if options.locked {
        if let History::Lock(lock) = history {
            report.findings.extend(notices::tampered_lock(lock));
        }
    }
    let unused = accepted.apply(&mut report.findings);
    report.findings.extend(unused);
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
    // A lint that says what a breaking change already says is left out.
    let lints = lint(&subject.name, &new, old.last(), &config.lint);
    let lints: Vec<Finding> = lints
        .into_iter()
        .filter(|l| !findings.iter().any(|b| b.path == l.path))
        .collect();
    findings.extend(lints);
    if options.locked && matches!(history, History::Lock(_)) {
        findings.extend(notices::lock_outdated(
            subject,
            versions.last().map(|(_, s)| s.as_str()),
        ));
    }
    if options.simulate > 0 {
        for version in level.versions_checked(old.len()) {
            let (label, text) = &versions[version];
            for &direction in level.directions() {
                let seed =
                    u64::from_str_radix(&subject.fingerprint, 16).unwrap_or(0) ^ version as u64;
                findings.extend(notices::simulation(
                    subject,
                    label,
                    text,
                    direction,
                    options.simulate,
                    seed,
                )?);
            }
        }
    }
    Ok(findings)
}
