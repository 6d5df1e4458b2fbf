//! Finding and loading the schema a derive names, cached per compiler process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::model::Model;
use crate::resolve;

type Stamp = Vec<(PathBuf, Option<SystemTime>, u64)>;
type ModelCache = HashMap<PathBuf, (Stamp, Arc<Model>)>;

/// Models already loaded by this compiler process, with the file stamps they
/// were loaded from: every event of a crate shares one schema root.
static MODELS: Mutex<Option<ModelCache>> = Mutex::new(None);

fn stamp(root: &Path) -> Stamp {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "avsc") {
                out.push((path, meta.modified().ok(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

/// The resolved model of every schema under `root`, reloaded when a file changed.
pub fn load_model(root: &Path) -> Result<Arc<Model>, crate::error::Error> {
    let current = stamp(root);
    let mut cache = MODELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some((seen, model)) = cache.get(root) {
        if *seen == current {
            return Ok(Arc::clone(model));
        }
    }
    let model = Arc::new(resolve::load_dir(root)?);
    cache.insert(root.to_path_buf(), (current, Arc::clone(&model)));
    Ok(model)
}

/// The default schema root of a schema file, given as written in the
/// attribute: `schemas` for `schemas/<context>/<Event>.avsc`, else the
/// file's own directory.
pub fn default_root(schema: &Path) -> PathBuf {
    let dir = schema.parent().unwrap_or(Path::new(""));
    match dir.parent() {
        Some(grand) if schema.components().count() >= 3 => grand.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// Relative schema paths are resolved against `SCHEMABUS_MANIFEST_DIR` when
/// set (for code compiled away from its crate, as in trybuild's UI tests),
/// else against the compiling crate's `CARGO_MANIFEST_DIR`.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("SCHEMABUS_MANIFEST_DIR")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A schema error as a compiler message: rustc adds its own `error: `.
pub fn compile_message(error: &crate::error::Error) -> String {
    let text = error.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    // The "N errors in schemas" summary only helps in a build script's output.
    match text.rsplit_once("\n\n") {
        Some((body, summary)) if summary.trim_start().ends_with("in schemas") => body.to_owned(),
        _ => text.to_owned(),
    }
}
