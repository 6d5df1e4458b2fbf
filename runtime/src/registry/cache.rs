//! [`CachedRegistry`]: ids and schemas remembered, so messages need no
//! registry round trip after warm-up.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tokio::sync::OnceCell;

use super::{CompatibilityReport, RegistryError, SchemaRegistry, SubjectVersion, Version};
use crate::compat::Level;

/// Concurrent misses for one key wait on one request, and all get its
/// answer, error included.
type Flights<K, V> = Mutex<HashMap<K, Arc<OnceCell<Result<V, RegistryError>>>>>;

/// A registry with caches in front: schema by id, and id by subject and
/// schema — facts that never change once the registry has said them.
///
/// Concurrent misses for the same key make one request (the others await
/// it and share its answer, so k waiters of a registry that is down wait
/// one timeout, not k); a failed request is not cached, so the next call
/// tries again.
/// Everything else (versions, levels, deletes) goes straight through.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use schemabus_runtime::registry::{CachedRegistry, EmbeddedRegistry, SchemaRegistry};
///
/// # futures_executor::block_on(async {
/// let registry = CachedRegistry::new(Arc::new(EmbeddedRegistry::in_memory()));
/// let schema = r#"{"type":"record","name":"R","fields":[]}"#;
/// let id = registry.register("R", schema).await?;
/// assert_eq!(registry.register("R", schema).await?, id); // from the cache
/// assert_eq!(registry.misses(), 1);
/// assert_eq!(registry.cached_id("R", schema), Some(id));
/// # Ok::<(), schemabus_runtime::registry::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct CachedRegistry {
    inner: Arc<dyn SchemaRegistry>,
    schemas: Flights<u32, Arc<str>>,
    registered: Flights<(String, u64), u32>,
    looked_up: Flights<(String, u64), SubjectVersion>,
    misses: AtomicU64,
}

/// A hash of the schema text, the cache key beside the subject (a 2 KB
/// schema hashes in well under a microsecond; texts are compared by hash
/// only, which is safe at 64 bits for the handful of schemas a process has).
fn text_key(schema: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    schema.hash(&mut hasher);
    hasher.finish()
}

impl CachedRegistry {
    /// Caches in front of `inner`.
    pub fn new(inner: Arc<dyn SchemaRegistry>) -> Self {
        Self {
            inner,
            schemas: Mutex::default(),
            registered: Mutex::default(),
            looked_up: Mutex::default(),
            misses: AtomicU64::new(0),
        }
    }

    /// The registry behind the caches.
    pub fn inner(&self) -> &Arc<dyn SchemaRegistry> {
        &self.inner
    }

    /// How many calls reached the registry behind (cache misses).
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// The schema of `id` if it is cached — no I/O, no await.
    pub fn cached_schema(&self, id: u32) -> Option<Arc<str>> {
        known(&self.schemas, &id)
    }

    /// The id `subject` gave `schema` if it is cached (registered or
    /// looked up) — no I/O, no await.
    pub fn cached_id(&self, subject: &str, schema: &str) -> Option<u32> {
        let key = (subject.to_owned(), text_key(schema));
        known(&self.registered, &key).or_else(|| known(&self.looked_up, &key).map(|v| v.id))
    }

    /// Fetches through `flights[key]`: one request for concurrent misses,
    /// its answer for all of them.
    async fn through<K, V, F>(
        &self,
        flights: &Flights<K, V>,
        key: K,
        fetch: F,
    ) -> Result<V, RegistryError>
    where
        K: Hash + Eq + Clone,
        V: Clone,
        F: std::future::Future<Output = Result<V, RegistryError>>,
    {
        let cell = cell(flights, &key);
        // Only one caller's `fetch` runs; if that caller is cancelled, the
        // next waiter's runs instead.
        let result = cell
            .get_or_init(|| {
                self.misses.fetch_add(1, Ordering::Relaxed);
                fetch
            })
            .await;
        if result.is_err() {
            // Failures are not cached: the next call asks again. Removing
            // the cell also keeps ids read from hostile messages from
            // growing the map. (A caller that took the cell just before
            // shares the error: it asked while the request was failing.)
            let mut map = flights.lock().unwrap_or_else(PoisonError::into_inner);
            if map.get(&key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                map.remove(&key);
            }
        }
        result.clone()
    }
}

/// The cached value of `key`, without creating an entry.
fn known<K: Hash + Eq, V: Clone>(flights: &Flights<K, V>, key: &K) -> Option<V> {
    let map = flights.lock().unwrap_or_else(PoisonError::into_inner);
    map.get(key)
        .and_then(|cell| cell.get()?.as_ref().ok().cloned())
}

/// The flight cell for `key`, created if missing.
fn cell<K: Hash + Eq + Clone, V>(
    flights: &Flights<K, V>,
    key: &K,
) -> Arc<OnceCell<Result<V, RegistryError>>> {
    let mut map = flights.lock().unwrap_or_else(PoisonError::into_inner);
    match map.get(key) {
        Some(cell) => Arc::clone(cell),
        None => {
            let cell = Arc::new(OnceCell::new());
            map.insert(key.clone(), Arc::clone(&cell));
            cell
        }
    }
}

impl SchemaRegistry for CachedRegistry {
    fn register<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<u32, RegistryError>> {
        let key = (subject.to_owned(), text_key(schema));
        // The request is built only on a miss (the async block is lazy).
        let fetch = async move { self.inner.register(subject, schema).await };
        self.through(&self.registered, key, fetch).boxed()
    }

    fn lookup<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        let key = (subject.to_owned(), text_key(schema));
        let fetch = async move { self.inner.lookup(subject, schema).await };
        self.through(&self.looked_up, key, fetch).boxed()
    }

    fn schema_by_id(&self, id: u32) -> BoxFuture<'_, Result<String, RegistryError>> {
        async move {
            let fetch = async { self.inner.schema_by_id(id).await.map(Arc::<str>::from) };
            Ok(self.through(&self.schemas, id, fetch).await?.to_string())
        }
        .boxed()
    }

    fn subjects(&self) -> BoxFuture<'_, Result<Vec<String>, RegistryError>> {
        self.inner.subjects()
    }

    fn versions<'a>(&'a self, subject: &'a str) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        self.inner.versions(subject)
    }

    fn version<'a>(
        &'a self,
        subject: &'a str,
        version: Version,
    ) -> BoxFuture<'a, Result<SubjectVersion, RegistryError>> {
        self.inner.version(subject, version)
    }

    fn check_compatibility<'a>(
        &'a self,
        subject: &'a str,
        schema: &'a str,
    ) -> BoxFuture<'a, Result<CompatibilityReport, RegistryError>> {
        self.inner.check_compatibility(subject, schema)
    }

    fn level<'a>(
        &'a self,
        subject: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Level, RegistryError>> {
        self.inner.level(subject)
    }

    fn set_level<'a>(
        &'a self,
        subject: Option<&'a str>,
        level: Level,
    ) -> BoxFuture<'a, Result<(), RegistryError>> {
        self.inner.set_level(subject, level)
    }

    fn delete_subject<'a>(
        &'a self,
        subject: &'a str,
        permanent: bool,
    ) -> BoxFuture<'a, Result<Vec<u32>, RegistryError>> {
        // Ids stay valid after a delete; lookups by subject may not.
        self.looked_up
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(s, _), _| s != subject);
        self.registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(s, _), _| s != subject);
        self.inner.delete_subject(subject, permanent)
    }
}
