//! [`SchemaIds`]: the schema ids of the Avro wire format, from the
//! configured registry, and the writer schemas of consumed records.
//!
//! Producers register each event's schema under its subject (or look it up,
//! or take the subject's latest version, as configured) the first time they
//! send that type to a topic; consumers fetch the writer schema of each id
//! they meet the first time. Both are cached: after warm-up no message
//! makes a registry call.
//!
//! Without `schema_registry_url` the registry is the embedded one: one per
//! process, in memory (its ids derive from the schemas, so processes built
//! from the same schemas agree on them), or in `schema_registry_dir` (one
//! process at a time). Processes that exchange Avro records written with
//! different schema versions need a shared registry: a URL, for example
//! `schemabus registry serve`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::bus::BusEvent;
use crate::catalog::EventType;
use crate::codec::resolve::Resolver;
use crate::registry::{
    CachedRegistry, EmbeddedRegistry, RegistryError, SchemaRegistry, SubjectNameStrategy, Version,
};

use super::config::KafkaConfig;

/// Schema ids and writer schemas for the Kafka pieces, cached.
///
/// One is built from the [`KafkaConfig`] by every producer and consumer;
/// build one yourself with [`SchemaIds::new`] to share a registry (any
/// [`SchemaRegistry`]) between them.
#[derive(Debug)]
pub struct SchemaIds {
    registry: Arc<CachedRegistry>,
    route: Route,
    /// Event type → (topic, id), however the id was obtained.
    ids: Mutex<HashMap<&'static str, Vec<(String, u32)>>>,
    resolver: Resolver,
}

/// How producers get an id for their schema.
#[derive(Clone, Copy, Debug)]
struct Route {
    strategy: SubjectNameStrategy,
    auto_register: bool,
    use_latest: bool,
}

/// The process's embedded registries: in memory (`None`) or by directory,
/// shared by every producer and consumer of the process.
fn embedded(dir: Option<&PathBuf>) -> Result<Arc<EmbeddedRegistry>, RegistryError> {
    static REGISTRIES: OnceLock<Mutex<HashMap<Option<PathBuf>, Arc<EmbeddedRegistry>>>> =
        OnceLock::new();
    let mut registries = REGISTRIES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(registry) = registries.get(&dir.cloned()) {
        return Ok(Arc::clone(registry));
    }
    let registry = Arc::new(match dir {
        Some(dir) => EmbeddedRegistry::open(dir)?,
        None => EmbeddedRegistry::in_memory_with_stable_ids(),
    });
    registries.insert(dir.cloned(), Arc::clone(&registry));
    Ok(registry)
}

/// Runs `call` on the registry runtime — an HTTP client needs a tokio
/// reactor, whatever its caller runs on — and awaits it from anywhere.
async fn on_runtime<T: Send + 'static>(
    call: impl std::future::Future<Output = Result<T, RegistryError>> + Send + 'static,
) -> Result<T, RegistryError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    let runtime = RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("schemabus-registry")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| RegistryError::Transport {
            url: String::new(),
            message: format!("cannot start the registry runtime: {e}"),
        })?;
    runtime
        .spawn(call)
        .await
        .map_err(|e| RegistryError::Transport {
            url: String::new(),
            message: format!("registry call failed: {e}"),
        })?
}

impl SchemaIds {
    /// Ids from `registry`, with `config`'s subject strategy and
    /// registration settings.
    pub fn new(registry: Arc<dyn SchemaRegistry>, config: &KafkaConfig) -> Self {
        Self {
            registry: Arc::new(CachedRegistry::new(registry)),
            route: Route {
                strategy: config.subject_name_strategy,
                auto_register: config.auto_register_schemas,
                use_latest: config.use_latest_version,
            },
            ids: Mutex::default(),
            resolver: Resolver::new(),
        }
    }

    /// The registry `config` names: HTTP at `schema_registry_url`, or the
    /// process's embedded one.
    ///
    /// # Errors
    ///
    /// As [`KafkaConfig::http_registry`] (a URL this build cannot serve,
    /// malformed `user:password`, unusable TLS files), or an embedded
    /// registry directory that cannot be read.
    pub fn from_config(config: &KafkaConfig) -> Result<Self, RegistryError> {
        let registry: Arc<dyn SchemaRegistry> = match config.http_registry()? {
            Some(http) => Arc::new(http),
            None => embedded(config.schema_registry_dir.as_ref())?,
        };
        Ok(Self::new(registry, config))
    }

    /// The registry behind the caches.
    pub fn registry(&self) -> &CachedRegistry {
        &self.registry
    }

    /// The resolver for records written with other schemas.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The subject of `event_type` on `topic`.
    pub fn subject(&self, topic: &str, event_type: &str) -> String {
        self.route.strategy.subject(topic, event_type)
    }

    /// The schema id of `event` on `topic`, from the cache or the registry.
    ///
    /// # Errors
    ///
    /// The registry's: the schema is incompatible with the subject, not
    /// registered (with auto-registration off), or the registry is down.
    pub async fn id(&self, topic: &str, event: &dyn BusEvent) -> Result<u32, RegistryError> {
        self.id_of(topic, event.event_type(), event.schema_json())
            .await
    }

    /// [`id`](Self::id) for callers that cannot await: answers from the
    /// cache, or blocks the thread until the registry answered (once per
    /// event type and topic). On a multi-threaded tokio runtime the worker
    /// hands its other tasks off while it waits; a current-thread runtime
    /// cannot wait without stopping everything it runs, so there an id not
    /// cached yet is an error (call [`warm_up`](Self::warm_up) first).
    ///
    /// # Errors
    ///
    /// As [`id`](Self::id), and [`RegistryError::Transport`] on a
    /// current-thread runtime when the id is not cached.
    pub fn id_blocking(&self, topic: &str, event: &dyn BusEvent) -> Result<u32, RegistryError> {
        if let Some(id) = self.cached(topic, event.event_type()) {
            return Ok(id);
        }
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Err(_) => futures_executor::block_on(self.id(topic, event)),
            Ok(tokio::runtime::RuntimeFlavor::CurrentThread) => Err(RegistryError::Transport {
                url: String::new(),
                message: format!(
                    "the schema id of `{}` is not cached and a current-thread runtime cannot wait \
                     for the registry; warm the ids up first (SchemaIds::warm_up)",
                    event.event_type()
                ),
            }),
            Ok(_) => {
                tokio::task::block_in_place(|| futures_executor::block_on(self.id(topic, event)))
            }
        }
    }

    /// Fetches the ids of `types` (each on its topic) now, so the first
    /// messages do not wait for the registry.
    ///
    /// # Errors
    ///
    /// The first registry error.
    pub async fn warm_up<'a>(
        &self,
        types: impl IntoIterator<Item = (&'a str, &'static EventType)>,
    ) -> Result<(), RegistryError> {
        for (topic, event_type) in types {
            self.id_of(topic, event_type.name, event_type.schema_json)
                .await?;
        }
        Ok(())
    }

    async fn id_of(
        &self,
        topic: &str,
        event_type: &'static str,
        schema: &'static str,
    ) -> Result<u32, RegistryError> {
        if let Some(id) = self.cached(topic, event_type) {
            return Ok(id);
        }
        let subject = self.subject(topic, event_type);
        let (registry, route) = (Arc::clone(&self.registry), self.route);
        let id =
            on_runtime(async move { fetch_id(&registry, route, &subject, schema).await }).await?;
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        ids.entry(event_type)
            .or_default()
            .push((topic.to_owned(), id));
        Ok(id)
    }

    /// The schema registered as `id` (a consumed record's writer schema).
    ///
    /// # Errors
    ///
    /// [`RegistryError::SchemaNotFound`] and transport errors.
    pub async fn writer_schema(&self, id: u32) -> Result<Arc<str>, RegistryError> {
        if let Some(schema) = self.registry.cached_schema(id) {
            return Ok(schema);
        }
        let registry = Arc::clone(&self.registry);
        let schema = on_runtime(async move { registry.schema_by_id(id).await }).await?;
        Ok(Arc::from(schema))
    }

    fn cached(&self, topic: &str, event_type: &str) -> Option<u32> {
        let ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        // No key to allocate on the hot path: a type is on one topic or few.
        ids.get(event_type)?
            .iter()
            .find(|(t, _)| t == topic)
            .map(|(_, id)| *id)
    }
}

/// The id by the configured route: latest version, registration, or lookup.
async fn fetch_id(
    registry: &CachedRegistry,
    route: Route,
    subject: &str,
    schema: &str,
) -> Result<u32, RegistryError> {
    if route.use_latest {
        let latest = registry.version(subject, Version::Latest).await?;
        let ours = match registry.lookup(subject, schema).await {
            Ok(found) => Some(found),
            Err(RegistryError::SchemaNotFound(_) | RegistryError::SubjectNotFound(_)) => None,
            Err(e) => return Err(e),
        };
        return match ours {
            Some(found) if found.version == latest.version => Ok(latest.id),
            _ => Err(RegistryError::Incompatible {
                subject: subject.to_owned(),
                messages: vec![format!(
                    "use_latest_version: version {} of `{subject}` is not the schema this program was built with",
                    latest.version
                )],
            }),
        };
    }
    if route.auto_register {
        registry.register(subject, schema).await
    } else {
        Ok(registry.lookup(subject, schema).await?.id)
    }
}
