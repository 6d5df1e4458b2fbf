//! Reports: the findings of a check as text for people, or JSON, GitHub
//! Actions annotations and JUnit XML for machines.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::finding::{Finding, Severity};

/// The outcome of a check over some subjects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every subject checked, in order (JUnit lists each as a test case).
    pub subjects: Vec<String>,
    /// What was found, breaking changes and lints.
    pub findings: Vec<Finding>,
}

/// How to print a [`Report`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// For people: grouped by file, each finding with its source line and hint.
    #[default]
    Text,
    /// `{"compatible": bool, "findings": [...]}`.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), which
    /// annotate the pull request's diff.
    Github,
    /// JUnit XML: one test case per subject, failures for breaking changes.
    Junit,
}

impl Report {
    /// Whether the check passes: no finding fails it.
    pub fn compatible(&self) -> bool {
        !self.findings.iter().any(Finding::fails)
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Json => self.json(),
            Format::Github => self.github(),
            Format::Junit => self.junit(),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        // Grouped by file; findings without a file go under their subject.
        let mut groups: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
        for finding in &self.findings {
            let key = finding
                .location
                .as_ref()
                .map_or_else(|| finding.subject.clone(), |l| l.file.clone());
            groups.entry(key).or_default().push(finding);
        }
        for (file, mut findings) in groups {
            findings.sort_by_key(|f| f.location.as_ref().map(|l| (l.line, l.column)));
            let _ = writeln!(out, "{file}");
            // A change to a shared type breaks every subject that embeds
            // it: one entry, with the subjects listed.
            let mut shown: Vec<(&Finding, Vec<&Finding>)> = Vec::new();
            for f in findings {
                match shown.iter_mut().find(|(first, _)| same_text(first, f)) {
                    Some((_, also)) => also.push(f),
                    None => shown.push((f, Vec::new())),
                }
            }
            for (f, also) in shown {
                let status = match (&f.accepted, f.severity) {
                    (Some(_), _) => "accepted",
                    (None, Severity::Error) => "error",
                    (None, Severity::Warning) => "warning",
                };
                let at = f.location.as_ref().map_or_else(
                    || display_path(&f.path),
                    |l| format!("{}:{}", l.line, l.column),
                );
                let _ = writeln!(out, "  {at}: {status}: {} [{}]", f.message, f.rule);
                if let Some(l) = &f.location {
                    let _ = writeln!(out, "    {:>4} | {}", l.line, l.source_line.trim_end());
                }
                let _ = writeln!(out, "         = {}", subjects_line(f, &also));
                if let Some(reason) = &f.accepted {
                    let _ = writeln!(out, "         = accepted: {reason}");
                } else {
                    let _ = writeln!(out, "         = hint: {}", f.hint);
                }
            }
            out.push('\n');
        }
        let count = |pred: fn(&Finding) -> bool| self.findings.iter().filter(|f| pred(f)).count();
        let breaking = count(Finding::fails);
        let warnings = count(|f| f.severity == Severity::Warning);
        let accepted = count(|f| f.accepted.is_some());
        let subjects = self.subjects.len();
        let _ = write!(
            out,
            "{}: {breaking} error(s), {warnings} warning(s), {accepted} accepted, in {subjects} subject(s)",
            if self.compatible() { "compatible" } else { "breaking changes found" }
        );
        out.push('\n');
        out
    }

    fn json(&self) -> String {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "rule": f.rule,
                    "severity": f.severity.to_string(),
                    "subject": f.subject,
                    "path": f.path,
                    "detail": f.detail,
                    "file": f.location.as_ref().map(|l| &l.file),
                    "line": f.location.as_ref().map(|l| l.line),
                    "column": f.location.as_ref().map(|l| l.column),
                    "message": f.message,
                    "hint": f.hint,
                    "accepted": f.accepted,
                })
            })
            .collect();
        let report = serde_json::json!({ "compatible": self.compatible(), "findings": findings });
        let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
        out.push('\n');
        out
    }

    fn github(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let level = match (&f.accepted, f.severity) {
                (None, Severity::Error) => "error",
                (None, Severity::Warning) => "warning",
                (Some(_), _) => "notice",
            };
            let mut props = Vec::new();
            if let Some(l) = &f.location {
                props.push(format!("file={}", escape_property(&l.file)));
                props.push(format!("line={}", l.line));
                props.push(format!("col={}", l.column));
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("{} {}", f.rule, f.subject))
            ));
            let mut text = format!("{} (at {})", f.message, display_path(&f.path));
            match &f.accepted {
                Some(reason) => write!(text, "\naccepted: {reason}"),
                None => write!(text, "\nhint: {}", f.hint),
            }
            .unwrap_or_default();
            let _ = writeln!(out, "::{level} {}::{}", props.join(","), escape_data(&text));
        }
        out
    }

    fn junit(&self) -> String {
        let failures = self.findings.iter().filter(|f| f.fails()).count();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"schemabus check\" tests=\"{}\" failures=\"{failures}\">",
            self.subjects.len()
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"schemabus check\" tests=\"{}\" failures=\"{failures}\">",
            self.subjects.len()
        );
        for subject in &self.subjects {
            let _ = write!(
                out,
                "    <testcase classname=\"schemabus.check\" name=\"{}\"",
                xml(subject)
            );
            let failing: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| &f.subject == subject && f.fails())
                .collect();
            if failing.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for f in failing {
                let at = f.location.as_ref().map_or_else(
                    || display_path(&f.path),
                    |l| format!("{}:{}:{}", l.file, l.line, l.column),
                );
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{at}: {}\nhint: {}</failure>",
                    xml(&f.rule),
                    xml(&f.message),
                    xml(&f.message),
                    xml(&f.hint)
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Whether two findings read the same (same place, rule and words).
fn same_text(a: &Finding, b: &Finding) -> bool {
    a.rule == b.rule
        && a.location == b.location
        && a.message == b.message
        && a.hint == b.hint
        && a.accepted == b.accepted
        && a.location.is_some()
}

/// "subject `a` at `/p`", or for a finding repeated in other subjects,
/// "3 subjects: `a` at `/p`, `b` at `/q`, `c` at `/r`".
fn subjects_line(first: &Finding, also: &[&Finding]) -> String {
    let one = |f: &Finding| format!("`{}` at `{}`", f.subject, display_path(&f.path));
    if also.is_empty() {
        return format!("subject {}", one(first));
    }
    let listed: Vec<String> = std::iter::once(first)
        .chain(also.iter().copied())
        .take(3)
        .map(one)
        .collect();
    let more = (also.len() + 1).saturating_sub(3);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{} subjects: {}{tail}", also.len() + 1, listed.join(", "))
}

/// The root pointer is the empty string; show it as `/`.
fn display_path(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    }
}

/// Escapes the message of a GitHub workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property of a GitHub workflow command.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
