//! [`KafkaEventBridge`]: connects a local [`EventBus`] to Kafka in both
//! directions.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::bus::{EventBus, HandlerError, Subscription};
use crate::catalog::Catalog;
use crate::event::DomainEvent;

use super::config::KafkaConfig;
use super::consumer::{ConsumerHandle, EventConsumer, PartitionLag, TypeFilter};
use super::error::KafkaError;
use super::metrics::{KafkaMetrics, KafkaTypeMetrics};
use super::outbox::{KafkaHealth, Outbox};
use super::worker::is_inbound;

/// Name of the bus handlers that produce to Kafka.
const OUTBOUND_HANDLER: &str = "kafka-bridge";
/// The outbound handlers run before every other handler, so an event
/// reaches its topic before the events its handlers publish in response.
const OUTBOUND_PRIORITY: i32 = i32::MAX;

/// What a bridge has done, per event type and per partition.
#[derive(Clone, Debug, Default)]
pub struct BridgeMetrics {
    /// Event types bridged to or from Kafka, sorted.
    pub bridged_types: Vec<&'static str>,
    /// Consumers running.
    pub active_consumers: usize,
    /// Produced, consumed, failed and dead-lettered counts per type.
    pub per_type: BTreeMap<&'static str, KafkaTypeMetrics>,
    /// Lag of every partition the bridge's consumers are assigned (empty
    /// when the broker did not answer in time).
    pub lag: Vec<PartitionLag>,
    /// Producer health and spool depth.
    pub health: Option<KafkaHealth>,
}

#[derive(Default)]
struct State {
    /// `Some` once `bridge_all` has subscribed the catch-all handler.
    outbound_all: Option<Subscription>,
    outbound: HashMap<&'static str, Subscription>,
    bridged: BTreeSet<&'static str>,
    /// One consumer per topic, with the types it delivers.
    inbound: BTreeMap<String, (ConsumerHandle, TypeFilter)>,
    inbound_all: bool,
}

/// Local events to Kafka, Kafka events to local handlers, without loops.
///
/// Events produced by the bridge carry their origin, the client id, in the
/// `ce_origin` header; its consumers skip records of its own origin (the
/// bus delivered them when they were published), so give every service its
/// own [`KafkaConfig::client_id`]. Events it consumes are delivered on the
/// bus but never produced again, while the events their handlers publish
/// are. While the broker is
/// unreachable, outbound events wait in a spool (see
/// [`KafkaConfig::spool_dir`]) and are sent in order once it is back.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(catalog: &'static schemabus_runtime::Catalog) -> Result<(), schemabus_runtime::kafka::KafkaError> {
/// use schemabus_runtime::bus::EventBus;
/// use schemabus_runtime::kafka::{KafkaConfig, KafkaEventBridge};
///
/// let bus = EventBus::new();
/// let bridge = KafkaEventBridge::new(&bus, KafkaConfig::from_env()?, catalog)?;
/// bridge.bridge_all().await?;
/// println!("{:?}", bridge.metrics().await.per_type);
/// bridge.shutdown().await?;
/// # Ok(()) }
/// ```
pub struct KafkaEventBridge {
    bus: EventBus,
    config: KafkaConfig,
    catalog: &'static Catalog,
    outbox: Arc<Outbox>,
    metrics: Arc<KafkaMetrics>,
    state: tokio::sync::Mutex<State>,
}

impl std::fmt::Debug for KafkaEventBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaEventBridge")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl KafkaEventBridge {
    /// A bridge between `bus` and the broker of `config`; nothing is bridged
    /// until [`bridge`](Self::bridge) or [`bridge_all`](Self::bridge_all).
    /// Does not need the broker to be reachable.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] for settings librdkafka rejects,
    /// [`KafkaError::Spool`] when the spool cannot be opened.
    pub fn new(
        bus: &EventBus,
        config: KafkaConfig,
        catalog: &'static Catalog,
    ) -> Result<Self, KafkaError> {
        let metrics = Arc::new(KafkaMetrics::new(catalog));
        Ok(KafkaEventBridge {
            outbox: Outbox::new(&config, catalog, Arc::clone(&metrics))?,
            bus: bus.clone(),
            config,
            catalog,
            metrics,
            state: tokio::sync::Mutex::new(State::default()),
        })
    }

    /// The bus this bridge serves.
    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    fn outbound_handler(
        &self,
    ) -> impl Fn(&crate::bus::SharedEvent) -> Result<(), HandlerError> + Send + Sync + 'static {
        let outbox = Arc::clone(&self.outbox);
        move |event| {
            if is_inbound(event.metadata().event_id) {
                return Ok(());
            }
            outbox.send(event.as_ref()).map_err(HandlerError::from)
        }
    }

    /// Bridges events of type `E`: local ones to Kafka when `to_kafka`,
    /// Kafka ones to local handlers when `from_kafka`. Bridging again
    /// changes nothing.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] when the consumer cannot start (the outbound
    /// side is set up regardless).
    pub async fn bridge<E: DomainEvent>(
        &self,
        to_kafka: bool,
        from_kafka: bool,
    ) -> Result<(), KafkaError> {
        let mut state = self.state.lock().await;
        if to_kafka || from_kafka {
            state.bridged.insert(E::EVENT_TYPE);
        }
        if to_kafka && state.outbound_all.is_none() && !state.outbound.contains_key(E::EVENT_TYPE) {
            let send = self.outbound_handler();
            let sub = self
                .bus
                .handler(OUTBOUND_HANDLER)
                .priority(OUTBOUND_PRIORITY)
                .on_context_sync(E::CONTEXT, move |event| {
                    if event.event_type() == E::EVENT_TYPE {
                        send(event)
                    } else {
                        Ok(())
                    }
                });
            state.outbound.insert(E::EVENT_TYPE, sub);
        }
        if from_kafka && !state.inbound_all {
            let topic = self
                .outbox
                .topics()
                .topic(E::EVENT_TYPE)
                .ok_or_else(|| KafkaError::UnknownEventType(E::EVENT_TYPE.to_owned()))?
                .to_owned();
            match state.inbound.get(&topic) {
                Some((_, filter)) => filter.add(E::EVENT_TYPE),
                None => {
                    let filter = TypeFilter::only([E::EVENT_TYPE]);
                    let handle = self.consumer(&topic, filter.clone()).await?;
                    state.inbound.insert(topic, (handle, filter));
                }
            }
        }
        Ok(())
    }

    /// Bridges every event of the catalog both ways: one handler produces
    /// every local event, one consumer per topic delivers Kafka's.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] when a consumer cannot start; calling again
    /// starts those still missing.
    pub async fn bridge_all(&self) -> Result<(), KafkaError> {
        self.bridge_outbound_all().await;
        let mut state = self.state.lock().await;
        state.inbound_all = true;
        for (_, filter) in state.inbound.values() {
            filter.allow_all();
        }
        for topic in self.outbox.topics().all_topics() {
            if let std::collections::btree_map::Entry::Vacant(slot) = state.inbound.entry(topic) {
                let filter = TypeFilter::all();
                let handle = self.consumer(slot.key(), filter.clone()).await?;
                slot.insert((handle, filter));
            }
        }
        Ok(())
    }

    /// The outbound half of [`bridge_all`](Self::bridge_all): every local
    /// event is produced. Needs no broker.
    pub(crate) async fn bridge_outbound_all(&self) {
        let mut state = self.state.lock().await;
        state
            .bridged
            .extend(self.catalog.types.iter().map(|t| t.name));
        if state.outbound_all.is_none() {
            // The catch-all first: an event published in between may go out
            // twice (consumers drop the copy), never not at all.
            let send = self.outbound_handler();
            state.outbound_all = Some(
                self.bus
                    .handler(OUTBOUND_HANDLER)
                    .priority(OUTBOUND_PRIORITY)
                    .on_all_sync(send),
            );
            for (_, sub) in state.outbound.drain() {
                self.bus.unsubscribe(sub);
            }
        }
    }

    async fn consumer(
        &self,
        topic: &str,
        filter: TypeFilter,
    ) -> Result<ConsumerHandle, KafkaError> {
        EventConsumer::new(self.config.clone(), self.catalog, &self.bus)
            .add_topic(topic)
            .with_filter(filter)
            .with_metrics(Arc::clone(&self.metrics))
            .skipping_origin(self.config.origin())
            .start()
            .await
    }

    /// How many of the bridge's consumers have a live client (see
    /// [`ConsumerHandle::is_connected`]).
    pub async fn consumers_connected(&self) -> usize {
        let state = self.state.lock().await;
        state
            .inbound
            .values()
            .filter(|(h, _)| h.is_connected())
            .count()
    }

    /// Producer health: online or spooling, spool depth, in flight.
    pub fn health(&self) -> KafkaHealth {
        self.outbox.health()
    }

    /// Produced, consumed, failed and dead-lettered counts per type: the
    /// cheap part of [`metrics`](Self::metrics).
    pub fn type_metrics(&self) -> BTreeMap<&'static str, KafkaTypeMetrics> {
        self.metrics.snapshot()
    }

    /// Counters per type, consumers, lag and health. Lag asks the broker
    /// (up to a second per partition, off the async runtime's threads).
    pub async fn metrics(&self) -> BridgeMetrics {
        let state = self.state.lock().await;
        let lags = state
            .inbound
            .values()
            .map(|(h, _)| h.lag(Duration::from_secs(1)));
        let lag = futures_util::future::join_all(lags)
            .await
            .into_iter()
            .flat_map(Result::unwrap_or_default)
            .collect();
        BridgeMetrics {
            bridged_types: state.bridged.iter().copied().collect(),
            active_consumers: state
                .inbound
                .values()
                .filter(|(h, _)| h.is_running())
                .count(),
            per_type: self.metrics.snapshot(),
            lag,
            health: Some(self.outbox.health()),
        }
    }

    /// Waits until every outbound event is acknowledged (nothing spooled or
    /// in flight), up to `timeout`; returns how many are still outstanding.
    pub async fn flush(&self, timeout: Duration) -> u64 {
        self.outbox.flush(timeout).await
    }

    /// Stops consuming, then producing: consumers finish the event in hand
    /// (events its handlers publish are still produced), commit and leave;
    /// then local events are no longer bridged, and undelivered ones stay in
    /// the spool for the next start.
    ///
    /// # Errors
    ///
    /// The first consumer that failed to shut down cleanly.
    pub async fn shutdown(self) -> Result<(), KafkaError> {
        let mut state = self.state.into_inner();
        let consumers = std::mem::take(&mut state.inbound)
            .into_values()
            .map(|(handle, _)| handle.shutdown());
        let result = futures_util::future::join_all(consumers)
            .await
            .into_iter()
            .collect::<Result<Vec<()>, _>>()
            .map(|_| ());
        if let Some(sub) = state.outbound_all.take() {
            self.bus.unsubscribe(sub);
        }
        for (_, sub) in state.outbound.drain() {
            self.bus.unsubscribe(sub);
        }
        let outbox = Arc::clone(&self.outbox);
        let timeout = Duration::from_millis(u64::from(self.config.message_timeout_ms).min(5_000));
        let _ = tokio::task::spawn_blocking(move || outbox.close(timeout)).await;
        result
    }
}
