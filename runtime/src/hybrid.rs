//! [`HybridEventBus`]: one bus for local handlers and Kafka (feature
//! `kafka`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::bus::EventBus;
use crate::catalog::Catalog;
use crate::kafka::{KafkaConfig, KafkaError, KafkaEventBridge, KafkaHealth};

/// How the Kafka side of a [`HybridEventBus`] is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HybridHealth {
    /// Whether Kafka is configured at all (false: local only).
    pub kafka_configured: bool,
    /// Whether the consumers have started (they need the broker once).
    pub consuming: bool,
    /// Producer health: online or spooling, spool depth, in flight.
    pub producer: Option<KafkaHealth>,
}

/// A bus whose events reach local handlers at once and, when Kafka is
/// configured, the topic of their context; events from Kafka reach the
/// same handlers.
///
/// Local delivery never depends on the broker. Until the broker has
/// answered once, and from the moment an outage is noticed (librdkafka
/// reports every broker down, or a delivery fails), events bound for Kafka
/// go to a durable spool before `publish` returns; events librdkafka held
/// when the outage began are purged into the spool too. Once the broker is
/// back the spool is sent in order, then events go straight to librdkafka
/// again. Consumers start as soon as the broker answers and drop
/// duplicates by event id, so handlers see every event once.
///
/// What is not covered: a process that dies in the moments between a
/// broker failing and the outage being noticed loses the events librdkafka
/// held in memory then (at most `message.timeout.ms` worth). Call
/// [`shutdown`](Self::shutdown) (or [`flush`](Self::flush)) before exiting;
/// dropping the bus instead spools what is undelivered, waiting up to half a
/// second.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(catalog: &'static schemabus_runtime::Catalog) -> Result<(), schemabus_runtime::kafka::KafkaError> {
/// use schemabus_runtime::hybrid::HybridEventBus;
///
/// // Kafka when KAFKA_BOOTSTRAP_SERVERS is set, local-only otherwise.
/// let bus = HybridEventBus::from_env(catalog).await?;
/// // subscribe and publish as on any EventBus: `bus.subscribe(..)`, `bus.publish(event).await`
/// println!("{:?}", bus.health());
/// bus.shutdown().await?;
/// # Ok(()) }
/// ```
pub struct HybridEventBus {
    bus: EventBus,
    bridge: Option<Arc<KafkaEventBridge>>,
    connector: Option<JoinHandle<()>>,
    consuming: Arc<AtomicBool>,
}

impl std::fmt::Debug for HybridEventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HybridEventBus")
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for HybridEventBus {
    type Target = EventBus;

    fn deref(&self) -> &EventBus {
        &self.bus
    }
}

impl HybridEventBus {
    /// A local-only bus: no Kafka.
    pub fn local(bus: &EventBus) -> Self {
        HybridEventBus {
            bus: bus.clone(),
            bridge: None,
            connector: None,
            consuming: Arc::default(),
        }
    }

    /// `bus` bridged to Kafka for every event of `catalog`. Returns at once:
    /// outbound events are spooled until the broker answers, and the
    /// consumers start in the background as soon as it does. Must be called
    /// inside a tokio runtime.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] for settings librdkafka rejects,
    /// [`KafkaError::Spool`] when the spool cannot be opened.
    pub async fn connect(
        bus: &EventBus,
        config: KafkaConfig,
        catalog: &'static Catalog,
    ) -> Result<Self, KafkaError> {
        let bridge = Arc::new(KafkaEventBridge::new(bus, config, catalog)?);
        bridge.bridge_outbound_all().await;
        let consuming = Arc::new(AtomicBool::new(false));
        let connector = {
            let bridge = Arc::clone(&bridge);
            let consuming = Arc::clone(&consuming);
            tokio::spawn(async move {
                while bridge.bridge_all().await.is_err() {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                consuming.store(true, Ordering::SeqCst);
            })
        };
        Ok(HybridEventBus {
            bus: bus.clone(),
            bridge: Some(bridge),
            connector: Some(connector),
            consuming,
        })
    }

    /// Kafka per [`KafkaConfig::from_env`] when `KAFKA_BOOTSTRAP_SERVERS` is
    /// set, a local-only bus otherwise.
    ///
    /// # Errors
    ///
    /// As [`KafkaConfig::from_env`] and [`connect`](Self::connect).
    pub async fn from_env(catalog: &'static Catalog) -> Result<Self, KafkaError> {
        let bus = EventBus::new();
        if std::env::var_os("KAFKA_BOOTSTRAP_SERVERS").is_none() {
            return Ok(Self::local(&bus));
        }
        let config = KafkaConfig::from_env()?;
        Self::connect(&bus, config, catalog).await
    }

    /// The local bus.
    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    /// The bridge to Kafka, when configured.
    pub fn bridge(&self) -> Option<&KafkaEventBridge> {
        self.bridge.as_deref()
    }

    /// Whether Kafka is configured, consumers run, and the producer's state.
    pub fn health(&self) -> HybridHealth {
        HybridHealth {
            kafka_configured: self.bridge.is_some(),
            consuming: self.consuming.load(Ordering::SeqCst),
            producer: self.bridge.as_ref().map(|b| b.health()),
        }
    }

    /// Waits until every event bound for Kafka is acknowledged, up to
    /// `timeout`; returns how many are still outstanding (0 without Kafka).
    pub async fn flush(&self, timeout: Duration) -> u64 {
        match &self.bridge {
            Some(bridge) => bridge.flush(timeout).await,
            None => 0,
        }
    }

    /// Stops the Kafka side (see [`KafkaEventBridge::shutdown`]); the local
    /// bus keeps working.
    ///
    /// # Errors
    ///
    /// As [`KafkaEventBridge::shutdown`].
    pub async fn shutdown(mut self) -> Result<(), KafkaError> {
        if let Some(connector) = self.connector.take() {
            connector.abort();
            let _ = connector.await;
        }
        match self.bridge.take().map(Arc::try_unwrap) {
            Some(Ok(bridge)) => bridge.shutdown().await,
            // The connector, the only other owner, has ended above.
            Some(Err(_)) => Err(KafkaError::Shutdown),
            None => Ok(()),
        }
    }
}
