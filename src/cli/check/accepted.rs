//! The accepted-breaks file: breaking changes made on purpose, each with
//! its reason, so they pass the check but stay visible in every report.
//!
//! ```toml
//! [[accept]]
//! subject = "zamaz.debate.DebateCompleted"
//! rule = "READER_FIELD_MISSING_DEFAULT_VALUE"
//! path = "/fields/4"
//! reason = "no consumer reads DebateCompleted before v2 (ticket 123)"
//! ```

use std::path::Path;

use anyhow::Context;
use schemabus::compat::{Finding, Rule, Severity, RULES};

use super::InputError;
use serde::Deserialize;

/// The file's content.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedBreaks {
    /// The accepted breaks.
    #[serde(default)]
    pub accept: Vec<AcceptedBreak>,
}

/// One accepted break: subject, rule and path must match, and `detail`
/// too when given (several findings can share a path, e.g. every field
/// removed from a record is reported at its `/fields`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedBreak {
    /// The subject.
    pub subject: String,
    /// The rule ID.
    pub rule: String,
    /// The JSON pointer in the new schema.
    pub path: String,
    /// The finding's `detail` (the field, symbols or types), if given.
    #[serde(default)]
    pub detail: Option<String>,
    /// Why it is fine; required, and printed with the finding.
    pub reason: String,
}

impl AcceptedBreaks {
    /// Reads the file; a missing file accepts nothing.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let breaks: AcceptedBreaks = toml::from_str(&text)
                    .with_context(|| format!("{}: invalid accepted-breaks file", path.display()))?;
                if let Some(b) = breaks
                    .accept
                    .iter()
                    .find(|b| b.rule.parse::<Rule>().is_err())
                {
                    return Err(InputError::Message(format!(
                        "{}: `{}` is not a compatibility rule (accepted breaks name one of {})",
                        path.display(),
                        b.rule,
                        RULES.map(Rule::id).join(", ")
                    ))
                    .into());
                }
                if let Some(b) = breaks.accept.iter().find(|b| b.reason.trim().is_empty()) {
                    anyhow::bail!(
                        "{}: the accepted break of `{}` at `{}` needs a reason",
                        path.display(),
                        b.subject,
                        b.path
                    );
                }
                Ok(breaks)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Marks the findings these entries accept; returns a warning for each
    /// entry that matched nothing (stale entries would hide future breaks).
    pub fn apply(&self, findings: &mut [Finding]) -> Vec<Finding> {
        let mut used = vec![false; self.accept.len()];
        for finding in findings.iter_mut() {
            let entry = self.accept.iter().position(|b| {
                b.subject == finding.subject
                    && b.rule == finding.rule
                    && b.path == finding.path
                    && b.detail.as_ref().is_none_or(|d| *d == finding.detail)
            });
            if let Some(i) = entry {
                used[i] = true;
                finding.accepted = Some(self.accept[i].reason.clone());
            }
        }
        self.accept
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(b, _)| {
                Finding::new(
                    "ACCEPTED_BREAK_UNUSED",
                    Severity::Warning,
                    &b.subject,
                    format!("the accepted break {} at `{}` matches no finding", b.rule, b.path),
                    "remove it from the accepted-breaks file: it would silently accept a future break",
                )
            })
            .collect()
    }
}
