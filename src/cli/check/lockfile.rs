//! `schemas/schemas.lock`: every released version of every subject.
//!
//! JSON, keys sorted, one subject after another, so a new version shows as
//! a small diff in review. Versions are only ever appended.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use schemabus_codegen::canonical::{fingerprint_hex, parsing_canonical_form, rabin_fingerprint};
use serde::{Deserialize, Serialize};

/// The format version of the file.
const FORMAT: u32 = 1;

/// The lock file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The file's format version.
    pub format: u32,
    /// Subject → versions, oldest first.
    pub subjects: BTreeMap<String, Vec<LockedVersion>>,
}

/// One released version of a subject.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockedVersion {
    /// 1 for the first, counting up.
    pub version: u32,
    /// The Rabin fingerprint of the canonical form, 16 hex digits.
    pub fingerprint: String,
    /// The Parsing Canonical Form.
    pub canonical: String,
    /// The complete schema (docs, defaults, aliases kept): what is checked.
    pub schema: String,
}

impl Lock {
    /// Reads the lock; a missing file is an empty history.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let lock: Lock = serde_json::from_str(&text)
                    .with_context(|| format!("{}: not a valid lock file", path.display()))?;
                anyhow::ensure!(
                    lock.format == FORMAT,
                    "{}: lock format {} is not supported (expected {FORMAT})",
                    path.display(),
                    lock.format
                );
                Ok(lock)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock {
                format: FORMAT,
                ..Lock::default()
            }),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// The versions of `subject`, oldest first.
    pub fn versions(&self, subject: &str) -> &[LockedVersion] {
        self.subjects.get(subject).map_or(&[], Vec::as_slice)
    }

    /// Appends a version unless it is already the latest; returns whether
    /// it appended.
    pub fn append(
        &mut self,
        subject: &str,
        fingerprint: &str,
        canonical: &str,
        schema: &str,
    ) -> bool {
        let versions = self.subjects.entry(subject.to_owned()).or_default();
        if versions.last().is_some_and(|v| v.schema == schema) {
            return false;
        }
        let version = versions.last().map_or(1, |v| v.version + 1);
        versions.push(LockedVersion {
            version,
            fingerprint: fingerprint.to_owned(),
            canonical: canonical.to_owned(),
            schema: schema.to_owned(),
        });
        true
    }

    /// `(subject, version, problem)` for every entry whose fingerprint is
    /// not its canonical form's, or whose canonical form is not its schema's.
    pub fn inconsistencies(&self) -> Vec<(String, u32, String)> {
        let mut found = Vec::new();
        for (subject, versions) in &self.subjects {
            for v in versions {
                let fingerprint = fingerprint_hex(rabin_fingerprint(v.canonical.as_bytes()));
                let problem = if fingerprint != v.fingerprint {
                    format!(
                        "fingerprint {} is not that of its canonical form ({fingerprint})",
                        v.fingerprint
                    )
                } else if canonical_of(&v.schema).as_deref() != Some(v.canonical.as_str()) {
                    "its canonical form is not that of its schema".to_owned()
                } else {
                    continue;
                };
                found.push((subject.clone(), v.version, problem));
            }
        }
        found
    }

    /// Writes the lock atomically (a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self).context("serializing the lock")?;
        text.push('\n');
        let tmp = path.with_extension("lock.tmp");
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
    }
}

/// The Parsing Canonical Form of a self-contained schema, `None` if it
/// does not parse.
fn canonical_of(schema: &str) -> Option<String> {
    let model =
        schemabus_codegen::resolve::load_sources(vec![("lock.avsc".to_owned(), schema.to_owned())])
            .ok()?;
    let root = &model.files.first()?.root;
    Some(parsing_canonical_form(&model, root))
}
