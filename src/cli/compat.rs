//! `schemabus compat NEW.avsc --against OLD.avsc…`: one schema against
//! earlier versions given as files — no lock, no registry, no config.

use std::path::Path;
use std::process::ExitCode;

use schemabus::compat::{check_level, locate, Finding, Level, Location, Report, Schema};

use super::check::InputError;
use super::opt::CompatArgs;

/// Runs the check and prints the report.
pub fn run(args: &CompatArgs) -> anyhow::Result<ExitCode> {
    let level: Level = args
        .level
        .parse()
        .map_err(|e| InputError::Message(format!("--level: {e}")))?;
    let (new_source, new) = read(&args.new)?;
    let history = args
        .against
        .iter()
        .map(|p| read(p).map(|(_, s)| s))
        .collect::<Result<Vec<_>, _>>()?;
    let subject = new
        .node(new.root())
        .kind
        .name()
        .map_or_else(|| args.new.display().to_string(), |n| n.full.clone());
    let mut report = Report {
        subjects: vec![subject.clone()],
        findings: Vec::new(),
    };
    for brk in check_level(&new, &history, level) {
        let old = args.against[brk.version].display().to_string();
        let mut finding = Finding::from_break(&subject, &brk, &format!("`{old}`"));
        finding.location = location(&args.new, &new_source, &finding.path);
        report.findings.push(finding);
    }
    print!("{}", report.render(args.format.into()));
    Ok(if report.compatible() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads and parses a schema file; errors name the file and line:col.
fn read(path: &Path) -> Result<(String, Schema), InputError> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| InputError::Message(format!("reading {}: {e}", path.display())))?;
    let schema = Schema::parse_str(&source).map_err(|e| {
        let at = locate(&source, &e.pointer)
            .map_or_else(String::new, |p| format!(":{}:{}", p.line, p.column));
        InputError::Message(format!("{}{at}: {}", path.display(), e.problem))
    })?;
    Ok((source, schema))
}

fn location(path: &Path, source: &str, pointer: &str) -> Option<Location> {
    let pos = locate(source, pointer)?;
    Some(Location {
        file: path.display().to_string(),
        line: pos.line,
        column: pos.column,
        source_line: source
            .lines()
            .nth(pos.line as usize - 1)
            .unwrap_or_default()
            .to_owned(),
    })
}
