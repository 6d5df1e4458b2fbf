//! `schemabus check`, `lock` and `compat` on a copy of the reference
//! schemas: breaking edits are reported exactly (snapshots), compatible
//! ones pass, the lock only grows, and exit codes say which is which.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

/// A scratch copy of the project's schemas, lock and configuration.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&root.join("schemas"), &dir.path().join("schemas"));
        std::fs::copy(
            root.join("schemabus.toml"),
            dir.path().join("schemabus.toml"),
        )
        .unwrap();
        Self { dir }
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_schemabus"))
            .args(args)
            .current_dir(self.dir.path())
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap()
    }

    /// Replaces `from` by `to` in a file, which must contain it.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Removes the field `name` (its whole object) from an event schema.
    fn remove_field(&self, file: &str, name: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find(&format!("\"name\": \"{name}\"")).unwrap();
        let open = text[..start].rfind('{').unwrap();
        let close = start + text[start..].find('}').unwrap();
        let after = text[close + 1..].trim_start().strip_prefix(',').unwrap();
        std::fs::write(&path, format!("{}{}", text[..open].trim_end(), after)).unwrap();
    }

    /// The three breaking edits: a field removed without default, an enum
    /// symbol renamed (and the enum's default dropped), a type changed.
    fn break_schemas(&self) {
        self.remove_field("schemas/debate/DebateCompleted.avsc", "consensus");
        self.edit(
            "schemas/debate/DebateCompleted.avsc",
            "\"name\": \"topic\",\n      \"type\": \"string\"",
            "\"name\": \"topic\",\n      \"type\": \"int\"",
        );
        self.edit(
            "schemas/common/ConsensusLevel.avsc",
            "\"MODERATE\"",
            "\"MEDIUM\"",
        );
        self.edit(
            "schemas/common/ConsensusLevel.avsc",
            ",\n  \"default\": \"NONE\"",
            "",
        );
    }

    /// A compatible edit: a new nullable field with a null default.
    fn add_optional_field(&self) {
        self.edit(
            "schemas/debate/DebateCompleted.avsc",
            "\"fields\": [",
            "\"fields\": [\n    {\"name\": \"moderator\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"Who moderated, if anyone.\"},",
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn the_committed_schemas_match_their_lock() {
    let project = Project::new();
    let out = project.run(&["check", "--locked"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("compatible: 0 error(s)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn breaking_edits_are_reported_with_file_line_rule_and_hint() {
    let project = Project::new();
    project.break_schemas();
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("check_breaking_text", stdout(&out));
    let out = project.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("check_breaking_json", stdout(&out));
}

#[test]
fn breaking_edits_in_github_and_junit_formats() {
    let project = Project::new();
    project.break_schemas();
    let out = project.run(&["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("check_breaking_github", stdout(&out));
    let out = project.run(&["check", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(
        xml.contains("<testsuite name=\"schemabus check\" tests=\"67\" failures=\"5\">"),
        "{xml}"
    );
    assert!(xml
        .contains("<testcase classname=\"schemabus.check\" name=\"zamaz.debate.DebateStarted\"/>"));
    assert!(xml.contains("<failure type=\"TYPE_MISMATCH\""), "{xml}");
}

#[test]
fn a_compatible_change_passes_and_lock_records_it() {
    let project = Project::new();
    project.add_optional_field();
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // In CI mode the missing lock entry fails…
    let out = project.run(&["check", "--locked"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("schema of `zamaz.debate.DebateCompleted` changed since its last lock entry [LOCK_OUTDATED]"));
    // …until `lock` appends version 2, keeping version 1 as it was.
    let before = std::fs::read_to_string(project.path("schemas/schemas.lock")).unwrap();
    let out = project.run(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "locked zamaz.debate.DebateCompleted v2\nschemas/schemas.lock: 1 new version(s)\n"
    );
    let after = std::fs::read_to_string(project.path("schemas/schemas.lock")).unwrap();
    let lock: serde_json::Value = serde_json::from_str(&after).unwrap();
    let versions = lock["subjects"]["zamaz.debate.DebateCompleted"]
        .as_array()
        .unwrap();
    assert_eq!(versions.len(), 2);
    let old: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(
        versions[0],
        old["subjects"]["zamaz.debate.DebateCompleted"][0]
    );
    assert!(project.run(&["check", "--locked"]).status.success());
    assert_eq!(
        stdout(&project.run(&["lock"])),
        "schemas/schemas.lock: up to date (67 subjects)\n"
    );
}

#[test]
fn lock_refuses_a_breaking_change() {
    let project = Project::new();
    project.break_schemas();
    let before = std::fs::read_to_string(project.path("schemas/schemas.lock")).unwrap();
    let out = project.run(&["lock"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not locking"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(project.path("schemas/schemas.lock")).unwrap(),
        before
    );
}

#[test]
fn accepted_breaks_pass_visibly() {
    let project = Project::new();
    project.remove_field("schemas/debate/DebateCompleted.avsc", "consensus");
    std::fs::write(
        project.path("schemas/accepted-breaks.toml"),
        r#"[[accept]]
subject = "zamaz.debate.DebateCompleted"
rule = "READER_FIELD_MISSING_DEFAULT_VALUE"
path = "/fields"
detail = "consensus"
reason = "no service reads `consensus` any more"
"#,
    )
    .unwrap();
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("accepted: field `consensus` was removed"),
        "{text}"
    );
    assert!(
        text.contains("= accepted: no service reads `consensus` any more"),
        "{text}"
    );
    // The entry names its field: removing another one still breaks.
    project.remove_field("schemas/debate/DebateCompleted.avsc", "topic");
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("error: field `topic` was removed"));
    // An entry that matches nothing is reported, and a rule must exist.
    let breaks = project.path("schemas/accepted-breaks.toml");
    let mut entries = std::fs::read_to_string(&breaks).unwrap();
    entries.push_str(
        "\n[[accept]]\nsubject = \"zamaz.debate.DebateStarted\"\nrule = \"TYPE_MISMATCH\"\npath = \"/fields/0/type\"\nreason = \"old\"\n",
    );
    std::fs::write(&breaks, &entries).unwrap();
    let text = stdout(&project.run(&["check"]));
    assert!(
        text.contains("warning: the accepted break TYPE_MISMATCH at `/fields/0/type` matches no finding [ACCEPTED_BREAK_UNUSED]"),
        "{text}"
    );
    std::fs::write(&breaks, entries.replace("TYPE_MISMATCH", "TYPE_MISMATCHES")).unwrap();
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`TYPE_MISMATCHES` is not a compatibility rule"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_against_a_git_revision() {
    let project = Project::new();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(project.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "base",
    ]);
    project.break_schemas();
    let out = project.run(&["check", "--against", "git:HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "schemas/debate/DebateCompleted.avsc\n  7:13: error: field `consensus` was removed from \
             `zamaz.debate.DebateCompleted`, but `HEAD` reads it and has no default for it"
        ),
        "{text}"
    );
    assert!(
        text.contains("15:15: error: type changed from `string` to `int`; `string` data written by `HEAD` cannot be read as `int` [TYPE_MISMATCH]"),
        "{text}"
    );
    // From a subdirectory, with the configuration named: git runs where the schemas are.
    let out = Command::new(env!("CARGO_BIN_EXE_schemabus"))
        .args([
            "check",
            "--config",
            "../schemabus.toml",
            "--against",
            "git:HEAD",
        ])
        .current_dir(project.path("schemas"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("../schemas/debate/DebateCompleted.avsc\n"),
        "{}",
        stdout(&out)
    );
    // A deleted event is reported too.
    std::fs::remove_file(project.path("schemas/debate/DebateStarted.avsc")).unwrap();
    let text = stdout(&project.run(&["check", "--against", "git:HEAD"]));
    assert!(
        text.contains(
            "warning: no schema defines `zamaz.debate.DebateStarted` any more [SUBJECT_REMOVED]"
        ),
        "{text}"
    );
    let out = project.run(&["check", "--against", "git:no-such-ref"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-ref"), "{}", stderr(&out));
}

#[test]
fn simulation_confirms_the_verdicts() {
    let project = Project::new();
    project.add_optional_field();
    project.run(&["lock"]);
    // Data of both versions crosses in both directions without failures.
    let out = project.run(&["check", "--simulate", "200"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    project.edit(
        "schemas/debate/DebateCompleted.avsc",
        "\"name\": \"topic\",\n      \"type\": \"string\"",
        "\"name\": \"topic\",\n      \"type\": \"int\"",
    );
    let out = project.run(&["check", "--simulate", "50"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("[SIMULATION_FAILED]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_input_exits_with_2() {
    let project = Project::new();
    std::fs::write(
        project.path("schemabus.toml"),
        "[check]\nlevel = \"SIDEWAYS\"\n",
    )
    .unwrap();
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown compatibility level `SIDEWAYS`"),
        "{}",
        stderr(&out)
    );
    std::fs::write(project.path("schemabus.toml"), "[check]\nrules = \"v9\"\n").unwrap();
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown rule set `v9`"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(project.path("schemabus.toml")).unwrap();
    project.edit(
        "schemas/debate/DebateCompleted.avsc",
        "\"string\"",
        "\"strin\"",
    );
    let out = project.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("DebateCompleted.avsc:10:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn compat_compares_files_and_prints_json() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat");
    let old = format!("{dir}/previous/reader_field_missing_default_value/Order.avsc");
    let new = format!("{dir}/current/reader_field_missing_default_value/Order.avsc");
    let project = Project::new();
    let out = project.run(&["compat", &new, "--against", &old, "--level", "FORWARD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = project.run(&[
        "compat",
        &new,
        "--against",
        &old,
        &old,
        "--level",
        "backward_transitive",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["compatible"], false);
    let findings = report["findings"].as_array().unwrap();
    // Two fields without default, against each of the two versions.
    assert_eq!(findings.len(), 4);
    assert_eq!(findings[0]["rule"], "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert_eq!(findings[0]["path"], "/fields/1");
    assert_eq!(findings[0]["line"], 7);
    assert_eq!(findings[0]["column"], 5);
    assert!(findings[0]["hint"]
        .as_str()
        .unwrap()
        .contains("\"default\": \"\""));
    assert!(findings[1]["hint"]
        .as_str()
        .unwrap()
        .contains("\"default\": null"));
    let out = project.run(&["compat", &new, "--against", &old, "--level", "SIDEWAYS"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(project.path("bad.avsc"), "{\"type\": \"record\", \"name\": \"R\",\n \"fields\": [{\"name\": \"a\", \"type\": \"nope\"}]}").unwrap();
    let out = project.run(&["compat", "bad.avsc", "--against", &old]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: bad.avsc:2:35: unknown type `nope`\n");
}

#[test]
fn a_hand_edited_lock_or_a_mistyped_override_is_reported() {
    let project = Project::new();
    let lock_path = project.path("schemas/schemas.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    // A schema edited in place in the lock, its fingerprint left as it was.
    let edited = lock.replacen("Topic that was debated.", "Topic that was debated!", 1);
    assert_ne!(edited, lock);
    std::fs::write(&lock_path, &edited).unwrap();
    let out = project.run(&["check", "--locked"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("[LOCK_INCONSISTENT]") || text.contains("[LOCK_OUTDATED]"),
        "{text}"
    );
    let fingerprint = lock.find("\"fingerprint\": \"").unwrap() + 16;
    let mut tampered = lock.clone();
    tampered.replace_range(fingerprint..fingerprint + 4, "0000");
    std::fs::write(&lock_path, &tampered).unwrap();
    let text = stdout(&project.run(&["check", "--locked"]));
    assert!(
        text.contains("is not that of its canonical form") && text.contains("[LOCK_INCONSISTENT]"),
        "{text}"
    );
    std::fs::write(&lock_path, &lock).unwrap();
    let mut config = std::fs::read_to_string(project.path("schemabus.toml")).unwrap();
    config.push_str("\n[check.subjects.\"zamaz.debate.DebateComplete\"]\nlevel = \"NONE\"\n");
    std::fs::write(project.path("schemabus.toml"), config).unwrap();
    let out = project.run(&["check", "--locked"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("schemabus.toml sets a level for `zamaz.debate.DebateComplete`, which no schema defines [CONFIG_UNKNOWN_SUBJECT]"),
        "{}",
        stdout(&out)
    );
}
