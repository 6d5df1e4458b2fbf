//! Errors of the Kafka pieces.

use crate::catalog::EventDecodeError;
use crate::codec::cloudevents::CloudEventError;
use crate::codec::resolve::ResolveError;
use crate::codec::wire::WireError;
use crate::registry::RegistryError;

use super::config::ConfigError;

/// Why a Kafka operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KafkaError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// librdkafka refused or failed the operation.
    #[error("kafka: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    /// A topic could not be created.
    #[error("cannot create topic `{topic}`: {code}")]
    CreateTopic {
        /// The topic.
        topic: String,
        /// The broker's error code.
        code: rdkafka::types::RDKafkaErrorCode,
    },
    /// The event could not be encoded.
    #[error("cannot encode `{event_type}`: {reason}")]
    Encode {
        /// The event type.
        event_type: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A consumer was given a bounded context the catalog does not have.
    #[error("no bounded context `{0}` in the catalog")]
    UnknownContext(String),
    /// A consumer was started without contexts or topics.
    #[error("nothing to consume: add a context or a topic first")]
    NothingToConsume,
    /// The event's type is not in the catalog the piece was built with.
    #[error("event type `{0}` is not in the catalog")]
    UnknownEventType(String),
    /// A flush timed out or messages failed: what was delivered and what not.
    #[error("{delivered} delivered, {failed} failed, {outstanding} still outstanding{}", first_error.as_ref().map(|e| format!(" (first error: {e})")).unwrap_or_default())]
    Incomplete {
        /// Messages acknowledged by the broker.
        delivered: u64,
        /// Messages that failed.
        failed: u64,
        /// Messages neither delivered nor failed yet.
        outstanding: u64,
        /// The first failure, if any.
        first_error: Option<String>,
    },
    /// The spool could not be written or read.
    #[error("spool {path}: {source}")]
    Spool {
        /// The spool file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spool is full: the event was not accepted for Kafka.
    #[error("spool is full ({bytes} of {max} bytes): the event was not queued for kafka")]
    SpoolFull {
        /// Bytes in the spool.
        bytes: u64,
        /// The configured maximum.
        max: u64,
    },
    /// The consumer or bridge was shut down.
    #[error("shut down")]
    Shutdown,
    /// The schema registry refused or could not give a schema id.
    #[error("schema registry: {0}")]
    Registry(#[from] RegistryError),
}

/// Why a consumed message could not be turned into an event: the reason a
/// message goes to the dead-letter topic at once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The message has no value.
    #[error("message has no value")]
    Empty,
    /// The value is neither CloudEvents JSON nor Confluent-framed Avro.
    #[error("value is neither cloudevents json nor confluent-framed avro")]
    UnknownFormat,
    /// The Confluent framing is malformed.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The `ce_*` headers are missing or malformed.
    #[error("headers: {0}")]
    Headers(#[from] CloudEventError),
    /// The payload does not decode as its event type.
    #[error(transparent)]
    Decode(#[from] EventDecodeError),
    /// The writer schema of the record's schema id is not available.
    #[error("schema id {id}: {source}")]
    WriterSchema {
        /// The id in the record.
        id: u32,
        /// What the registry said.
        #[source]
        source: RegistryError,
    },
    /// The record's writer schema does not resolve into the compiled type.
    #[error("schema id {id} does not resolve into `{event_type}`: {source}")]
    Resolve {
        /// The id in the record.
        id: u32,
        /// The event type of the record.
        event_type: &'static str,
        /// Why not.
        #[source]
        source: ResolveError,
    },
}

impl KafkaError {
    pub(crate) fn encode(event_type: &'static str, reason: impl ToString) -> Self {
        KafkaError::Encode {
            event_type,
            reason: reason.to_string(),
        }
    }
}
