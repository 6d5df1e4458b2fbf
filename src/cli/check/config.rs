//! `schemabus.toml`: where the schemas and their history are, the
//! compatibility level per subject, and the lints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use schemabus::compat::{Level, LintConfig};
use serde::Deserialize;

/// The file `schemabus check` and `schemabus lock` read, in the working
/// directory unless `--config` names another.
pub const CONFIG_FILE: &str = "schemabus.toml";

/// The rule sets this version knows. A new rule goes into a new set, so
/// upgrading schemabus never silently changes a verdict.
const RULE_SETS: &[&str] = &["v1"];

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[check]`
    pub check: CheckConfig,
    /// `[lint]`: each lint `off`, `warn` or `error`.
    pub lint: LintConfig,
}

/// `[check]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// The schema root.
    pub schemas: PathBuf,
    /// The history of released versions.
    pub lock: PathBuf,
    /// The level of every subject without an override (Confluent's default,
    /// BACKWARD, unless set).
    #[serde(deserialize_with = "level")]
    pub level: Level,
    /// The rule set (`v1`).
    pub rules: String,
    /// Breaks accepted on purpose, each with its reason.
    pub accepted_breaks: PathBuf,
    /// `[check.subjects."<full name>"]`: per-subject settings.
    pub subjects: BTreeMap<String, SubjectConfig>,
}

/// `[check.subjects."<full name>"]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectConfig {
    /// This subject's level.
    #[serde(deserialize_with = "level")]
    pub level: Level,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            schemas: PathBuf::from("schemas"),
            lock: PathBuf::from("schemas/schemas.lock"),
            level: Level::Backward,
            rules: "v1".to_owned(),
            accepted_breaks: PathBuf::from("schemas/accepted-breaks.toml"),
            subjects: BTreeMap::new(),
        }
    }
}

fn level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl Config {
    /// Reads `path`; a missing file gives the defaults unless it was named
    /// explicitly. Relative paths inside are relative to the file's folder.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (file, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(CONFIG_FILE), false),
        };
        let mut config: Config = match std::fs::read_to_string(&file) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("{}: invalid configuration", file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Config::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
        };
        if !RULE_SETS.contains(&config.check.rules.as_str()) {
            bail!(
                "{}: unknown rule set `{}` (this schemabus knows {})",
                file.display(),
                config.check.rules,
                RULE_SETS.join(", ")
            );
        }
        let base = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf);
        if let Some(base) = base {
            for p in [
                &mut config.check.schemas,
                &mut config.check.lock,
                &mut config.check.accepted_breaks,
            ] {
                *p = base.join(&*p);
            }
        }
        Ok(config)
    }

    /// The level of `subject`.
    pub fn level(&self, subject: &str) -> Level {
        self.check
            .subjects
            .get(subject)
            .map_or(self.check.level, |s| s.level)
    }
}
