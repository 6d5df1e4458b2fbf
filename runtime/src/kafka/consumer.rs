//! Consuming events into a bus: [`EventConsumer`] for the topics of some
//! contexts, [`MultiContextConsumer`] for several at once.
//!
//! What a consumer guarantees:
//!
//! - **At-least-once**: a message's offset is stored only after its
//!   handlers ran (or it went to the dead-letter topic); stored offsets are
//!   committed in the background, before partitions are revoked in a
//!   rebalance, and at shutdown.
//! - **Order per aggregate**: messages are keyed by aggregate id, so one
//!   aggregate's events share a partition, and each consumer handles its
//!   messages one at a time, in partition order.
//! - **Retries, then dead letters**: when a handler fails, the event is
//!   delivered again after [`KafkaConfig::retry_backoff_ms`], doubling each
//!   time, up to [`KafkaConfig::max_attempts`] attempts; then the message goes
//!   to `<topic>.dlq` with the error, the original topic, partition and
//!   offset and the attempt count in headers, and the consumer moves on.
//!   Messages that do not decode go to the dead-letter topic at once; so do
//!   events of a type the catalog does not know (a newer producer) when the
//!   consumer takes every type — consumers of chosen types skip them.
//!   Replays neither commit nor dead-letter.
//!   A retry delivers the event to all its handlers again.
//! - **No duplicates**: an event whose id is among the last
//!   [`KafkaConfig::dedup_window`] handled is skipped.
//! - **Loop-free**: while a consumed event is delivered, the bridge does not
//!   produce it again (events its handlers publish are produced as usual),
//!   and a bridge's consumers skip the records it produced itself (their
//!   `ce_origin` header is its client id): its bus delivered them already.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rdkafka::consumer::Consumer;
use rdkafka::Offset;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::bus::EventBus;
use crate::catalog::Catalog;
use crate::topic::TopicMapper;

use super::client::{Client, Recipe};
use super::config::KafkaConfig;
use super::dedup::DedupWindow;
use super::dlq::DeadLetters;
use super::error::KafkaError;
use super::metrics::{KafkaMetrics, KafkaTypeMetrics};
use super::schemas::SchemaIds;
use super::worker::Worker;

/// Where a consumer starts reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StartFrom {
    /// The group's committed offsets (the earliest offset without one):
    /// normal consumption, as a member of the consumer group.
    #[default]
    Committed,
    /// Replay every partition from its earliest offset.
    Beginning,
    /// Replay every partition from this offset.
    Offset(i64),
    /// Replay every partition from the first message at or after this time.
    Timestamp(DateTime<Utc>),
}

impl StartFrom {
    pub(crate) fn is_replay(self) -> bool {
        self != StartFrom::Committed
    }
}

/// Which event types a consumer delivers (others are skipped, their offsets
/// stored); shared so a bridge can widen it while the consumer runs.
#[derive(Clone, Default)]
pub(crate) struct TypeFilter(Arc<RwLock<Option<HashSet<&'static str>>>>);

impl TypeFilter {
    pub(crate) fn all() -> Self {
        TypeFilter::default()
    }

    pub(crate) fn only(types: impl IntoIterator<Item = &'static str>) -> Self {
        TypeFilter(Arc::new(RwLock::new(Some(types.into_iter().collect()))))
    }

    pub(crate) fn add(&self, event_type: &'static str) {
        if let Some(set) = self.0.write().unwrap_or_else(|p| p.into_inner()).as_mut() {
            set.insert(event_type);
        }
    }

    pub(crate) fn allow_all(&self) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub(crate) fn accepts(&self, event_type: &str) -> bool {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_none_or(|set| set.contains(event_type))
    }
}

/// Consumes the topics of some bounded contexts and publishes each event on
/// a bus.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(catalog: &'static schemabus_runtime::Catalog) -> Result<(), schemabus_runtime::kafka::KafkaError> {
/// use schemabus_runtime::bus::EventBus;
/// use schemabus_runtime::kafka::{EventConsumer, KafkaConfig};
///
/// let bus = EventBus::new();
/// let consumer = EventConsumer::new(KafkaConfig::from_env()?, catalog, &bus)
///     .add_context("debate")
///     .start()
///     .await?;
/// // ... handlers on `bus` receive the debate context's events ...
/// consumer.shutdown().await?;
/// # Ok(()) }
/// ```
pub struct EventConsumer {
    config: KafkaConfig,
    catalog: &'static Catalog,
    bus: EventBus,
    topics: Vec<String>,
    group: String,
    start: StartFrom,
    filter: TypeFilter,
    metrics: Arc<KafkaMetrics>,
    skip_origin: Option<String>,
    /// Contexts added that the catalog does not have: `start` refuses them.
    unknown_contexts: Vec<String>,
}

impl std::fmt::Debug for EventConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventConsumer")
            .field("topics", &self.topics)
            .field("group", &self.group)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

impl EventConsumer {
    /// A consumer in the configured group that publishes on `bus`; add
    /// contexts or topics before [`start`](Self::start).
    pub fn new(config: KafkaConfig, catalog: &'static Catalog, bus: &EventBus) -> Self {
        let metrics = Arc::new(KafkaMetrics::new(catalog));
        EventConsumer {
            group: config.consumer_group.clone(),
            config,
            catalog,
            bus: bus.clone(),
            topics: Vec::new(),
            start: StartFrom::Committed,
            filter: TypeFilter::all(),
            metrics,
            skip_origin: None,
            unknown_contexts: Vec::new(),
        }
    }

    /// Also consumes every topic the events of `context` go to.
    #[must_use]
    pub fn add_context(mut self, context: &str) -> Self {
        let mapper = self.config.topic_mapper(self.catalog);
        let topics = mapper.topics_of(context);
        if topics.is_empty() {
            self.unknown_contexts.push(context.to_owned());
        }
        for topic in topics {
            if !self.topics.contains(&topic) {
                self.topics.push(topic);
            }
        }
        self
    }

    /// Also consumes `topic`.
    #[must_use]
    pub fn add_topic(mut self, topic: impl Into<String>) -> Self {
        let topic = topic.into();
        if !self.topics.contains(&topic) {
            self.topics.push(topic);
        }
        self
    }

    /// Joins `group` instead of the configured one.
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self
    }

    /// Where to start (default: the group's committed offsets). Any other
    /// choice replays: the consumer reads every partition itself, outside
    /// the group, and commits nothing.
    #[must_use]
    pub fn start_from(mut self, start: StartFrom) -> Self {
        self.start = start;
        self
    }

    pub(crate) fn with_filter(mut self, filter: TypeFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Skips records whose `ce_origin` is `origin`: a bridge's own events,
    /// which its bus delivered when they were published.
    pub(crate) fn skipping_origin(mut self, origin: &str) -> Self {
        self.skip_origin = Some(origin.to_owned());
        self
    }

    pub(crate) fn with_metrics(mut self, metrics: Arc<KafkaMetrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Creates the topics (and their dead-letter topics) if needed, joins
    /// the group or seeks the replay position, and starts consuming on the
    /// current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`KafkaError::UnknownContext`] for a context the catalog does not
    /// have, [`KafkaError::NothingToConsume`] without contexts or topics,
    /// [`KafkaError::Client`] when the broker cannot be reached or refuses.
    pub async fn start(self) -> Result<ConsumerHandle, KafkaError> {
        if let Some(context) = self.unknown_contexts.first() {
            return Err(KafkaError::UnknownContext(context.clone()));
        }
        if self.topics.is_empty() {
            return Err(KafkaError::NothingToConsume);
        }
        let mut all: Vec<String> = self.topics.clone();
        all.extend(self.topics.iter().map(|t| TopicMapper::dlq(t)));
        super::admin::ensure_topics(&self.config, &all).await?;
        let client = Client::connect(Recipe {
            config: self.config.consumer_config(&self.group),
            servers: self.config.bootstrap_servers.clone(),
            topics: self.topics.clone(),
            start: self.start,
        })
        .await?;
        let (stop, stopped) = watch::channel(false);
        let worker = Worker {
            client: Arc::clone(&client),
            catalog: self.catalog,
            bus: self.bus,
            dead_letters: DeadLetters::new(&self.config)?,
            schemas: SchemaIds::from_config(&self.config)?,
            dedup: DedupWindow::new(self.config.dedup_window),
            filter: self.filter,
            metrics: Arc::clone(&self.metrics),
            max_attempts: self.config.max_attempts.max(1),
            backoff: Duration::from_millis(u64::from(self.config.retry_backoff_ms)),
            commit: !self.start.is_replay(),
            skip_origin: self.skip_origin,
            not_before: match self.start {
                StartFrom::Timestamp(t) => Some(t.timestamp_millis()),
                _ => None,
            },
            stopped,
        };
        Ok(ConsumerHandle {
            client,
            topics: self.topics,
            metrics: self.metrics,
            stop,
            task: tokio::spawn(worker.run()),
        })
    }
}

/// Lag of one assigned partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionLag {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The consumer's position (next offset to read), if it has one.
    pub position: Option<i64>,
    /// The partition's end offset.
    pub end: i64,
    /// Messages not yet read: `end - position`.
    pub lag: i64,
}

/// A running consumer.
pub struct ConsumerHandle {
    client: Arc<Client>,
    topics: Vec<String>,
    metrics: Arc<KafkaMetrics>,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), KafkaError>>,
}

impl std::fmt::Debug for ConsumerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumerHandle")
            .field("topics", &self.topics)
            .finish_non_exhaustive()
    }
}

impl ConsumerHandle {
    /// The topics consumed.
    pub fn topics(&self) -> &[String] {
        &self.topics
    }

    /// The partitions currently assigned to this consumer.
    pub fn assignment(&self) -> Vec<(String, i32)> {
        self.client
            .get()
            .and_then(|c| c.assignment().ok())
            .map(|tpl| {
                tpl.elements()
                    .iter()
                    .map(|e| (e.topic().to_owned(), e.partition()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Counters per event type.
    pub fn metrics(&self) -> std::collections::BTreeMap<&'static str, KafkaTypeMetrics> {
        self.metrics.snapshot()
    }

    /// Lag of every assigned partition (asks the broker, up to `timeout`
    /// per partition, on a blocking thread).
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] when the broker does not answer.
    pub async fn lag(&self, timeout: Duration) -> Result<Vec<PartitionLag>, KafkaError> {
        let client = Arc::clone(&self.client);
        tokio::task::spawn_blocking(move || partition_lag(&client, timeout))
            .await
            .map_err(|_| KafkaError::Shutdown)?
    }

    /// The last error the consumer reported (a broker going away, a topic
    /// deleted, an authorization failure), if any.
    pub fn last_error(&self) -> Option<String> {
        self.client.last_error()
    }

    /// Whether the consumer has a live client: false from the moment every
    /// broker went away until a fresh client connected again.
    pub fn is_connected(&self) -> bool {
        self.client.get().is_some()
    }

    /// Whether the consumer loop is still running.
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }

    /// Stops fetching, lets the message being handled finish, commits what
    /// was handled and leaves the group.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Shutdown`] if the consumer task panicked.
    pub async fn shutdown(self) -> Result<(), KafkaError> {
        let _ = self.stop.send(true);
        self.task.await.map_err(|_| KafkaError::Shutdown)?
    }
}

fn partition_lag(client: &Client, timeout: Duration) -> Result<Vec<PartitionLag>, KafkaError> {
    let Some(consumer) = client.get() else {
        return Ok(Vec::new());
    };
    let position = consumer.position()?;
    let mut out = Vec::new();
    for e in position.elements() {
        let (low, end) = consumer.fetch_watermarks(e.topic(), e.partition(), timeout)?;
        let position = match e.offset() {
            Offset::Offset(o) => Some(o),
            _ => None,
        };
        out.push(PartitionLag {
            topic: e.topic().to_owned(),
            partition: e.partition(),
            position,
            end,
            lag: end - position.unwrap_or(low),
        });
    }
    Ok(out)
}

/// Several consumers running in parallel, one per context (the original
/// API's `add_context`).
///
/// # Examples
///
/// ```no_run
/// # async fn demo(catalog: &'static schemabus_runtime::Catalog) -> Result<(), schemabus_runtime::kafka::KafkaError> {
/// use schemabus_runtime::bus::EventBus;
/// use schemabus_runtime::kafka::{KafkaConfig, MultiContextConsumer};
///
/// let bus = EventBus::new();
/// let mut consumers = MultiContextConsumer::new(KafkaConfig::from_env()?, catalog, &bus);
/// consumers.add_context("debate").add_context("implementation");
/// consumers.start().await?;
/// consumers.shutdown().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MultiContextConsumer {
    config: KafkaConfig,
    catalog: &'static Catalog,
    bus: EventBus,
    contexts: Vec<String>,
    running: Vec<ConsumerHandle>,
}

impl MultiContextConsumer {
    /// No contexts yet; events go to `bus`.
    pub fn new(config: KafkaConfig, catalog: &'static Catalog, bus: &EventBus) -> Self {
        MultiContextConsumer {
            config,
            catalog,
            bus: bus.clone(),
            contexts: Vec::new(),
            running: Vec::new(),
        }
    }

    /// Adds a context to consume.
    pub fn add_context(&mut self, context: &str) -> &mut Self {
        if !self.contexts.iter().any(|c| c == context) {
            self.contexts.push(context.to_owned());
        }
        self
    }

    /// Starts one consumer per context not yet running.
    ///
    /// # Errors
    ///
    /// The first consumer that failed to start (those started keep running).
    pub async fn start(&mut self) -> Result<(), KafkaError> {
        let started: Vec<String> = self.running.iter().flat_map(|h| h.topics.clone()).collect();
        for context in &self.contexts {
            let consumer = EventConsumer::new(self.config.clone(), self.catalog, &self.bus)
                .add_context(context);
            if !consumer.topics.is_empty() && consumer.topics.iter().all(|t| started.contains(t)) {
                continue;
            }
            self.running.push(consumer.start().await?);
        }
        Ok(())
    }

    /// The running consumers.
    pub fn consumers(&self) -> &[ConsumerHandle] {
        &self.running
    }

    /// Shuts every consumer down (in parallel).
    ///
    /// # Errors
    ///
    /// The first error of any consumer.
    pub async fn shutdown(&mut self) -> Result<(), KafkaError> {
        let handles = std::mem::take(&mut self.running);
        let results =
            futures_util::future::join_all(handles.into_iter().map(ConsumerHandle::shutdown)).await;
        results.into_iter().collect()
    }
}
