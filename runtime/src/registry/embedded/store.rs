//! The state file: one JSON document, replaced atomically on every change.

use std::collections::BTreeMap;
use std::fs::{self, File, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state::{Candidate, Entry, State, Subject};
use crate::compat::Level;
use crate::registry::RegistryError;

/// The state file's name in the registry's directory.
pub(super) const STATE_FILE: &str = "registry.json";
/// Written, synced, then renamed over [`STATE_FILE`].
const TEMP_FILE: &str = "registry.json.tmp";
/// Held locked while a registry has the directory open.
const LOCK_FILE: &str = "registry.lock";
/// The version of the file's layout.
const FORMAT: u32 = 1;

/// An open registry directory.
#[derive(Debug)]
pub(super) struct Store {
    dir: PathBuf,
    path: PathBuf,
    /// Locked (exclusively) for as long as the store is open.
    _lock: File,
}

/// The file's layout.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: u32,
    compatibility: String,
    schemas: Vec<DocSchema>,
    subjects: BTreeMap<String, DocSubject>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocSchema {
    id: u32,
    schema: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocSubject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compatibility: Option<String>,
    versions: Vec<DocVersion>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocVersion {
    version: u32,
    id: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
}

fn storage(path: &Path, source: io::Error) -> RegistryError {
    RegistryError::Storage {
        path: path.display().to_string(),
        source: source.into(),
    }
}

fn corrupt(path: &Path, problem: impl std::fmt::Display) -> RegistryError {
    storage(
        path,
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("corrupt registry state file: {problem}"),
        ),
    )
}

impl Store {
    /// Opens (creating it if needed) the registry directory `dir` and reads
    /// its state.
    pub(super) fn open(dir: &Path) -> Result<(Self, State), RegistryError> {
        fs::create_dir_all(dir).map_err(|e| storage(dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| storage(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(storage(
                dir,
                io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "the registry directory is in use by another registry (its lock file is held)",
                ),
            )),
            Err(TryLockError::Error(e)) => return Err(storage(&lock_path, e)),
        }
        let path = dir.join(STATE_FILE);
        let state = match fs::read(&path) {
            Ok(bytes) => load(&path, &bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(storage(&path, e)),
        };
        Ok((
            Self {
                dir: dir.to_owned(),
                path,
                _lock: lock,
            },
            state,
        ))
    }

    /// The state file.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the state file with `state`: written to a temporary file,
    /// synced, renamed over the old one, and the directory synced.
    pub(super) fn save(&self, state: &State) -> Result<(), RegistryError> {
        let bytes = serde_json::to_vec_pretty(&document(state))
            .map_err(|e| storage(&self.path, io::Error::other(e)))?;
        let temp = self.dir.join(TEMP_FILE);
        let write = || -> io::Result<()> {
            let mut file = File::create(&temp)?;
            file.write_all(&bytes)?;
            file.write_all(b"\n")?;
            file.sync_all()
        };
        write().map_err(|e| storage(&temp, e))?;
        fs::rename(&temp, &self.path).map_err(|e| storage(&self.path, e))?;
        sync_dir(&self.dir).map_err(|e| storage(&self.dir, e))
    }
}

/// Makes a rename in `dir` durable (where the platform can).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        match File::open(dir).and_then(|d| d.sync_all()) {
            // Some file systems cannot sync directories; the rename stands.
            Err(e)
                if e.kind() == io::ErrorKind::InvalidInput
                    || e.kind() == io::ErrorKind::Unsupported =>
            {
                Ok(())
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

fn document(state: &State) -> Document {
    Document {
        format: FORMAT,
        compatibility: state.level.name().to_owned(),
        schemas: state
            .schemas
            .iter()
            .map(|(&id, stored)| DocSchema {
                id,
                schema: stored.text.clone(),
            })
            .collect(),
        subjects: state
            .subjects
            .iter()
            .map(|(name, s)| {
                let subject = DocSubject {
                    compatibility: s.level.map(|l| l.name().to_owned()),
                    versions: s
                        .versions
                        .iter()
                        .map(|e| DocVersion {
                            version: e.version,
                            id: e.id,
                            deleted: e.deleted,
                        })
                        .collect(),
                };
                (name.clone(), subject)
            })
            .collect(),
    }
}

/// Reads a state file, checking everything it says.
fn load(path: &Path, bytes: &[u8]) -> Result<State, RegistryError> {
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))?;
    if doc.format != FORMAT {
        return Err(corrupt(
            path,
            format!(
                "format {} is not the format this version reads ({FORMAT})",
                doc.format
            ),
        ));
    }
    let level =
        |text: &str| -> Result<Level, RegistryError> { text.parse().map_err(|e| corrupt(path, e)) };
    let mut state = State::default();
    state.level = level(&doc.compatibility)?;
    for schema in doc.schemas {
        if schema.id == 0 {
            return Err(corrupt(path, "schema id 0 (ids start at 1)"));
        }
        let candidate = Candidate::parse(&schema.schema)
            .map_err(|e| corrupt(path, format!("schema {}: {e}", schema.id)))?;
        state
            .insert_schema(schema.id, candidate)
            .map_err(|e| corrupt(path, e))?;
    }
    for (name, subject) in doc.subjects {
        let mut versions: Vec<Entry> = Vec::with_capacity(subject.versions.len());
        for v in subject.versions {
            if !state.schemas.contains_key(&v.id) {
                return Err(corrupt(
                    path,
                    format!(
                        "version {} of subject `{name}` names schema {}, which is not in the file",
                        v.version, v.id
                    ),
                ));
            }
            if v.version == 0
                || versions
                    .last()
                    .is_some_and(|last| last.version >= v.version)
            {
                return Err(corrupt(
                    path,
                    format!("the versions of subject `{name}` are not ascending from 1"),
                ));
            }
            versions.push(Entry {
                version: v.version,
                id: v.id,
                deleted: v.deleted,
            });
        }
        let level = subject.compatibility.as_deref().map(level).transpose()?;
        state.subjects.insert(name, Subject { level, versions });
    }
    Ok(state)
}
