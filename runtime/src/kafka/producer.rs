//! Producing events: [`EventProducer`] awaits each delivery,
//! [`BatchEventProducer`] streams many and counts acknowledgements.
//!
//! Both key each record by the event's aggregate id, so every event of one
//! aggregate lands in one partition, in order; both send to the topic the
//! [`TopicMapper`] gives the event's type, in the configured format.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{
    BaseRecord, DeliveryResult, FutureProducer, FutureRecord, Producer, ProducerContext,
    ThreadedProducer,
};
use rdkafka::{ClientContext, Message};

use crate::bus::BusEvent;
use crate::catalog::Catalog;
use crate::codec::wire::Format;
use crate::topic::TopicMapper;

use super::admin::EnsuredTopics;
use super::config::KafkaConfig;
use super::error::KafkaError;
use super::message::{self, ValueFormat};
use super::schemas::SchemaIds;

/// Where a delivered event was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The offset of the record.
    pub offset: i64,
}

/// The format the configuration chooses.
pub(crate) fn format_of(config: &KafkaConfig) -> Format {
    if config.use_avro {
        Format::Avro
    } else {
        Format::Json
    }
}

/// The value format of `event` on `topic`: JSON, or Avro with the schema
/// id from `schemas` (blocking only the first time a type is seen).
pub(crate) fn value_format_blocking(
    format: Format,
    schemas: &SchemaIds,
    topic: &str,
    event: &dyn BusEvent,
) -> Result<ValueFormat, KafkaError> {
    Ok(match format {
        Format::Json => ValueFormat::Json,
        Format::Avro => ValueFormat::Avro {
            schema_id: schemas.id_blocking(topic, event)?,
        },
    })
}

/// Produces events one at a time and awaits each delivery.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(event: &dyn schemabus_runtime::bus::BusEvent, catalog: &schemabus_runtime::Catalog)
/// #     -> Result<(), schemabus_runtime::kafka::KafkaError> {
/// use schemabus_runtime::kafka::{EventProducer, KafkaConfig};
///
/// let producer = EventProducer::new(&KafkaConfig::from_env()?, catalog)?;
/// let delivery = producer.publish(event).await?;
/// println!("written to {}/{} at {}", delivery.topic, delivery.partition, delivery.offset);
/// # Ok(()) }
/// ```
pub struct EventProducer {
    producer: FutureProducer,
    ensured: EnsuredTopics,
    topics: TopicMapper,
    format: Format,
    schemas: SchemaIds,
    origin: String,
}

impl std::fmt::Debug for EventProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventProducer")
            .field("format", &self.format)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl EventProducer {
    /// A producer for the events of `catalog`.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] for settings librdkafka rejects.
    pub fn new(config: &KafkaConfig, catalog: &Catalog) -> Result<Self, KafkaError> {
        Ok(EventProducer {
            producer: config.producer_config().create()?,
            ensured: EnsuredTopics::new(config),
            topics: config.topic_mapper(catalog),
            format: format_of(config),
            schemas: SchemaIds::from_config(config)?,
            origin: config.origin().to_owned(),
        })
    }

    /// The topic mapping in use.
    pub fn topics(&self) -> &TopicMapper {
        &self.topics
    }

    /// Produces `event` and waits for the broker's acknowledgement. The
    /// first event of a topic creates it (and its dead-letter topic) with
    /// the configured partitions if needed.
    ///
    /// # Errors
    ///
    /// [`KafkaError::UnknownEventType`], [`KafkaError::Encode`], or
    /// [`KafkaError::Client`] when delivery fails (after librdkafka's
    /// retries, within `message.timeout.ms`).
    pub async fn publish(&self, event: &dyn BusEvent) -> Result<Delivery, KafkaError> {
        let topic = self
            .topics
            .topic(event.event_type())
            .ok_or_else(|| KafkaError::UnknownEventType(event.event_type().to_owned()))?;
        self.ensured.ensure(topic).await?;
        let format = match self.format {
            Format::Json => ValueFormat::Json,
            Format::Avro => ValueFormat::Avro {
                schema_id: self.schemas.id(topic, event).await?,
            },
        };
        let mut value = Vec::new();
        let headers = message::encode(event, format, &self.origin, &mut value)?;
        let key = event.aggregate_id();
        let record = FutureRecord::to(topic)
            .key(&key)
            .payload(&value)
            .headers(headers);
        let delivery = self
            .producer
            .send(record, Duration::from_secs(5))
            .await
            .map_err(|(e, _)| KafkaError::Client(e))?;
        Ok(Delivery {
            topic: topic.to_owned(),
            partition: delivery.partition,
            offset: delivery.offset,
        })
    }

    /// Waits up to `timeout` for every queued message; returns how many are
    /// still outstanding.
    pub fn flush(&self, timeout: Duration) -> u64 {
        let _ = self.producer.flush(timeout);
        self.producer.in_flight_count().max(0) as u64
    }
}

/// `send`, waiting while librdkafka's queue is full (it empties as the
/// broker acknowledges; the wait is what backpressure looks like here).
pub(crate) fn send_waiting<C: ProducerContext>(
    producer: &ThreadedProducer<C>,
    mut record: BaseRecord<'_, [u8], [u8], C::DeliveryOpaque>,
) -> Result<(), KafkaError> {
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((
                rdkafka::error::KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull),
                r,
            )) => {
                record = r;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err((e, _)) => return Err(KafkaError::Client(e)),
        }
    }
}

/// Counts acknowledgements and keeps the first failure.
#[derive(Default)]
pub(crate) struct Acks {
    delivered: AtomicU64,
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl ClientContext for Acks {}

impl ProducerContext for Acks {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, m)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| format!("{} to {}: {e}", m.topic(), m.partition()));
            }
        }
    }
}

/// Streams events to Kafka in batches and counts what the broker
/// acknowledged (the original API's `add_event` / `flush_batch`).
///
/// librdkafka groups the records into batches of up to
/// [`KafkaConfig::batch_size`] messages, waiting up to
/// [`KafkaConfig::linger_ms`] to fill one; a background thread serves the
/// acknowledgements.
///
/// # Examples
///
/// ```no_run
/// # fn demo(events: &[std::sync::Arc<dyn schemabus_runtime::bus::BusEvent>], catalog: &schemabus_runtime::Catalog)
/// #     -> Result<(), schemabus_runtime::kafka::KafkaError> {
/// use std::time::Duration;
/// use schemabus_runtime::kafka::{BatchEventProducer, KafkaConfig};
///
/// let batch = BatchEventProducer::new(&KafkaConfig::from_env()?.batch_size(500), catalog)?;
/// for event in events {
///     batch.add_event(event.as_ref())?;
/// }
/// let delivered = batch.flush_batch(Duration::from_secs(10))?;
/// assert_eq!(delivered, events.len() as u64);
/// # Ok(()) }
/// ```
pub struct BatchEventProducer {
    producer: ThreadedProducer<Acks>,
    ensured: EnsuredTopics,
    topics: TopicMapper,
    format: Format,
    schemas: SchemaIds,
    origin: String,
    buf: Mutex<Vec<u8>>,
    flushed: Mutex<(u64, u64)>,
}

impl std::fmt::Debug for BatchEventProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchEventProducer")
            .field("format", &self.format)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl BatchEventProducer {
    /// A batch producer for the events of `catalog`.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Client`] for settings librdkafka rejects.
    pub fn new(config: &KafkaConfig, catalog: &Catalog) -> Result<Self, KafkaError> {
        Ok(BatchEventProducer {
            producer: config
                .producer_config()
                .create_with_context(Acks::default())?,
            ensured: EnsuredTopics::new(config),
            topics: config.topic_mapper(catalog),
            format: format_of(config),
            schemas: SchemaIds::from_config(config)?,
            origin: config.origin().to_owned(),
            buf: Mutex::new(Vec::new()),
            flushed: Mutex::new((0, 0)),
        })
    }

    /// Queues `event`; waits only while librdkafka's queue is full, and the
    /// first time a topic is seen, to create it (and its dead-letter topic)
    /// with the configured partitions if needed.
    ///
    /// # Errors
    ///
    /// [`KafkaError::UnknownEventType`], [`KafkaError::Encode`] or
    /// [`KafkaError::Client`] when librdkafka refuses the record.
    pub fn add_event(&self, event: &dyn BusEvent) -> Result<(), KafkaError> {
        let topic = self
            .topics
            .topic(event.event_type())
            .ok_or_else(|| KafkaError::UnknownEventType(event.event_type().to_owned()))?;
        self.ensured.ensure_blocking(topic)?;
        let format = value_format_blocking(self.format, &self.schemas, topic, event)?;
        let mut buf = self.buf.lock().unwrap_or_else(|p| p.into_inner());
        let headers = message::encode(event, format, &self.origin, &mut buf)?;
        let key = event.aggregate_id();
        let record = BaseRecord::to(topic)
            .key(key.as_bytes())
            .payload(&buf[..])
            .headers(headers);
        send_waiting(&self.producer, record)
    }

    /// Waits up to `timeout` until every queued event is acknowledged and
    /// returns how many were delivered since the previous flush.
    ///
    /// # Errors
    ///
    /// [`KafkaError::Incomplete`] when some failed or are still outstanding
    /// at the timeout, with the counts.
    pub fn flush_batch(&self, timeout: Duration) -> Result<u64, KafkaError> {
        let _ = self.producer.flush(timeout);
        let acks = self.producer.context();
        let outstanding = self.producer.in_flight_count().max(0) as u64;
        let (delivered_total, failed_total) = (
            acks.delivered.load(Ordering::Relaxed),
            acks.failed.load(Ordering::Relaxed),
        );
        let mut flushed = self.flushed.lock().unwrap_or_else(|p| p.into_inner());
        let delivered = delivered_total - flushed.0;
        let failed = failed_total - flushed.1;
        *flushed = (delivered_total, failed_total);
        if failed > 0 || outstanding > 0 {
            let first_error = acks
                .first_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            return Err(KafkaError::Incomplete {
                delivered,
                failed,
                outstanding,
                first_error,
            });
        }
        Ok(delivered)
    }
}
