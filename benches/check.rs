//! `schemabus check` over every reference schema with 10 recorded versions
//! each (issue target: well under a second), end to end through the
//! release binary, plus the engine alone on the same histories.
//!
//! Run: `cargo bench --bench check`. Prints a table; no criterion, because
//! the interesting number is one process run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use schemabus::compat::{check_level, Level, Schema};
use schemabus_codegen::canonical::{fingerprint_hex, parsing_canonical_form, rabin_fingerprint};
use serde_json::{json, Value};

const VERSIONS: usize = 10;
const RUNS: usize = 15;

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
    std::fs::copy(
        root.join("schemabus.toml"),
        dir.path().join("schemabus.toml"),
    )
    .expect("copy config");
    let histories = write_history(&dir.path().join("schemas/schemas.lock"));

    // End to end: load and resolve 83 files, check 67 subjects against 10
    // versions in both directions, lints, report.
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_schemabus"))
            .args(["check", "--locked"])
            .current_dir(dir.path())
            .output()
            .expect("run schemabus");
        times.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let end_to_end = median(&mut times);

    // The engine alone: parse every version and check FULL_TRANSITIVE.
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let mut breaks = 0;
        for versions in &histories {
            let parsed: Vec<Schema> = versions
                .iter()
                .map(|v| Schema::parse_str(v).expect("valid"))
                .collect();
            let (current, history) = parsed.split_last().expect("versions");
            breaks += check_level(current, history, Level::FullTransitive).len();
        }
        times.push(start.elapsed());
        assert_eq!(breaks, 0);
    }
    let engine = median(&mut times);

    println!(
        "| what ({} subjects × {VERSIONS} versions, FULL_TRANSITIVE) | median of {RUNS} |",
        histories.len()
    );
    println!("| --- | --- |");
    println!(
        "| `schemabus check --locked` (process, end to end) | {:.1} ms |",
        ms(end_to_end)
    );
    println!(
        "| engine: parse + check every subject | {:.2} ms |",
        ms(engine)
    );
}

/// Writes a lock whose versions 1..=10 of each subject carry 9..=0 extra
/// optional fields (each with a null default, so every version reads every
/// other); version 10 is the current schema. Returns each subject's versions.
fn write_history(lock_path: &Path) -> Vec<Vec<String>> {
    let out = Command::new(env!("CARGO_BIN_EXE_schemabus"))
        .arg("lock")
        .current_dir(
            lock_path
                .parent()
                .and_then(Path::parent)
                .expect("project dir"),
        )
        .output()
        .expect("run schemabus lock");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lock: Value =
        serde_json::from_str(&std::fs::read_to_string(lock_path).expect("lock")).expect("json");
    let mut histories = Vec::new();
    for versions in lock["subjects"]
        .as_object_mut()
        .expect("subjects")
        .values_mut()
    {
        let current = versions[0].clone();
        let schema: Value =
            serde_json::from_str(current["schema"].as_str().expect("schema")).expect("json");
        let mut history = Vec::new();
        for v in 1..=VERSIONS {
            let mut old = schema.clone();
            let fields = old["fields"].as_array_mut().expect("fields");
            for extra in 0..VERSIONS - v {
                fields.push(json!({"name": format!("extra_{extra}"), "type": ["null", "long"], "default": null, "doc": "A field later removed."}));
            }
            let text = if v == VERSIONS {
                current["schema"].as_str().expect("schema").to_owned()
            } else {
                old.to_string()
            };
            let canonical = canonical_of(&text);
            let fingerprint = fingerprint_hex(rabin_fingerprint(canonical.as_bytes()));
            history.push(json!({"version": v, "fingerprint": fingerprint, "canonical": canonical, "schema": text}));
        }
        histories.push(
            history
                .iter()
                .map(|e| e["schema"].as_str().expect("schema").to_owned())
                .collect(),
        );
        *versions = Value::Array(history);
    }
    std::fs::write(
        lock_path,
        serde_json::to_string_pretty(&lock).expect("json"),
    )
    .expect("write lock");
    histories
}

/// The Parsing Canonical Form of a self-contained schema.
fn canonical_of(schema: &str) -> String {
    let model =
        schemabus_codegen::resolve::load_sources(vec![("v.avsc".to_owned(), schema.to_owned())])
            .expect("valid schema");
    parsing_canonical_form(&model, &model.files[0].root)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
