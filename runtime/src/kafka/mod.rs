//! Kafka: producers, consumers, the event bridge and the hybrid bus
//! (feature `kafka`).
//!
//! # A tour
//!
//! - [`KafkaConfig`]: every setting, from the environment (`KAFKA_*`), a
//!   `.env` file, TOML or a builder; librdkafka properties pass through.
//! - [`TopicMapper`](crate::topic::TopicMapper): `{prefix}{context}.events`,
//!   per-type overrides, `<topic>.dlq`; [`ensure_topics`] creates them.
//! - [`EventProducer`]: one event, awaited delivery; [`BatchEventProducer`]:
//!   many, counting acknowledgements.
//! - [`message`]: events as records (Avro binary mode or CloudEvents JSON),
//!   and back.
//!
//! # Running against a broker
//!
//! Point `KAFKA_BOOTSTRAP_SERVERS` at any Kafka-protocol broker. The
//! project's tests start Tansu (a Kafka-compatible broker) on loopback
//! through `scripts/with-broker`.

mod admin;
mod bridge;
mod client;
mod config;
mod consumer;
mod dedup;
pub mod dlq;
mod error;
pub mod message;
mod metrics;
mod outbox;
mod producer;
mod schemas;
mod spool;
mod worker;

pub use self::admin::{ensure_topics, offsets, PartitionOffsets};
pub use self::bridge::{BridgeMetrics, KafkaEventBridge};
pub use self::config::{Acks, Compression, ConfigError, KafkaConfig};
pub use self::consumer::{
    ConsumerHandle, EventConsumer, MultiContextConsumer, PartitionLag, StartFrom,
};
pub use self::error::{KafkaError, MessageError};
pub use self::metrics::KafkaTypeMetrics;
pub use self::outbox::KafkaHealth;
pub use self::producer::{BatchEventProducer, Delivery, EventProducer};
pub use self::schemas::SchemaIds;
