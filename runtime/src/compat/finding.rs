//! Findings: what a check reports, ready for people and machines.

use std::fmt;

use super::checker::Detail;
use super::level::{Break, Direction};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fails the check (breaking changes; lints configured as errors).
    Error,
    /// Reported, does not fail the check.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A place in a schema file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column in characters, from 1.
    pub column: u32,
    /// The text of that line, shown under the finding.
    pub source_line: String,
}

/// One breaking change or lint, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule ID: one of [`Rule`](super::Rule)'s (`TYPE_MISMATCH` …) or a lint's.
    pub rule: String,
    /// Whether it fails the check.
    pub severity: Severity,
    /// The subject (for events, the record's full name).
    pub subject: String,
    /// JSON pointer of the offending node in the new schema.
    pub path: String,
    /// What the finding is about, where the path alone does not say: the
    /// field, the symbols, the types or names (`string -> int`). Empty for
    /// lints. Accepted-break entries may name it to match one finding.
    pub detail: String,
    /// The file and line:column of that node, when known.
    pub location: Option<Location>,
    /// What changed, past tense, quoting old and new.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// When the break is listed as accepted, the reason given there: the
    /// finding is shown but does not fail the check.
    pub accepted: Option<String>,
}

impl Finding {
    /// A finding of `rule` about `subject`, at the schema's root until
    /// [`at`](Self::at) says where.
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            rule: rule.into(),
            severity,
            subject: subject.into(),
            path: String::new(),
            detail: String::new(),
            location: None,
            message: message.into(),
            hint: hint.into(),
            accepted: None,
        }
    }

    /// The same finding at JSON pointer `path` of the new schema.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Whether this finding fails the check.
    pub fn fails(&self) -> bool {
        self.severity == Severity::Error && self.accepted.is_none()
    }

    /// The finding for a breaking change of `subject` against the earlier
    /// version named `old` (e.g. `version 3`, `git:main`).
    pub fn from_break(subject: &str, brk: &Break, old: &str) -> Self {
        let (message, hint) = explain(brk, old);
        Self {
            rule: brk.incompatibility.rule.id().to_owned(),
            severity: Severity::Error,
            subject: subject.to_owned(),
            path: brk.new_path().to_owned(),
            detail: detail_key(brk),
            location: None,
            message,
            hint,
            accepted: None,
        }
    }
}

/// What the finding is about, in the words of the change (old -> new).
fn detail_key(brk: &Break) -> String {
    let change =
        |reader: &dyn std::fmt::Display, writer: &dyn std::fmt::Display| match brk.direction {
            Direction::Backward => format!("{writer} -> {reader}"),
            Direction::Forward => format!("{reader} -> {writer}"),
        };
    match &brk.incompatibility.detail {
        Detail::Types { reader, writer } | Detail::Names { reader, writer } => {
            change(reader, writer)
        }
        Detail::Sizes { reader, writer } => change(reader, writer),
        Detail::Symbols { missing, .. } => missing.join(","),
        Detail::Field { field, .. } => field.clone(),
        Detail::Branch { writer } => writer.clone(),
    }
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Message and hint for a break, worded for the direction the data flows.
fn explain(brk: &Break, old: &str) -> (String, String) {
    let backward = brk.direction == Direction::Backward;
    match &brk.incompatibility.detail {
        Detail::Types { reader, writer } => {
            let (before, after) = if backward { (writer, reader) } else { (reader, writer) };
            (
                format!("type changed from `{before}` to `{after}`; {}", flow(backward, old, writer, reader)),
                "keep the type, or change it only along a promotion (int → long → float → double, string ↔ bytes); \
                 to change it otherwise, add a new field with a default and deprecate this one"
                    .to_owned(),
            )
        }
        Detail::Names { reader, writer } => {
            let (before, after) = if backward { (writer, reader) } else { (reader, writer) };
            (
                format!("named type renamed from `{before}` to `{after}`"),
                if backward {
                    format!("keep the name, or add `\"aliases\": [\"{before}\"]` to `{after}`")
                } else {
                    format!("keep the name `{before}`: {old} has no alias for `{after}`")
                },
            )
        }
        Detail::Sizes { reader, writer } => {
            let (before, after) = if backward { (writer, reader) } else { (reader, writer) };
            (
                format!("fixed size changed from {before} to {after} bytes"),
                "a fixed type cannot change size; add a new field of the new type instead".to_owned(),
            )
        }
        Detail::Symbols { name, missing } if backward => (
            format!("enum `{name}` removed symbol(s) {} that {old} can write", list(missing)),
            format!("keep the symbol(s), or give `{name}` a `\"default\"` symbol that readers fall back to"),
        ),
        Detail::Symbols { name, missing } => (
            format!("enum `{name}` added symbol(s) {} that {old} cannot read", list(missing)),
            format!(
                "{old} has no `\"default\"` symbol for `{name}`; add the default in one release, new symbols in a later one"
            ),
        ),
        Detail::Field { record, field, schema } if backward => (
            format!("field `{field}` was added to `{record}` without a default"),
            format!("add a default, e.g. {}", default_example(schema)),
        ),
        Detail::Field { record, field, schema } => (
            format!("field `{field}` was removed from `{record}`, but {old} reads it and has no default for it"),
            format!(
                "keep the field; a field can only be removed once every version still in use gives it a default (e.g. {})",
                default_example(schema)
            ),
        ),
        Detail::Branch { writer } if backward => (
            format!("union no longer has a branch for `{writer}`, which {old} can write"),
            format!("keep a `{writer}` branch in the union"),
        ),
        Detail::Branch { writer } => (
            format!("`{writer}` can now be written here, which {old} cannot read"),
            "add new union branches only where the readers in use already have them".to_owned(),
        ),
    }
}

/// "`long` data from version 3 cannot be read as `string`" worded by direction.
fn flow(backward: bool, old: &str, writer: &str, reader: &str) -> String {
    if backward {
        format!("`{writer}` data written by {old} cannot be read as `{reader}`")
    } else {
        format!("{old} reads `{reader}` and cannot read the new `{writer}` data")
    }
}

/// A default that fits a field of type `schema` (as [`super::Schema::describe`]s it).
fn default_example(schema: &str) -> String {
    if schema.starts_with("[null") {
        return "`\"default\": null`".to_owned();
    }
    let example = match schema {
        "string" | "bytes" => "\"\"",
        "int" | "long" | "float" | "double" => "0",
        "boolean" => "false",
        s if s.starts_with("array<") => "[]",
        s if s.starts_with("map<") => "{}",
        _ => return "`\"default\": …` with a value of the field's type (or make it `[\"null\", …]` with `\"default\": null`)".to_owned(),
    };
    format!("`\"default\": {example}`")
}
