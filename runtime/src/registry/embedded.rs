//! [`EmbeddedRegistry`]: a schema registry in the process, kept in a
//! directory.

mod normal;
mod state;
mod store;

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures_util::future::BoxFuture;

use self::state::{Candidate, State};
use self::store::Store;
use super::{CompatibilityReport, RegistryError, SchemaRegistry, SubjectVersion, Version};
use crate::compat::Level;

/// A schema registry in the process, with Confluent Schema Registry's
/// semantics; in memory, or kept in a directory.
///
/// - **Ids are global.** A schema gets one id however many subjects it is
///   registered under. Two texts are the same schema when they are equal
///   as JSON regardless of key order and whitespace, with names compared
///   in full (`"name": "R", "namespace": "a"` is `"name": "a.R"`) and
///   `{"type": "int"}` read as `"int"`; docs, field order, defaults and
///   custom properties still count, as in Confluent. An id never names
///   another schema, not even after a permanent delete: registering the
///   schema again gives its old id back.
/// - **Versions per subject**, from 1. Registering a schema that is already
///   a live version of the subject returns its id and adds no version;
///   registering one that is a soft-deleted version adds a new version and
///   drops the deleted one, as Confluent does.
/// - **Compatibility levels**: a global one (default `BACKWARD`) and one
///   per subject, checked by [`crate::compat`] against the live versions —
///   all of them for the `_TRANSITIVE` levels, the latest otherwise.
///   Schemas the engine cannot parse are [`RegistryError::InvalidSchema`].
/// - **Deletes**: soft deletes hide a subject or version from listings,
///   lookups and `latest`, while [`schema_by_id`](SchemaRegistry::schema_by_id)
///   still answers (consumers may hold messages written with it); permanent
///   deletes need a soft delete first. Deleting a subject also deletes its
///   compatibility level, as in Confluent.
///
/// Changes take turns, so concurrent registrations of one schema get one id
/// and one version. A registry opened on a directory writes its state there
/// after every change — to a temporary file, synced, then renamed over
/// `registry.json` — before the change is seen or answered; readers do not
/// wait for the disk, and on a multi-thread tokio runtime the save runs in
/// [`block_in_place`](tokio::task::block_in_place). It holds a lock file,
/// so a second registry (in this process or another) cannot open the same
/// directory.
///
/// It implements [`SchemaRegistry`]; its inherent methods add what Confluent's
/// REST API offers beyond that trait (soft-deleted items, ids to subjects,
/// subject-level configuration, version deletes), which the registry
/// server (`registry::server`, feature `registry`) serves.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry, Version};
///
/// # futures_executor::block_on(async {
/// let registry = EmbeddedRegistry::in_memory();
/// let v1 = r#"{"type":"record","name":"Ping","fields":[]}"#;
/// let id = registry.register("pings", v1).await?;
/// assert_eq!(registry.register("other", v1).await?, id); // one id per schema
///
/// // A field without a default breaks BACKWARD, the default level.
/// let v2 = r#"{"type":"record","name":"Ping","fields":[{"name":"at","type":"long"}]}"#;
/// let report = registry.check_compatibility("pings", v2).await?;
/// assert!(!report.compatible);
/// assert!(report.messages[0].contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
///
/// let latest = registry.version("pings", Version::Latest).await?;
/// assert_eq!((latest.id, latest.version), (id, 1));
/// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
/// # }).unwrap();
/// ```
pub struct EmbeddedRegistry {
    state: Mutex<State>,
    store: Option<Store>,
    /// Held by the one writer saving a change, so the state lock is only
    /// ever held for moments and readers never wait for the disk.
    saving: Mutex<()>,
}

impl fmt::Debug for EmbeddedRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("EmbeddedRegistry")
            .field("state_file", &self.state_file())
            .field("schemas", &state.schemas.len())
            .field("subjects", &state.subjects.len())
            .field("level", &state.level)
            .finish()
    }
}

impl EmbeddedRegistry {
    /// A registry kept in memory only.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::EmbeddedRegistry;
    ///
    /// let registry = EmbeddedRegistry::in_memory();
    /// assert!(registry.state_file().is_none());
    /// assert!(registry.subject_names(true).is_empty());
    /// ```
    pub fn in_memory() -> Self {
        Self {
            state: Mutex::new(State::default()),
            store: None,
            saving: Mutex::new(()),
        }
    }

    /// A registry in memory whose ids derive from the schemas (a hash of the
    /// text with keys sorted, a form that never changes between versions)
    /// instead of counting up: separate processes built
    /// from the same schemas give them the same ids without talking to each
    /// other, and records a process wrote keep their meaning after it
    /// restarts. The default registry of the Kafka pieces.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry};
    ///
    /// # futures_executor::block_on(async {
    /// let schema = r#"{"type":"record","name":"R","fields":[]}"#;
    /// let a = EmbeddedRegistry::in_memory_with_stable_ids().register("R", schema).await?;
    /// let b = EmbeddedRegistry::in_memory_with_stable_ids().register("R", schema).await?;
    /// assert_eq!(a, b);
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn in_memory_with_stable_ids() -> Self {
        Self {
            state: Mutex::new(State::with_stable_ids()),
            store: None,
            saving: Mutex::new(()),
        }
    }

    /// Opens the registry kept in directory `dir`, creating the directory
    /// if needed. Every change is written to `dir/registry.json` before it
    /// is answered; `dir/registry.lock` is held locked while the registry
    /// is open.
    ///
    /// # Errors
    ///
    /// [`RegistryError::Storage`] naming the path when the directory cannot
    /// be created or read, when another registry has it open, or when the
    /// state file is corrupt (not the JSON this registry writes, or saying
    /// something impossible, such as a version naming an unknown schema).
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry};
    ///
    /// # let dir = tempfile::tempdir()?;
    /// # futures_executor::block_on(async {
    /// let schema = r#"{"type":"enum","name":"Color","symbols":["RED"]}"#;
    /// let registry = EmbeddedRegistry::open(dir.path())?;
    /// let id = registry.register("colors", schema).await?;
    /// drop(registry);
    ///
    /// let reopened = EmbeddedRegistry::open(dir.path())?;
    /// assert_eq!(reopened.schema_by_id(id).await?, schema);
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, RegistryError> {
        let (store, state) = Store::open(dir.as_ref())?;
        Ok(Self {
            state: Mutex::new(state),
            store: Some(store),
            saving: Mutex::new(()),
        })
    }

    /// The file the state is kept in, `None` for an in-memory registry.
    pub fn state_file(&self) -> Option<&Path> {
        self.store.as_ref().map(Store::path)
    }

    /// The subjects with at least one live version, or with any version
    /// when `include_deleted`; sorted.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry};
    ///
    /// # futures_executor::block_on(async {
    /// let registry = EmbeddedRegistry::in_memory();
    /// registry.register("a", r#""string""#).await?;
    /// registry.delete_subject("a", false).await?;
    /// assert!(registry.subject_names(false).is_empty());
    /// assert_eq!(registry.subject_names(true), ["a"]);
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn subject_names(&self, include_deleted: bool) -> Vec<String> {
        self.lock().subject_names(include_deleted)
    }

    /// The versions of `subject`, ascending; soft-deleted ones too when
    /// `include_deleted`.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`] when there are none.
    pub fn subject_versions(
        &self,
        subject: &str,
        include_deleted: bool,
    ) -> Result<Vec<u32>, RegistryError> {
        self.lock().versions(subject, include_deleted)
    }

    /// One version of `subject`; `include_deleted` finds soft-deleted ones
    /// too (and makes [`Version::Latest`] the latest of all).
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`], [`RegistryError::VersionNotFound`].
    pub fn subject_version(
        &self,
        subject: &str,
        version: Version,
        include_deleted: bool,
    ) -> Result<SubjectVersion, RegistryError> {
        self.lock().version(subject, version, include_deleted)
    }

    /// The version of `subject` whose schema is `schema` (the latest live
    /// one if several are; with `include_deleted`, a soft-deleted one when
    /// no live one is).
    ///
    /// # Errors
    ///
    /// [`RegistryError::InvalidSchema`], [`RegistryError::SubjectNotFound`],
    /// [`RegistryError::SchemaNotFound`].
    pub fn find_schema(
        &self,
        subject: &str,
        schema: &str,
        include_deleted: bool,
    ) -> Result<SubjectVersion, RegistryError> {
        let candidate = Candidate::parse(schema)?;
        self.lock().lookup(subject, &candidate, include_deleted)
    }

    /// The subjects with a version whose schema has id `id` (soft-deleted
    /// versions count when `include_deleted`).
    ///
    /// # Errors
    ///
    /// [`RegistryError::SchemaNotFound`] when no version, soft-deleted or
    /// not, uses the id.
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry};
    ///
    /// # futures_executor::block_on(async {
    /// let registry = EmbeddedRegistry::in_memory();
    /// let id = registry.register("a", r#""long""#).await?;
    /// registry.register("b", r#""long""#).await?;
    /// assert_eq!(registry.subjects_for_id(id, false)?, ["a", "b"]);
    /// assert_eq!(registry.versions_for_id(id, false)?, [("a".to_owned(), 1), ("b".to_owned(), 1)]);
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn subjects_for_id(
        &self,
        id: u32,
        include_deleted: bool,
    ) -> Result<Vec<String>, RegistryError> {
        let mut subjects: Vec<String> = self
            .versions_for_id(id, include_deleted)?
            .into_iter()
            .map(|(subject, _)| subject)
            .collect();
        subjects.dedup();
        Ok(subjects)
    }

    /// The (subject, version) pairs whose schema has id `id`.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SchemaNotFound`] when no version, soft-deleted or
    /// not, uses the id.
    pub fn versions_for_id(
        &self,
        id: u32,
        include_deleted: bool,
    ) -> Result<Vec<(String, u32)>, RegistryError> {
        self.lock().versions_for_id(id, include_deleted)
    }

    /// Whether `schema` could be registered under `subject`: against one
    /// live version (`Some`, with the subject's level deciding the
    /// directions), or against the versions the level checks (`None`, as
    /// [`SchemaRegistry::check_compatibility`]). [`Version::Latest`] of a
    /// subject without versions is compatible.
    ///
    /// # Errors
    ///
    /// [`RegistryError::InvalidSchema`]; for a version number,
    /// [`RegistryError::SubjectNotFound`] and [`RegistryError::VersionNotFound`].
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry, Version};
    ///
    /// # futures_executor::block_on(async {
    /// let registry = EmbeddedRegistry::in_memory();
    /// registry.register("n", r#""int""#).await?;
    /// // int data reads as long (a promotion): BACKWARD compatible.
    /// let report = registry.check_against("n", r#""long""#, Some(Version::Number(1)))?;
    /// assert!(report.compatible);
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn check_against(
        &self,
        subject: &str,
        schema: &str,
        version: Option<Version>,
    ) -> Result<CompatibilityReport, RegistryError> {
        let candidate = Candidate::parse(schema)?;
        self.lock().compatibility(subject, &candidate, version)
    }

    /// The compatibility level `subject` has of its own (`None`: it uses
    /// the global one).
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::compat::Level;
    /// use schemabus_runtime::registry::{EmbeddedRegistry, SchemaRegistry};
    ///
    /// # futures_executor::block_on(async {
    /// let registry = EmbeddedRegistry::in_memory();
    /// assert_eq!(registry.subject_level("s"), None);
    /// registry.set_level(Some("s"), Level::Full).await?;
    /// assert_eq!(registry.subject_level("s"), Some(Level::Full));
    /// assert_eq!(registry.delete_subject_level("s")?, Level::Full);
    /// assert_eq!(registry.level(Some("s")).await?, Level::Backward); // the global one
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn subject_level(&self, subject: &str) -> Option<Level> {
        self.lock().subject_level(subject)
    }

    /// Removes `subject`'s own compatibility level (it uses the global one
    /// from then on); returns the level it had.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`] when the subject has no level of
    /// its own (Confluent's answer), [`RegistryError::Storage`].
    pub fn delete_subject_level(&self, subject: &str) -> Result<Level, RegistryError> {
        self.write(|state| {
            state
                .delete_subject_level(subject)
                .map(|level| (level, true))
        })
    }

    /// Deletes one version of `subject`: soft unless `permanent`, and a
    /// permanent delete only of a soft-deleted version. [`Version::Latest`]
    /// is the latest live version (of all versions, when `permanent`).
    /// Returns the version deleted.
    ///
    /// # Errors
    ///
    /// [`RegistryError::SubjectNotFound`], [`RegistryError::VersionNotFound`],
    /// [`RegistryError::VersionSoftDeleted`] (soft delete twice),
    /// [`RegistryError::VersionNotSoftDeleted`] (permanent delete first),
    /// [`RegistryError::Storage`].
    ///
    /// # Examples
    ///
    /// ```
    /// use schemabus_runtime::registry::{EmbeddedRegistry, RegistryError, SchemaRegistry, Version};
    ///
    /// # futures_executor::block_on(async {
    /// let registry = EmbeddedRegistry::in_memory();
    /// let id = registry.register("s", r#""string""#).await?;
    /// let permanent_first = registry.delete_version("s", Version::Number(1), true);
    /// assert!(matches!(permanent_first, Err(RegistryError::VersionNotSoftDeleted { .. })));
    /// assert_eq!(registry.delete_version("s", Version::Latest, false)?, 1);
    /// assert_eq!(registry.schema_by_id(id).await?, r#""string""#); // ids still answer
    /// assert_eq!(registry.delete_version("s", Version::Number(1), true)?, 1);
    /// assert!(registry.schema_by_id(id).await.is_err()); // nothing uses the id now
    /// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn delete_version(
        &self,
        subject: &str,
        version: Version,
        permanent: bool,
    ) -> Result<u32, RegistryError> {
        self.write(|state| {
            state
                .delete_version(subject, version, permanent)
                .map(|v| (v, true))
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Operations change nothing when they fail, and saved changes are
        // swapped in whole, so the state is consistent even if a holder of
        // the lock panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `change`. In memory it runs on the state itself (a failed
    /// operation changes nothing). Kept in a directory it runs on a copy
    /// that is saved, then swapped in, so a failed save changes nothing;
    /// meanwhile readers see the state before the change.
    fn write<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<(T, bool), RegistryError>,
    ) -> Result<T, RegistryError> {
        let Some(store) = &self.store else {
            return change(&mut self.lock()).map(|(value, _)| value);
        };
        off_the_runtime(|| {
            let _saving = self.saving.lock().unwrap_or_else(PoisonError::into_inner);
            let mut next = self.lock().clone();
            let (value, changed) = change(&mut next)?;
            if changed {
                store.save(&next)?;
                *self.lock() = next;
            }
            Ok(value)
        })
    }

    fn register_now(&self, subject: &str, schema: &str) -> Result<u32, RegistryError> {
        let candidate = Candidate::parse(schema)?;
        self.write(|state| state.register(subject, candidate))
    }
}

/// Runs `blocking` (waiting for another writer, writing and syncing a file)
/// so that a multi-thread tokio runtime hands this worker's other tasks to
/// another worker meanwhile.
fn off_the_runtime<T>(blocking: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(blocking)
        }
        _ => blocking(),
    }
}

impl SchemaRegistry for EmbeddedRegistry {
    fn register<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<u32, RegistryError>> {
        Box::pin(async move { self.register_now(subject, schema) })
    }

    fn lookup<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        Box::pin(async move { self.find_schema(subject, schema, false) })
    }

    fn schema_by_id(&self, id: u32) -> BoxFuture<'_, Result<String, RegistryError>> {
        Box::pin(async move { self.lock().schema_by_id(id) })
    }

    fn subjects(&self) -> BoxFuture<'_, Result<Vec<String>, RegistryError>> {
        Box::pin(async move { Ok(self.subject_names(false)) })
    }

    fn versions<'a>(&'a self, subject: &'a str) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        Box::pin(async move { self.subject_versions(subject, false) })
    }

    fn version<'a>(
        &'a self,
        subject: &'a str,
        version: Version,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        Box::pin(async move { self.subject_version(subject, version, false) })
    }

    fn check_compatibility<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<CompatibilityReport, RegistryError>> {
        Box::pin(async move { self.check_against(subject, schema, None) })
    }

    fn level<'a>(
        &'a self,
        subject: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Level, RegistryError>> {
        Box::pin(async move {
            let state = self.lock();
            Ok(match subject {
                Some(subject) => state.effective_level(subject),
                None => state.level,
            })
        })
    }

    fn set_level<'a>(
        &'a self,
        subject: Option<&'a str>,
        level: Level,
    ) -> BoxFuture<'a, Result<(), RegistryError>> {
        Box::pin(async move {
            self.write(|state| {
                state.set_level(subject, level);
                Ok(((), true))
            })
        })
    }

    fn delete_subject<'a>(
        &'a self,
        subject: &'a str,
        permanent: bool,
    ) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        Box::pin(async move {
            self.write(|state| state.delete_subject(subject, permanent).map(|v| (v, true)))
        })
    }
}
