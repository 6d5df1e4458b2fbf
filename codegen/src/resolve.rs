//! Loads a schema root: every `.avsc` file, parsed and linked into one
//! [`Model`].
//!
//! Files may refer to each other's types in any order. After parsing, every
//! definition is registered (a name defined twice is an error naming both
//! places), every reference is resolved, and only then are field defaults
//! checked, since a default may mention a type defined in another file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{closest, Diagnostic, Error};
use crate::model::{FullName, Model, NamedKind, NamedType, Schema, SchemaFile, Span};
use crate::parse::{self, check_default, DeferredDefault, ParsedFile, Reference, PRIMITIVES};

/// Loads every `*.avsc` file under `root` (recursively), in the order of
/// their paths relative to `root`, so the model is deterministic.
///
/// Symbolic links to files are followed; symbolic links to directories are
/// not (they could form cycles). An empty directory yields an empty model.
///
/// # Errors
///
/// [`Error::Io`] naming the path if `root` or a file under it cannot be read;
/// [`Error::Schema`] with every problem of every file otherwise.
pub fn load_dir(root: &Path) -> Result<Model, Error> {
    let mut found = Vec::new();
    walk(root, root, &mut found)?;
    let mut inputs = Vec::with_capacity(found.len());
    for (path, rel) in found {
        let source = read(&path)?;
        inputs.push(Input { path, rel, source });
    }
    link(inputs)
}

/// Loads the given schema files; `root` is the schema root they are relative to
/// (files outside it keep their path as given for display and ordering).
///
/// # Errors
///
/// As [`load_dir`].
pub fn load_files(root: &Path, files: &[PathBuf]) -> Result<Model, Error> {
    let mut inputs = Vec::with_capacity(files.len());
    for path in files {
        let rel = match path.strip_prefix(root) {
            Ok(r) => slash_path(r),
            Err(_) => slash_path(path),
        };
        let source = read(path)?;
        inputs.push(Input {
            path: path.clone(),
            rel,
            source,
        });
    }
    link(inputs)
}

/// Loads schemas from memory: `(path relative to the schema root, source)`.
/// No I/O; the relative path is also the file's `path`.
///
/// # Errors
///
/// [`Error::Schema`] with every problem of every file.
pub fn load_sources(files: Vec<(String, String)>) -> Result<Model, Error> {
    let inputs = files
        .into_iter()
        .map(|(rel, source)| Input {
            path: PathBuf::from(&rel),
            rel,
            source,
        })
        .collect();
    link(inputs)
}

struct Input {
    path: PathBuf,
    rel: String,
    source: String,
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

/// `a/b/c.avsc`, whatever the platform's separator.
fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let ty = entry.file_type().map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        if ty.is_dir() {
            walk(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "avsc") && (ty.is_file() || path.is_file())
        {
            let rel = slash_path(path.strip_prefix(root).unwrap_or(&path));
            out.push((path, rel));
        }
    }
    Ok(())
}

/// A diagnostic with the index of its file, for sorting.
type Located = (usize, Diagnostic);

/// Parses and links the inputs into a model.
fn link(mut inputs: Vec<Input>) -> Result<Model, Error> {
    inputs.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut diags: Vec<Located> = Vec::new();
    let mut parsed: Vec<ParsedFile> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let (p, d) = parse::parse_file_partial(i, &input.path, &input.rel, &input.source);
        diags.extend(d.into_iter().map(|d| (i, d)));
        parsed.push(p);
    }
    let mut files: Vec<SchemaFile> = inputs
        .into_iter()
        .map(|i| SchemaFile {
            path: i.path,
            rel_path: i.rel,
            root: Schema::Null,
            source: i.source,
        })
        .collect();

    let mut types: BTreeMap<FullName, NamedType> = BTreeMap::new();
    let mut incomplete: BTreeSet<FullName> = BTreeSet::new();
    let mut references: Vec<Reference> = Vec::new();
    let mut defaults: Vec<DeferredDefault> = Vec::new();
    for (i, p) in parsed.into_iter().enumerate() {
        files[i].root = p.root;
        incomplete.extend(p.incomplete);
        references.extend(p.references);
        defaults.extend(p.defaults);
        for t in p.types {
            if let Some(first) = types.get(&t.name) {
                let first_at = place(&first.span, &files);
                let d = Diagnostic::at(
                    &t.span,
                    &files,
                    format!("type `{}` is defined twice", t.name.full()),
                )
                .with_hint(format!("first defined at {first_at}; rename one of them"));
                diags.push((t.span.file, d));
            } else {
                types.insert(t.name.clone(), t);
            }
        }
    }

    let rewrites = resolve_references(&references, &types, &files, &mut diags);
    if !rewrites.is_empty() {
        for f in &mut files {
            rewrite(&mut f.root, &rewrites);
        }
        for t in types.values_mut() {
            if let NamedKind::Record { fields } = &mut t.kind {
                for f in fields {
                    rewrite(&mut f.schema, &rewrites);
                }
            }
        }
        for d in &mut defaults {
            rewrite(&mut d.schema, &rewrites);
        }
    }

    // Defaults are checked against complete types only: a type with errors
    // of its own would make its users' defaults fail for the wrong reason.
    let mut model = Model { files, types };
    let hidden: Vec<NamedType> = incomplete
        .iter()
        .filter_map(|n| model.types.remove(n))
        .collect();
    for d in &defaults {
        if let Some(p) = check_default(&model, &d.schema, &d.value) {
            let span = Span {
                file: d.file,
                line: p.line,
                col: p.col,
            };
            let message = format!(
                "invalid default for field `{}` of `{}`: {}",
                d.field,
                d.record.full(),
                p.message
            );
            diags.push((
                d.file,
                Diagnostic::at(&span, &model.files, message).with_opt_hint(p.hint),
            ));
        }
    }
    for t in hidden {
        model.types.insert(t.name.clone(), t);
    }

    if diags.is_empty() {
        Ok(model)
    } else {
        diags.sort_by_key(|(file, d)| (*file, d.line, d.col));
        Err(Error::Schema(diags.into_iter().map(|(_, d)| d).collect()))
    }
}

/// `path:line:col` of a span, for messages.
fn place(span: &Span, files: &[SchemaFile]) -> String {
    match files.get(span.file) {
        Some(f) => format!("{}:{}:{}", f.path.display(), span.line, span.col),
        None => format!("{}:{}", span.line, span.col),
    }
}

/// Checks every reference; returns the names that resolve only through the
/// null-namespace fallback, mapped to what they resolve to.
fn resolve_references(
    references: &[Reference],
    types: &BTreeMap<FullName, NamedType>,
    files: &[SchemaFile],
    diags: &mut Vec<Located>,
) -> HashMap<FullName, FullName> {
    let mut rewrites = HashMap::new();
    let fulls: Vec<String> = types.keys().map(FullName::full).collect();
    for r in references {
        if types.contains_key(&r.name) {
            continue;
        }
        if let Some(fb) = r.fallback.as_ref().filter(|fb| types.contains_key(*fb)) {
            rewrites.insert(r.name.clone(), fb.clone());
            continue;
        }
        let message = match &r.fallback {
            Some(fb) => format!(
                "unknown type `{}` (looked for `{}` and `{}`)",
                r.written,
                r.name.full(),
                fb.full()
            ),
            None => format!("unknown type `{}`", r.written),
        };
        let hint = suggest(r, types, &fulls).map(|s| format!("did you mean `{s}`?")).unwrap_or_else(|| {
            "no .avsc file under the schema root defines it; the file that defines it must be under the schema root"
                .to_owned()
        });
        diags.push((
            r.span.file,
            Diagnostic::at(&r.span, files, message).with_hint(hint),
        ));
    }
    rewrites
}

/// A likely intended name for an unresolved reference.
fn suggest(
    r: &Reference,
    types: &BTreeMap<FullName, NamedType>,
    fulls: &[String],
) -> Option<String> {
    // The same simple name in another namespace: probably a missing or wrong namespace.
    if let Some(n) = types.keys().find(|n| n.name == r.name.name) {
        return Some(n.full());
    }
    let full = r.name.full();
    let candidates = fulls.iter().map(String::as_str).chain(PRIMITIVES);
    if let Some(c) = closest(&full, candidates.clone()).or_else(|| closest(&r.written, candidates))
    {
        return Some(c.to_owned());
    }
    // A typo in the simple name, written without its namespace.
    let simple = closest(&r.name.name, types.keys().map(|n| n.name.as_str()))?;
    types.keys().find(|n| n.name == simple).map(FullName::full)
}

/// Replaces references that resolved through the null-namespace fallback.
fn rewrite(schema: &mut Schema, rewrites: &HashMap<FullName, FullName>) {
    match schema {
        Schema::Ref(name) => {
            if let Some(to) = rewrites.get(name) {
                *name = to.clone();
            }
        }
        Schema::Array(inner) | Schema::Map(inner) => rewrite(inner, rewrites),
        Schema::Union(branches) => {
            for b in branches {
                rewrite(b, rewrites);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
