//! The schemas to check: loaded from the schema root or from a git ref,
//! with a map from the registered (self-contained) schema back to the
//! `.avsc` files, so findings point at `file:line:col`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use schemabus::compat::{locate, Location};
use schemabus_codegen::canonical::{
    fingerprint_hex, parsing_canonical_form_of, rabin_fingerprint, standalone_json,
};
use schemabus_codegen::model::{Model, NamedKind};
use serde_json::Value;

/// The custom property that makes a record an event (and so a subject).
const AGGREGATE_PROP: &str = "aggregate";

/// One subject: an event record and its self-contained schema.
#[derive(Clone, Debug)]
pub struct Subject {
    /// The record's full name, which is the subject name.
    pub name: String,
    /// The self-contained schema JSON (what a registry stores).
    pub schema: String,
    /// Its Parsing Canonical Form.
    pub canonical: String,
    /// The canonical form's Rabin fingerprint, 16 hex digits.
    pub fingerprint: String,
}

/// Every subject of a schema tree, and its sources.
pub struct Snapshot {
    /// Subject name → subject.
    pub subjects: BTreeMap<String, Subject>,
    files: Vec<SourceFile>,
    /// Named type full name → (file index, JSON pointer of its definition).
    definitions: HashMap<String, (usize, String)>,
}

struct SourceFile {
    display: String,
    source: String,
    json: Value,
}

/// Loading failed in a way the user must fix (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A message to print after `error: `.
    #[error("{0}")]
    Message(String),
    /// Schema diagnostics, which carry their own `error:` lines.
    #[error("{0}")]
    Diagnostics(String),
}

impl Snapshot {
    /// Loads every `.avsc` under `dir`.
    pub fn load_dir(dir: &Path) -> anyhow::Result<Self> {
        let model = schemabus_codegen::Builder::new()
            .schemas(dir)
            .load()
            .map_err(input)?;
        Ok(Self::from_model(&model, |rel| {
            dir.join(rel).display().to_string()
        }))
    }

    /// Loads every `.avsc` under `dir` as it was at the git revision `rev`.
    pub fn load_git(rev: &str, dir: &Path) -> anyhow::Result<Self> {
        // Git runs in the schema root, wherever schemabus was started.
        let listing = git(
            dir,
            &[
                "ls-tree",
                "-r",
                "--name-only",
                "--full-name",
                rev,
                "--",
                ".",
            ],
        )?;
        let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
        let prefix = prefix.trim();
        let mut files = Vec::new();
        for path in listing.lines().filter(|p| p.ends_with(".avsc")) {
            let source = git(dir, &["show", &format!("{rev}:{path}")])?;
            // Paths relative to the schema root, as load_dir names them.
            let rel = path.strip_prefix(prefix).unwrap_or(path);
            files.push((rel.to_owned(), source));
        }
        if files.is_empty() {
            return Err(InputError::Message(format!(
                "no .avsc files under `{}` at git revision `{rev}`",
                dir.display()
            ))
            .into());
        }
        let model = schemabus_codegen::resolve::load_sources(files).map_err(input)?;
        Ok(Self::from_model(&model, |rel| {
            format!("{rev}:{}", dir.join(rel).display())
        }))
    }

    fn from_model(model: &Model, display: impl Fn(&str) -> String) -> Self {
        let mut subjects = BTreeMap::new();
        for ty in model.types.values() {
            if !matches!(ty.kind, NamedKind::Record { .. })
                || !ty.props.contains_key(AGGREGATE_PROP)
            {
                continue;
            }
            let name = ty.name.full();
            let canonical = parsing_canonical_form_of(model, &ty.name);
            let fingerprint = fingerprint_hex(rabin_fingerprint(canonical.as_bytes()));
            let schema = standalone_json(model, &ty.name);
            subjects.insert(
                name.clone(),
                Subject {
                    name,
                    schema,
                    canonical,
                    fingerprint,
                },
            );
        }
        let files: Vec<SourceFile> = model
            .files
            .iter()
            .map(|f| SourceFile {
                display: display(&f.rel_path),
                json: serde_json::from_str(&f.source).unwrap_or(Value::Null),
                source: f.source.clone(),
            })
            .collect();
        let mut definitions = HashMap::new();
        for (i, file) in files.iter().enumerate() {
            collect_definitions(&file.json, "", "", &mut |name, pointer| {
                definitions.insert(name, (i, pointer));
            });
        }
        Self {
            subjects,
            files,
            definitions,
        }
    }

    /// Where the node at `pointer` of `subject`'s self-contained schema is
    /// written: follows named references into the files that define them.
    pub fn locate(&self, subject: &str, pointer: &str) -> Option<Location> {
        let (mut file, mut at) = self.definitions.get(subject)?.clone();
        let standalone: Value = serde_json::from_str(&self.subjects.get(subject)?.schema).ok()?;
        let mut registered = &standalone;
        let mut written = self.files[file].json.pointer(&at)?;
        // The namespace a short name in the file is resolved in.
        let mut namespace = namespace_of(subject).to_owned();
        let mut tokens = pointer.split('/').skip(1);
        loop {
            if let Some(defined) = defined_name(written, &namespace) {
                namespace = namespace_of(&defined).to_owned();
            }
            // The file names a type that the registered schema has inlined.
            if let (Value::String(name), Value::Object(_)) = (written, registered) {
                if let Some((f, p)) = self.definition(name, &namespace) {
                    (file, at) = (*f, p.clone());
                    written = self.files[file].json.pointer(&at)?;
                    continue;
                }
            }
            let Some(token) = tokens.next() else { break };
            let key = token.replace("~1", "/").replace("~0", "~");
            let (Some(next_registered), Some(next_written)) =
                (child(registered, &key), child(written, &key))
            else {
                break;
            };
            registered = next_registered;
            written = next_written;
            at = format!("{at}/{token}");
        }
        let source = &self.files[file];
        let pos = locate(&source.source, &at)?;
        Some(Location {
            file: source.display.clone(),
            line: pos.line,
            column: pos.column,
            source_line: source
                .source
                .lines()
                .nth(pos.line as usize - 1)
                .unwrap_or_default()
                .to_owned(),
        })
    }

    /// The definition `name` refers to from within `namespace`, as Avro
    /// resolves it: a dotted name as it is, a short one in the enclosing
    /// namespace, then in the null namespace.
    fn definition(&self, name: &str, namespace: &str) -> Option<&(usize, String)> {
        if name.contains('.') || namespace.is_empty() {
            return self.definitions.get(name);
        }
        self.definitions
            .get(&format!("{namespace}.{name}"))
            .or_else(|| self.definitions.get(name))
    }
}

/// The namespace of a full name (`a.b.C` → `a.b`).
fn namespace_of(full: &str) -> &str {
    full.rsplit_once('.').map_or("", |(ns, _)| ns)
}

/// The full name `value` defines, if it is a named type's definition.
fn defined_name(value: &Value, namespace: &str) -> Option<String> {
    let map = value.as_object()?;
    let kind = map.get("type").and_then(Value::as_str)?;
    if !matches!(kind, "record" | "error" | "enum" | "fixed") {
        return None;
    }
    let name = map.get("name").and_then(Value::as_str)?;
    let namespace = map
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(namespace);
    Some(if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    })
}

fn child<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => map.get(key),
        Value::Array(items) => items.get(key.parse::<usize>().ok()?),
        _ => None,
    }
}

/// Calls `found(full name, pointer)` for every named type defined in `json`.
fn collect_definitions(
    json: &Value,
    pointer: &str,
    namespace: &str,
    found: &mut impl FnMut(String, String),
) {
    match json {
        Value::Object(map) => {
            let mut namespace = namespace.to_owned();
            if let Some(full) = defined_name(json, &namespace) {
                namespace = namespace_of(&full).to_owned();
                found(full, pointer.to_owned());
            }
            for (key, value) in map {
                collect_definitions(value, &format!("{pointer}/{key}"), &namespace, found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_definitions(item, &format!("{pointer}/{i}"), namespace, found);
            }
        }
        _ => {}
    }
}

fn input(error: schemabus_codegen::Error) -> anyhow::Error {
    InputError::Diagnostics(error.to_string()).into()
}

/// Runs git in `dir` and returns its standard output.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("running git")?;
    if !output.status.success() {
        bail!(InputError::Message(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    String::from_utf8(output.stdout).context("git printed non-UTF-8 output")
}
