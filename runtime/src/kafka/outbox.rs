//! The outbound path of the bridge: events to Kafka, through the spool while
//! the broker is unreachable.
//!
//! States: **offline** (the start, and after any delivery failure or
//! "all brokers down"): every event is appended to the spool before
//! `send` returns. A health thread probes the broker; once it answers and
//! nothing older is still in librdkafka's hands, it drains the spool in
//! sequence order, waits for every acknowledgement and only then goes
//! **online**: events go straight to librdkafka. The switch happens under the
//! spool's lock, so no event overtakes one spooled before it.
//!
//! After an outage the librdkafka client that saw it is retired (its
//! undelivered messages are purged into the spool) and a fresh one is
//! created once a broker accepts connections: a broker that lost its state
//! (a restarted in-memory broker recreates topics under new ids) has made
//! librdkafka 2.12 clients with the old metadata crash.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::producer::{
    BaseRecord, DeliveryResult, Producer as _, ProducerContext, PurgeConfig, ThreadedProducer,
};
use rdkafka::{ClientContext, Message};

use crate::bus::BusEvent;
use crate::catalog::Catalog;
use crate::codec::wire::Format;
use crate::topic::TopicMapper;

use super::client::reachable;
use super::config::KafkaConfig;
use super::error::KafkaError;
use super::message::{self, ValueFormat};
use super::metrics::{bump, KafkaMetrics};
use super::producer::{format_of, send_waiting, value_format_blocking};
use super::schemas::SchemaIds;
use super::spool::{read_segments, RecordRef, Spool, SpoolRecord};

/// How often the health thread looks at the broker while offline.
const PROBE_INTERVAL: Duration = Duration::from_millis(200);

/// State shared with librdkafka's callbacks.
struct Shared {
    online: AtomicBool,
    /// Set when every broker went away or a delivery failed: the client
    /// that saw it is retired.
    outage: AtomicBool,
    spool: Mutex<Spool>,
    metrics: Arc<KafkaMetrics>,
    types: &'static Catalog,
    last_error: Mutex<Option<String>>,
}

impl Shared {
    fn spool(&self) -> MutexGuard<'_, Spool> {
        self.spool.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn go_offline(&self, why: String) {
        self.online.store(false, Ordering::SeqCst);
        self.outage.store(true, Ordering::SeqCst);
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
    }
}

/// Packs a sequence number and a catalog index into the delivery opaque.
/// (On 64-bit targets 48 bits of sequence; a 32-bit target keeps 16, so
/// spooled records could be drained out of order there.)
fn opaque(seq: u64, type_index: usize) -> usize {
    ((seq as usize) << 16) | (type_index & 0xffff)
}

struct Context(Arc<Shared>);

type Producer = ThreadedProducer<Context>;

impl ClientContext for Context {
    fn error(&self, error: RdKafkaError, reason: &str) {
        if matches!(
            error.rdkafka_error_code(),
            Some(RDKafkaErrorCode::AllBrokersDown)
        ) {
            self.0.go_offline(format!("{error}: {reason}"));
        }
    }
}

impl ProducerContext for Context {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, opaque: usize) {
        let event_type = self
            .0
            .types
            .types
            .get(opaque & 0xffff)
            .map_or("", |t| t.name);
        let counters = self.0.metrics.of(event_type);
        let (error, m) = match result {
            Ok(_) => return bump(&counters.produced),
            Err((e, m)) => (e, m),
        };
        bump(&counters.produce_failed);
        self.0.go_offline(error.to_string());
        let headers = m.headers();
        let record = RecordRef {
            seq: (opaque >> 16) as u64,
            event_type,
            topic: m.topic(),
            key: m.key(),
            headers: headers
                .into_iter()
                .flat_map(|h| h.iter())
                .map(|h| (h.key, h.value.unwrap_or_default())),
            value: m.payload().unwrap_or_default(),
        };
        if let Err(e) = self.0.spool().append_accepted(record) {
            // Only an I/O error (a full disk) gets here: the loss is reported.
            *self.0.last_error.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("event lost: {e}"));
        }
    }
}

/// Health of the producing side of a bridge: online or spooling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaHealth {
    /// Events go straight to the broker (false: they are spooled).
    pub online: bool,
    /// Events waiting in the spool.
    pub spool_depth: u64,
    /// Events handed to librdkafka and not yet acknowledged.
    pub in_flight: u64,
    /// The last delivery or connection error, if any.
    pub last_error: Option<String>,
}

/// Sends events to Kafka, spooling while the broker is unreachable.
pub(crate) struct Outbox {
    /// `None` between retiring a client after an outage and the broker's return.
    producer: RwLock<Option<Arc<Producer>>>,
    config: KafkaConfig,
    shared: Arc<Shared>,
    topics: TopicMapper,
    format: Format,
    schemas: SchemaIds,
    origin: String,
    seq: AtomicU64,
    buf: Mutex<Vec<u8>>,
    stop: Arc<AtomicBool>,
    health_thread: Mutex<Option<JoinHandle<()>>>,
}

impl Outbox {
    pub(crate) fn new(
        config: &KafkaConfig,
        catalog: &'static Catalog,
        metrics: Arc<KafkaMetrics>,
    ) -> Result<Arc<Self>, KafkaError> {
        let (spool, max_seq) =
            Spool::open(&config.spool_dir, &config.client_id, config.spool_max_bytes)?;
        let shared = Arc::new(Shared {
            online: AtomicBool::new(false),
            outage: AtomicBool::new(false),
            spool: Mutex::new(spool),
            metrics,
            types: catalog,
            last_error: Mutex::new(None),
        });
        let producer = new_producer(config, &shared)?;
        let outbox = Arc::new(Outbox {
            producer: RwLock::new(Some(producer)),
            config: config.clone(),
            shared,
            topics: config.topic_mapper(catalog),
            format: format_of(config),
            schemas: SchemaIds::from_config(config)?,
            origin: config.origin().to_owned(),
            seq: AtomicU64::new(max_seq + 1),
            buf: Mutex::new(Vec::new()),
            stop: Arc::new(AtomicBool::new(false)),
            health_thread: Mutex::new(None),
        });
        let watcher = HealthWatcher {
            outbox: Arc::downgrade(&outbox),
            stop: Arc::clone(&outbox.stop),
        };
        let thread = std::thread::Builder::new()
            .name("schemabus-kafka-health".to_owned())
            .spawn(move || watcher.run())
            .map_err(|e| KafkaError::Spool {
                path: config.spool_dir.clone(),
                source: e,
            })?;
        *outbox
            .health_thread
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(thread);
        Ok(outbox)
    }

    fn producer(&self) -> Option<Arc<Producer>> {
        self.producer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn in_flight(&self) -> u64 {
        self.producer()
            .map_or(0, |p| p.in_flight_count().max(0) as u64)
    }

    pub(crate) fn topics(&self) -> &TopicMapper {
        &self.topics
    }

    /// Hands `event` to Kafka or, while offline, to the spool.
    pub(crate) fn send(&self, event: &dyn BusEvent) -> Result<(), KafkaError> {
        let event_type = event.event_type();
        let topic = self
            .topics
            .topic(event_type)
            .ok_or_else(|| KafkaError::UnknownEventType(event_type.to_owned()))?;
        let type_index = self
            .shared
            .types
            .types
            .binary_search_by(|t| t.name.cmp(event_type))
            .unwrap_or(0xffff);
        let format = match value_format_blocking(self.format, &self.schemas, topic, event) {
            Ok(format) => format,
            // No schema id now (registry unreachable, or an id a
            // current-thread runtime cannot wait for): rather than lose the
            // event, send it as CloudEvents JSON, which consumers read too.
            Err(KafkaError::Registry(e)) => {
                *self
                    .shared
                    .last_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(format!(
                    "schema registry: {e}; `{event_type}` sent as CloudEvents JSON instead of Avro"
                ));
                ValueFormat::Json
            }
            Err(e) => return Err(e),
        };
        let mut buf = self.buf.lock().unwrap_or_else(|p| p.into_inner());
        let headers = message::encode(event, format, &self.origin, &mut buf)?;
        let key = event.aggregate_id();
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let producer = {
            let mut spool = self.shared.spool();
            let producer = self
                .producer()
                .filter(|_| self.shared.online.load(Ordering::SeqCst));
            let Some(producer) = producer else {
                return spool.append(RecordRef {
                    seq,
                    event_type,
                    topic,
                    key: Some(key.as_bytes()),
                    headers: headers.iter().map(|h| (h.key, h.value.unwrap_or_default())),
                    value: &buf,
                });
            };
            producer
        };
        let record = BaseRecord::with_opaque_to(topic, opaque(seq, type_index))
            .key(key.as_bytes())
            .payload(&buf[..])
            .headers(headers);
        send_waiting(&producer, record)
    }

    pub(crate) fn health(&self) -> KafkaHealth {
        KafkaHealth {
            online: self.shared.online.load(Ordering::SeqCst),
            spool_depth: self.shared.spool().depth(),
            in_flight: self.in_flight(),
            last_error: self
                .shared
                .last_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        }
    }

    /// Waits until nothing is spooled or in flight, up to `timeout`; returns
    /// what is still outstanding (spooled plus in flight).
    pub(crate) async fn flush(&self, timeout: Duration) -> u64 {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let h = self.health();
            let outstanding = h.spool_depth + h.in_flight;
            if outstanding == 0 || tokio::time::Instant::now() >= deadline {
                return outstanding;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stops the health thread and waits up to `timeout` for deliveries;
    /// whatever is left stays in the spool for the next start.
    pub(crate) fn close(&self, timeout: Duration) {
        self.stop.store(true, Ordering::SeqCst);
        let thread = self
            .health_thread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        // The health thread itself may drop the last reference.
        if let Some(thread) = thread.filter(|t| t.thread().id() != std::thread::current().id()) {
            let _ = thread.join();
        }
        let producer = self
            .producer
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(producer) = producer {
            let _ = producer.flush(timeout);
            retire(&producer);
        }
    }
}

impl Drop for Outbox {
    /// Dropped without a shutdown (the bus holding the bridge's handler
    /// went away): what librdkafka still holds goes to the spool.
    fn drop(&mut self) {
        self.close(Duration::from_millis(500));
    }
}

fn new_producer(config: &KafkaConfig, shared: &Arc<Shared>) -> Result<Arc<Producer>, KafkaError> {
    let producer: Producer = config
        .producer_config()
        .create_with_context(Context(Arc::clone(shared)))?;
    Ok(Arc::new(producer))
}

/// Purges what `producer` still holds: the delivery callback spools it.
fn retire(producer: &Producer) {
    producer.purge(PurgeConfig::default().queue().inflight());
    let _ = producer.flush(Duration::from_millis(100));
}

/// The thread that notices the broker coming back and drains the spool.
struct HealthWatcher {
    outbox: std::sync::Weak<Outbox>,
    stop: Arc<AtomicBool>,
}

impl HealthWatcher {
    fn run(self) {
        while !self.stop.load(Ordering::SeqCst) {
            std::thread::sleep(PROBE_INTERVAL);
            let Some(outbox) = self.outbox.upgrade() else {
                return;
            };
            if outbox.shared.online.load(Ordering::SeqCst) {
                continue;
            }
            if let Err(e) = self.recover(&outbox) {
                outbox.shared.go_offline(e.to_string());
            }
        }
    }

    /// One step towards online: retire a client that saw an outage, wait
    /// for older messages, create a client once a broker answers, drain.
    fn recover(&self, outbox: &Outbox) -> Result<(), KafkaError> {
        if outbox.shared.outage.swap(false, Ordering::SeqCst) {
            let old = outbox
                .producer
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if let Some(old) = old {
                retire(&old);
            }
        }
        if outbox.in_flight() > 0 {
            // Older messages first: queued ones come back spooled.
            if let Some(p) = outbox.producer() {
                p.purge(PurgeConfig::default().queue());
            }
            return Ok(());
        }
        if !reachable(&outbox.config.bootstrap_servers, Duration::from_secs(1)) {
            return Ok(());
        }
        let producer = match outbox.producer() {
            Some(p) => p,
            None => {
                let fresh = new_producer(&outbox.config, &outbox.shared)?;
                *outbox.producer.write().unwrap_or_else(|p| p.into_inner()) =
                    Some(Arc::clone(&fresh));
                fresh
            }
        };
        producer
            .client()
            .fetch_metadata(None, Duration::from_secs(2))?;
        self.drain(outbox, &producer)
    }

    /// Sends every spooled record in order; online once all were
    /// acknowledged and nothing new was spooled meanwhile.
    fn drain(&self, outbox: &Outbox, producer: &Producer) -> Result<(), KafkaError> {
        let segments = outbox.shared.spool().rotate()?;
        // Read without the lock: publishers keep appending meanwhile.
        let records = read_segments(&segments)?;
        if !records.is_empty() {
            for r in &records {
                send_waiting(producer, spooled_record(outbox, r))?;
            }
            let timeout = Duration::from_millis(u64::from(outbox.config.message_timeout_ms));
            let _ = producer.flush(timeout);
            if producer.in_flight_count() > 0 {
                // Not all settled: the drained file stays until they are,
                // so a crash now sends them again rather than never.
                return Ok(());
            }
        }
        let mut spool = outbox.shared.spool();
        spool.finish(&segments)?;
        if spool.is_empty()
            && producer.in_flight_count() == 0
            && !outbox.shared.outage.load(Ordering::SeqCst)
        {
            outbox.shared.online.store(true, Ordering::SeqCst);
        }
        Ok(())
    }
}

fn spooled_record<'a>(outbox: &Outbox, r: &'a SpoolRecord) -> BaseRecord<'a, [u8], [u8], usize> {
    let index = outbox
        .shared
        .types
        .types
        .binary_search_by(|t| t.name.cmp(&r.event_type))
        .unwrap_or(0xffff);
    let mut headers = OwnedHeaders::new_with_capacity(r.headers.len());
    for (key, value) in &r.headers {
        headers = headers.insert(Header {
            key,
            value: Some(value),
        });
    }
    let mut record = BaseRecord::with_opaque_to(&r.topic, opaque(r.seq, index))
        .payload(&r.value[..])
        .headers(headers);
    if let Some(key) = &r.key {
        record = record.key(&key[..]);
    }
    record
}
