//! The registry's state and the operations on it, without locks or I/O.
//!
//! Every operation either fails without touching the state or applies its
//! whole change; [`super::EmbeddedRegistry`] runs them on the state itself
//! in memory, and on a copy it swaps in once saved when kept in a directory.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::normal::{id_form, normalize};
use crate::compat::{self, check_pair, Break, Direction, Finding, Level};
use crate::registry::{CompatibilityReport, RegistryError, SubjectVersion, Version};

/// A schema text, parsed and normalized, not yet stored.
#[derive(Debug)]
pub(super) struct Candidate {
    text: String,
    normalized: Arc<str>,
    /// The JSON, kept for a stable id (derived only for a new schema).
    value: Value,
    parsed: compat::Schema,
}

impl Candidate {
    /// Parses `text` as an Avro schema.
    pub(super) fn parse(text: &str) -> Result<Self, RegistryError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| RegistryError::InvalidSchema(format!("not JSON: {e}")))?;
        let parsed = compat::Schema::parse(&value).map_err(|e| {
            RegistryError::InvalidSchema(if e.pointer.is_empty() {
                e.problem
            } else {
                format!("at `{}`: {}", e.pointer, e.problem)
            })
        })?;
        Ok(Self {
            text: text.to_owned(),
            normalized: normalize(&value).into(),
            value,
            parsed,
        })
    }
}

/// A schema stored under its global id.
#[derive(Debug)]
pub(super) struct Stored {
    /// The text as first registered.
    pub(super) text: String,
    parsed: compat::Schema,
}

/// One version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) version: u32,
    pub(super) id: u32,
    pub(super) deleted: bool,
}

/// A subject: its versions (ascending, soft-deleted ones included) and its
/// own compatibility level. A subject may have a level and no versions.
#[derive(Clone, Debug, Default)]
pub(super) struct Subject {
    pub(super) level: Option<Level>,
    pub(super) versions: Vec<Entry>,
}

impl Subject {
    fn entries(&self, include_deleted: bool) -> impl DoubleEndedIterator<Item = &Entry> {
        self.versions
            .iter()
            .filter(move |e| include_deleted || !e.deleted)
    }
}

/// Everything the registry knows.
///
/// Schemas are never forgotten, even when every version using them is
/// permanently deleted: registering the same schema again gives it its old
/// id back, so an id never names two schemas.
#[derive(Clone, Debug, Default)]
pub(super) struct State {
    /// New ids derive from the schema text instead of counting up (see
    /// [`super::EmbeddedRegistry::in_memory_with_stable_ids`]).
    pub(super) stable_ids: bool,
    pub(super) level: Level,
    pub(super) schemas: BTreeMap<u32, Arc<Stored>>,
    ids: HashMap<Arc<str>, u32>,
    /// Ids of a schema that a state saved by an older version holds under
    /// another id too (written two ways), to the id [`Self::ids`] keeps.
    same_as: HashMap<u32, u32>,
    pub(super) subjects: BTreeMap<String, Subject>,
}

impl State {
    /// An empty state whose new ids derive from the schemas.
    pub(super) fn with_stable_ids() -> Self {
        Self {
            stable_ids: true,
            ..Self::default()
        }
    }

    /// The id a new schema gets: the next number, or with stable ids one
    /// derived from its [`id_form`] (FNV-1a, 31 bits, the next free number
    /// on a collision), the same in every process.
    fn new_id(&self, candidate: &Candidate) -> u32 {
        if !self.stable_ids {
            return self.schemas.last_key_value().map_or(1, |(id, _)| id + 1);
        }
        let hash = id_form(&candidate.value)
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let mut id = u32::try_from(hash & 0x7fff_ffff).unwrap_or(1).max(1);
        while self.schemas.contains_key(&id) {
            id = id.checked_add(1).filter(|i| *i <= 0x7fff_ffff).unwrap_or(1);
        }
        id
    }

    /// Adds a schema under `id` (loading a state file).
    pub(super) fn insert_schema(&mut self, id: u32, candidate: Candidate) -> Result<(), String> {
        if self.schemas.contains_key(&id) {
            return Err(format!("schema id {id} appears twice"));
        }
        if let Some(&other) = self.ids.get(&candidate.normalized) {
            // A state saved before the comparison grew wiser may hold one
            // schema, written two ways, under two ids: both keep answering,
            // the first is reused. The same text twice is corruption.
            if self.text(other) == candidate.text {
                return Err(format!("schemas {other} and {id} are the same schema"));
            }
            self.same_as.insert(id, other);
        } else {
            self.ids.insert(candidate.normalized, id);
        }
        self.schemas.insert(
            id,
            Arc::new(Stored {
                text: candidate.text,
                parsed: candidate.parsed,
            }),
        );
        Ok(())
    }

    /// The subject, if it has a version (a live one unless `include_deleted`).
    fn subject(&self, subject: &str, include_deleted: bool) -> Result<&Subject, RegistryError> {
        self.subjects
            .get(subject)
            .filter(|s| s.entries(include_deleted).next().is_some())
            .ok_or_else(|| RegistryError::SubjectNotFound(subject.to_owned()))
    }

    fn answer(&self, subject: &str, entry: &Entry) -> SubjectVersion {
        SubjectVersion {
            subject: subject.to_owned(),
            id: entry.id,
            version: entry.version,
            schema: self.text(entry.id).to_owned(),
        }
    }

    fn text(&self, id: u32) -> &str {
        self.schemas.get(&id).map_or("", |s| s.text.as_str())
    }

    /// Whether ids `a` and `b` name the same schema (see [`Self::same_as`]).
    fn same(&self, a: u32, b: u32) -> bool {
        let first = |id: u32| self.same_as.get(&id).copied().unwrap_or(id);
        first(a) == first(b)
    }

    /// Whether any version, soft-deleted or not, uses schema `id`.
    fn in_use(&self, id: u32) -> bool {
        self.subjects
            .values()
            .any(|s| s.versions.iter().any(|e| e.id == id))
    }

    /// The level that applies to `subject`.
    pub(super) fn effective_level(&self, subject: &str) -> Level {
        self.subjects
            .get(subject)
            .and_then(|s| s.level)
            .unwrap_or(self.level)
    }

    /// Registers a schema; the id and whether anything changed.
    pub(super) fn register(
        &mut self,
        subject: &str,
        candidate: Candidate,
    ) -> Result<(u32, bool), RegistryError> {
        let known = self.ids.get(&candidate.normalized).copied();
        if let (Some(id), Some(s)) = (known, self.subjects.get(subject)) {
            if let Some(live) = s.entries(false).find(|e| self.same(e.id, id)) {
                return Ok((live.id, false));
            }
        }
        let messages = self.check(subject, &candidate.parsed, None)?;
        if !messages.is_empty() {
            return Err(RegistryError::Incompatible {
                subject: subject.to_owned(),
                messages,
            });
        }
        let id = match known {
            Some(id) => id,
            None => {
                let id = self.new_id(&candidate);
                self.insert_schema(id, candidate)
                    .map_err(RegistryError::InvalidSchema)?;
                id
            }
        };
        let same_as = &self.same_as;
        let s = self.subjects.entry(subject.to_owned()).or_default();
        let version = s.versions.last().map_or(1, |e| e.version + 1);
        // As Confluent: a soft-deleted version of the same schema makes way
        // for the new one, so the subject does not list the schema twice.
        s.versions
            .retain(|e| !(e.deleted && same_as.get(&e.id).copied().unwrap_or(e.id) == id));
        s.versions.push(Entry {
            version,
            id,
            deleted: false,
        });
        Ok((id, true))
    }

    /// The version of `subject` whose schema is `candidate`'s.
    pub(super) fn lookup(
        &self,
        subject: &str,
        candidate: &Candidate,
        include_deleted: bool,
    ) -> Result<SubjectVersion, RegistryError> {
        let s = self.subject(subject, include_deleted)?;
        let not_found = || {
            RegistryError::SchemaNotFound(format!(
                "no version of subject `{subject}` has this schema"
            ))
        };
        let id = *self.ids.get(&candidate.normalized).ok_or_else(not_found)?;
        let entry = s
            .entries(false)
            .rev()
            .find(|e| self.same(e.id, id))
            .or_else(|| {
                s.entries(include_deleted)
                    .rev()
                    .find(|e| self.same(e.id, id))
            })
            .ok_or_else(not_found)?;
        Ok(self.answer(subject, entry))
    }

    /// The schema with id `id`, while a version uses it.
    pub(super) fn schema_by_id(&self, id: u32) -> Result<String, RegistryError> {
        match self.schemas.get(&id) {
            Some(stored) if self.in_use(id) => Ok(stored.text.clone()),
            _ => Err(RegistryError::SchemaNotFound(format!(
                "no schema has id {id}"
            ))),
        }
    }

    /// The versions using schema `id`, as (subject, version).
    pub(super) fn versions_for_id(
        &self,
        id: u32,
        include_deleted: bool,
    ) -> Result<Vec<(String, u32)>, RegistryError> {
        if !self.in_use(id) {
            return Err(RegistryError::SchemaNotFound(format!(
                "no schema has id {id}"
            )));
        }
        Ok(self
            .subjects
            .iter()
            .flat_map(|(name, s)| {
                s.entries(include_deleted)
                    .filter(|e| e.id == id)
                    .map(|e| (name.clone(), e.version))
            })
            .collect())
    }

    /// Subjects with versions (live ones unless `include_deleted`).
    pub(super) fn subject_names(&self, include_deleted: bool) -> Vec<String> {
        self.subjects
            .iter()
            .filter(|(_, s)| s.entries(include_deleted).next().is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The version numbers of `subject`.
    pub(super) fn versions(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> Result<Vec<u32>, RegistryError> {
        Ok(self
            .subject(subject, include_deleted)?
            .entries(include_deleted)
            .map(|e| e.version)
            .collect())
    }

    /// One version of `subject`.
    pub(super) fn version(
        &self,
        subject: &str,
        version: Version,
        include_deleted: bool,
    ) -> Result<SubjectVersion, RegistryError> {
        let s = self.subject(subject, include_deleted)?;
        let entry = match version {
            Version::Latest => s.entries(include_deleted).next_back(),
            Version::Number(n) => s.entries(include_deleted).find(|e| e.version == n),
        };
        entry
            .map(|e| self.answer(subject, e))
            .ok_or_else(|| RegistryError::VersionNotFound {
                subject: subject.to_owned(),
                version: version.to_string(),
            })
    }

    /// The compatibility of `candidate` with `subject`'s live versions
    /// (`against` one of them, or all its level checks).
    pub(super) fn compatibility(
        &self,
        subject: &str,
        candidate: &Candidate,
        against: Option<Version>,
    ) -> Result<CompatibilityReport, RegistryError> {
        let messages = self.check(subject, &candidate.parsed, against)?;
        Ok(CompatibilityReport {
            compatible: messages.is_empty(),
            messages,
        })
    }

    /// One message per incompatibility of `new` with the versions checked.
    fn check(
        &self,
        subject: &str,
        new: &compat::Schema,
        against: Option<Version>,
    ) -> Result<Vec<String>, RegistryError> {
        let level = self.effective_level(subject);
        let live: Vec<&Entry> = self
            .subjects
            .get(subject)
            .map(|s| s.entries(false).collect())
            .unwrap_or_default();
        let history: Vec<&Entry> = match against {
            None => live[level.versions_checked(live.len())].to_vec(),
            Some(Version::Latest) => live.last().copied().into_iter().collect(),
            Some(Version::Number(n)) => {
                if live.is_empty() {
                    return Err(RegistryError::SubjectNotFound(subject.to_owned()));
                }
                let entry = live.iter().find(|e| e.version == n).ok_or_else(|| {
                    RegistryError::VersionNotFound {
                        subject: subject.to_owned(),
                        version: n.to_string(),
                    }
                })?;
                vec![*entry]
            }
        };
        let mut messages = Vec::new();
        for (index, entry) in history.iter().enumerate() {
            let Some(old) = self.schemas.get(&entry.id) else {
                continue;
            };
            for &direction in level.directions() {
                let found = match direction {
                    Direction::Backward => check_pair(new, &old.parsed),
                    Direction::Forward => check_pair(&old.parsed, new),
                };
                for incompatibility in found {
                    let brk = Break {
                        version: index,
                        direction,
                        incompatibility,
                    };
                    messages.push(message(subject, &brk, entry.version, level));
                }
            }
        }
        Ok(messages)
    }

    /// Deletes every version of `subject`; the versions deleted.
    pub(super) fn delete_subject(
        &mut self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<u32>, RegistryError> {
        let not_found = || RegistryError::SubjectNotFound(subject.to_owned());
        let s = self.subjects.get_mut(subject).ok_or_else(not_found)?;
        if s.versions.is_empty() {
            return Err(not_found());
        }
        let live: Vec<u32> = s.entries(false).map(|e| e.version).collect();
        if permanent {
            if !live.is_empty() {
                return Err(RegistryError::SubjectNotSoftDeleted(subject.to_owned()));
            }
            let all = s.versions.iter().map(|e| e.version).collect();
            self.subjects.remove(subject);
            return Ok(all);
        }
        if live.is_empty() {
            return Err(RegistryError::SubjectSoftDeleted(subject.to_owned()));
        }
        for entry in &mut s.versions {
            entry.deleted = true;
        }
        // As Confluent: deleting a subject deletes its compatibility level.
        s.level = None;
        Ok(live)
    }

    /// Deletes one version of `subject`; its number.
    pub(super) fn delete_version(
        &mut self,
        subject: &str,
        version: Version,
        permanent: bool,
    ) -> Result<u32, RegistryError> {
        let s = self
            .subjects
            .get_mut(subject)
            .filter(|s| s.entries(permanent).next().is_some())
            .ok_or_else(|| RegistryError::SubjectNotFound(subject.to_owned()))?;
        let index = match version {
            Version::Latest => s.versions.iter().rposition(|e| permanent || !e.deleted),
            Version::Number(n) => s.versions.iter().position(|e| e.version == n),
        }
        .ok_or_else(|| RegistryError::VersionNotFound {
            subject: subject.to_owned(),
            version: version.to_string(),
        })?;
        let entry = s.versions[index];
        match (permanent, entry.deleted) {
            (false, true) => Err(RegistryError::VersionSoftDeleted {
                subject: subject.to_owned(),
                version: entry.version,
            }),
            (true, false) => Err(RegistryError::VersionNotSoftDeleted {
                subject: subject.to_owned(),
                version: entry.version,
            }),
            (false, false) => {
                s.versions[index].deleted = true;
                Ok(entry.version)
            }
            (true, true) => {
                s.versions.remove(index);
                if s.versions.is_empty() && s.level.is_none() {
                    self.subjects.remove(subject);
                }
                Ok(entry.version)
            }
        }
    }

    /// Sets the level of `subject`, or the global one.
    pub(super) fn set_level(&mut self, subject: Option<&str>, level: Level) {
        match subject {
            None => self.level = level,
            Some(subject) => {
                self.subjects.entry(subject.to_owned()).or_default().level = Some(level)
            }
        }
    }

    /// The level `subject` has of its own.
    pub(super) fn subject_level(&self, subject: &str) -> Option<Level> {
        self.subjects.get(subject).and_then(|s| s.level)
    }

    /// Removes `subject`'s own level; the level it had.
    pub(super) fn delete_subject_level(&mut self, subject: &str) -> Result<Level, RegistryError> {
        let s = self
            .subjects
            .get_mut(subject)
            .ok_or_else(|| RegistryError::SubjectNotFound(subject.to_owned()))?;
        let level = s
            .level
            .take()
            .ok_or_else(|| RegistryError::SubjectNotFound(subject.to_owned()))?;
        if s.versions.is_empty() {
            self.subjects.remove(subject);
        }
        Ok(level)
    }
}

/// `[RULE] at /path against version N (LEVEL): what changed; hint: how to fix`.
fn message(subject: &str, brk: &Break, version: u32, level: Level) -> String {
    let finding = Finding::from_break(subject, brk, &format!("version {version}"));
    let at = if finding.path.is_empty() {
        "the root".to_owned()
    } else {
        finding.path
    };
    format!(
        "[{}] at {at} against version {version} ({level}): {}; hint: {}",
        finding.rule, finding.message, finding.hint
    )
}
