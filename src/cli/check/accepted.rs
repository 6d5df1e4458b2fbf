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
use schemabus::compat::Finding;
use serde::Deserialize;

/// The file's content.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedBreaks {
    /// The accepted breaks.
    #[serde(default)]
    pub accept: Vec<AcceptedBreak>,
}

/// One accepted break: all of subject, rule and path must match.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedBreak {
    /// The subject.
    pub subject: String,
    /// The rule ID.
    pub rule: String,
    /// The JSON pointer in the new schema.
    pub path: String,
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

    /// Marks the findings these entries accept.
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            if let Some(b) = self.accept.iter().find(|b| {
                b.subject == finding.subject && b.rule == finding.rule && b.path == finding.path
            }) {
                finding.accepted = Some(b.reason.clone());
            }
        }
    }
}
