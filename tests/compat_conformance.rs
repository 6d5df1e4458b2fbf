//! Runs the public Avro compatibility conformance corpus through the engine.
//!
//! The corpus lives outside the repository; `SCHEMABUS_CONFORMANCE_DIR`
//! points at it (default `../shared/conformance` next to this checkout).
//! When it is absent the tests say so loudly and skip: the only skip allowed.
//! Rows the engine deliberately disagrees with are listed, each with its
//! reason, in `tests/compat/conformance-allowlist.txt`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemabus::compat::{check_level, is_compatible, Level, Schema};
use serde_json::Value;

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SCHEMABUS_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/conformance"
            ))
        });
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "\n!!! SKIPPED: the Avro conformance corpus is not at {} — set SCHEMABUS_CONFORMANCE_DIR to run it !!!\n",
        dir.display()
    );
    None
}

fn rows(file: &str) -> Option<Vec<Value>> {
    let text = std::fs::read_to_string(corpus_dir()?.join(file)).unwrap();
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

/// id → reason, from the allowlist file.
fn allowlist() -> BTreeMap<String, String> {
    let text = include_str!("compat/conformance-allowlist.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l
                .split_once(char::is_whitespace)
                .expect("every allowlisted row needs a reason");
            (id.to_owned(), reason.trim().to_owned())
        })
        .collect()
}

fn parse(row: &Value, key: &str) -> Result<Schema, String> {
    Schema::parse(&row[key]).map_err(|e| format!("{key}: {e}"))
}

/// Checks each row with `verdict`; fails listing every disagreement that is
/// not allowlisted, and every allowlisted row that now agrees.
fn run(file: &str, verdict: impl Fn(&Value) -> Result<bool, String>) {
    let Some(rows) = rows(file) else { return };
    let allow = allowlist();
    let mut disagreements = Vec::new();
    let mut stale = Vec::new();
    for row in &rows {
        let id = row["id"].as_str().unwrap();
        let expected = row["compatible"].as_bool().unwrap();
        let flagged = row.get("flags").is_some();
        let agrees = match verdict(row) {
            Ok(got) => got == expected,
            // Rows flagged as holding invalid schemas may be rejected instead.
            Err(_) if flagged => true,
            Err(e) => {
                disagreements.push(format!("{id}: rejected: {e}"));
                continue;
            }
        };
        match (agrees, allow.contains_key(id)) {
            (false, false) => disagreements.push(format!("{id}: expected compatible={expected}")),
            (true, true) => stale.push(id.to_owned()),
            _ => {}
        }
    }
    assert!(rows.len() > 40, "{file}: only {} rows", rows.len());
    assert!(
        disagreements.is_empty(),
        "{file}: {} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(
        stale.is_empty(),
        "{file}: allowlisted rows that now agree (remove them): {stale:?}"
    );
}

#[test]
fn reader_writer_pairs_agree_with_the_corpus() {
    run("avro-compat-pairs.jsonl", |row| {
        Ok(is_compatible(
            &parse(row, "reader")?,
            &parse(row, "writer")?,
        ))
    });
}

#[test]
fn registry_histories_agree_with_the_corpus() {
    run("registry-compat-cases.jsonl", |row| {
        let level: Level = row["level"]
            .as_str()
            .unwrap()
            .parse()
            .map_err(|e| format!("{e}"))?;
        let history = row["previous"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| Schema::parse(s).map_err(|e| format!("previous: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(check_level(&parse(row, "new")?, &history, level).is_empty())
    });
}
