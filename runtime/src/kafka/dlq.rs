//! Dead letters: messages that cannot be decoded, or whose handlers keep
//! failing, go to `<topic>.dlq` unchanged (key, value, headers) with headers
//! saying why.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rdkafka::message::{BorrowedMessage, Header, Headers, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;

use crate::topic::TopicMapper;

use super::config::KafkaConfig;
use super::error::KafkaError;

/// Header: why the message was dead-lettered.
pub const DLQ_ERROR: &str = "dlq_error";
/// Header: the topic the message was consumed from.
pub const DLQ_TOPIC: &str = "dlq_original_topic";
/// Header: its partition.
pub const DLQ_PARTITION: &str = "dlq_original_partition";
/// Header: its offset.
pub const DLQ_OFFSET: &str = "dlq_original_offset";
/// Header: handling attempts made (0 when it could not be decoded).
pub const DLQ_ATTEMPTS: &str = "dlq_attempts";
/// Header: when it was dead-lettered (RFC 3339, UTC).
pub const DLQ_TIME: &str = "dlq_time";

/// Sends messages to dead-letter topics.
pub(crate) struct DeadLetters {
    producer: FutureProducer,
}

impl DeadLetters {
    pub(crate) fn new(config: &KafkaConfig) -> Result<Self, KafkaError> {
        Ok(DeadLetters {
            producer: config.producer_config().create()?,
        })
    }

    /// Sends `message` to its dead-letter topic and waits for the
    /// acknowledgement.
    pub(crate) async fn send(
        &self,
        message: &BorrowedMessage<'_>,
        error: &str,
        attempts: u32,
    ) -> Result<(), KafkaError> {
        let mut headers = OwnedHeaders::new();
        if let Some(original) = message.headers() {
            for h in original.iter() {
                headers = headers.insert(h);
            }
        }
        let partition = message.partition().to_string();
        let offset = message.offset().to_string();
        let attempts = attempts.to_string();
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        for (key, value) in [
            (DLQ_ERROR, error),
            (DLQ_TOPIC, message.topic()),
            (DLQ_PARTITION, &partition),
            (DLQ_OFFSET, &offset),
            (DLQ_ATTEMPTS, &attempts),
            (DLQ_TIME, &now),
        ] {
            headers = headers.insert(Header {
                key,
                value: Some(value),
            });
        }
        let topic = TopicMapper::dlq(message.topic());
        let mut record = FutureRecord::<[u8], [u8]>::to(&topic).headers(headers);
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(value) = message.payload() {
            record = record.payload(value);
        }
        self.producer
            .send(record, Duration::from_secs(5))
            .await
            .map(|_| ())
            .map_err(|(e, _)| KafkaError::Client(e))
    }
}
