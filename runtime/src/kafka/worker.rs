//! The loop of a running consumer: receive, decode, deliver, retry,
//! dead-letter, store the offset; reconnect after an outage.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::message::BorrowedMessage;
use rdkafka::Message;
use tokio::sync::watch;

use crate::bus::EventBus;
use crate::catalog::Catalog;
use crate::registry::RegistryError;

use super::client::Client;
use super::consumer::TypeFilter;
use super::dedup::DedupWindow;
use super::dlq::DeadLetters;
use super::error::{KafkaError, MessageError};
use super::message;
use super::metrics::{bump, Counters, KafkaMetrics};
use super::schemas::SchemaIds;

tokio::task_local! {
    /// The id of the event a consumer is delivering: the bridge never
    /// produces that event back to Kafka.
    static INBOUND: uuid::Uuid;
}

/// Whether the event with `event_id` is being delivered because it was
/// consumed from Kafka.
pub(crate) fn is_inbound(event_id: uuid::Uuid) -> bool {
    INBOUND.try_with(|id| *id == event_id).unwrap_or(false)
}

/// Longest wait between two attempts: retries of one message must stay well
/// inside librdkafka's `max.poll.interval.ms` (300 s), or the group evicts
/// the consumer.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

pub(crate) struct Worker {
    pub(crate) client: Arc<Client>,
    pub(crate) catalog: &'static Catalog,
    pub(crate) bus: EventBus,
    pub(crate) dead_letters: DeadLetters,
    pub(crate) schemas: SchemaIds,
    pub(crate) dedup: DedupWindow,
    pub(crate) filter: TypeFilter,
    pub(crate) metrics: Arc<KafkaMetrics>,
    pub(crate) max_attempts: u32,
    pub(crate) backoff: Duration,
    /// Group members store offsets; replays commit nothing.
    pub(crate) commit: bool,
    /// Records produced by this origin were delivered locally already.
    pub(crate) skip_origin: Option<String>,
    /// Replay from a time: brokers may seek to a slightly earlier offset
    /// (Tansu does), so older records are skipped here too.
    pub(crate) not_before: Option<i64>,
    pub(crate) stopped: watch::Receiver<bool>,
}

/// What became of one message.
enum Outcome {
    /// Handled, skipped or dead-lettered: its offset may be stored.
    Done,
    /// Shutdown came first: leave it for the next consumer.
    Interrupted,
}

impl Worker {
    pub(crate) async fn run(mut self) -> Result<(), KafkaError> {
        loop {
            let Some(consumer) = self.client.get() else {
                break;
            };
            let client = Arc::clone(&self.client);
            let mut stopped = self.stopped.clone();
            let received = tokio::select! {
                biased;
                _ = stopped.wait_for(|s| *s) => break,
                _ = client.down() => None,
                m = consumer.recv() => Some(m),
            };
            let Some(received) = received else {
                drop(consumer);
                if self.client.reconnect(&self.stopped).await.is_err() {
                    return Ok(());
                }
                continue;
            };
            let message = match received {
                Ok(m) => m,
                Err(e) => {
                    self.client.record_error(e.to_string());
                    // Transient client errors (broker down, rebalance in
                    // progress) are retried by librdkafka; pause briefly.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            match self.handle(&message).await {
                Outcome::Done => {
                    if self.commit {
                        let _ = consumer.store_offset_from_message(&message);
                    }
                    self.client
                        .handled(message.topic(), message.partition(), message.offset());
                }
                Outcome::Interrupted => break,
            }
        }
        if let Some(consumer) = self.client.take() {
            let commit = self.commit;
            // Committing and closing wait on the broker: not on a runtime thread.
            let _ = tokio::task::spawn_blocking(move || {
                if commit {
                    let _ = consumer.commit_consumer_state(CommitMode::Sync);
                }
                consumer.unsubscribe();
                drop(consumer);
            })
            .await;
        }
        Ok(())
    }

    async fn handle(&mut self, message: &BorrowedMessage<'_>) -> Outcome {
        let headers = message::header_pairs(message.headers());
        if self.skip_origin.is_some()
            && message::find_header(&headers, message::ORIGIN_HEADER) == self.skip_origin.as_deref()
        {
            return Outcome::Done;
        }
        if let (Some(not_before), Some(at)) = (self.not_before, message.timestamp().to_millis()) {
            if at < not_before {
                return Outcome::Done;
            }
        }
        // Binary mode names the type in a header: skip unwanted types
        // before decoding (and before an unknown type becomes a dead letter).
        if let Some(event_type) = message::find_header(&headers, "ce_type") {
            if !self.filter.accepts(event_type) {
                return Outcome::Done;
            }
        }
        let writer_schema = match message::schema_id(message.payload()) {
            Some(id) => match self.writer_schema(message, id).await {
                Ok(schema) => Some(schema),
                Err(outcome) => return outcome,
            },
            None => None,
        };
        let decoded = message::decode_with(
            self.catalog,
            message.payload(),
            &headers,
            writer_schema.as_deref(),
            self.schemas.resolver(),
            Some(message::RecordPosition {
                topic: message.topic(),
                partition: message.partition(),
                offset: message.offset(),
                timestamp_ms: message.timestamp().to_millis(),
            }),
        );
        let event = match decoded {
            Ok(event) => event,
            Err(e) => {
                let unknown = self.metrics.of("");
                return self.dead_letter(message, &e.to_string(), 0, unknown).await;
            }
        };
        let event_type = event.event_type();
        if !self.filter.accepts(event_type) {
            return Outcome::Done;
        }
        let counters = self.metrics.of(event_type);
        let id = event.metadata().event_id;
        if !self.dedup.insert(id) {
            bump(&counters.duplicates);
            return Outcome::Done;
        }
        let (mut report, mut failed) = INBOUND
            .scope(id, self.bus.publish_tracked(Arc::clone(&event)))
            .await;
        let mut attempt = 1;
        loop {
            if report.failed == 0 {
                bump(&counters.consumed);
                return Outcome::Done;
            }
            bump(&counters.failed);
            if attempt >= self.max_attempts {
                let reason = self
                    .bus
                    .failed_events()
                    .into_iter()
                    .rev()
                    .find(|f| f.event_id == id)
                    .map(|f| format!("handler `{}` failed: {}", f.handler, f.error))
                    .unwrap_or_else(|| "a handler failed".to_owned());
                // Put back on the topic later, it is handled again.
                self.dedup.remove(id);
                return self.dead_letter(message, &reason, attempt, counters).await;
            }
            let wait = (self.backoff * 2u32.saturating_pow(attempt - 1)).min(MAX_BACKOFF);
            if self.sleep_unless_stopped(wait).await {
                return Outcome::Interrupted;
            }
            attempt += 1;
            // Only the handlers that failed run again.
            (report, failed) = INBOUND.scope(id, self.bus.redeliver(&event, &failed)).await;
        }
    }

    /// The writer schema of `id`. While the registry cannot answer the
    /// message waits (it is not bad data); an id the registry does not know
    /// sends it to the dead-letter topic.
    async fn writer_schema(
        &self,
        message: &BorrowedMessage<'_>,
        id: u32,
    ) -> Result<Arc<str>, Outcome> {
        let mut backoff = self.backoff;
        loop {
            let error = match self.schemas.writer_schema(id).await {
                Ok(schema) => return Ok(schema),
                Err(e) => e,
            };
            // Only "no such schema" is the record's fault; anything else
            // (unreachable, 5xx, 401/403 after rotated credentials, 429, a
            // wrong base path) is the registry's, and the record waits.
            if matches!(error, RegistryError::SchemaNotFound(_)) {
                let reason = MessageError::WriterSchema { id, source: error }.to_string();
                return Err(self
                    .dead_letter(message, &reason, 0, self.metrics.of(""))
                    .await);
            }
            self.client
                .record_error(format!("schema registry: {error}"));
            let mut stopped = self.stopped.clone();
            tokio::select! {
                _ = stopped.wait_for(|s| *s) => return Err(Outcome::Interrupted),
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Sends to the dead-letter topic, retrying until it succeeds or the
    /// consumer stops: a message is never dropped for a failed dead letter.
    async fn dead_letter(
        &self,
        message: &BorrowedMessage<'_>,
        error: &str,
        attempts: u32,
        counters: &Counters,
    ) -> Outcome {
        if !self.commit {
            // A replay re-reads history: its dead letters were sent the
            // first time round.
            return Outcome::Done;
        }
        loop {
            match self.dead_letters.send(message, error, attempts).await {
                Ok(()) => {
                    bump(&counters.dead_lettered);
                    return Outcome::Done;
                }
                Err(_) => {
                    if self.sleep_unless_stopped(Duration::from_secs(1)).await {
                        return Outcome::Interrupted;
                    }
                }
            }
        }
    }

    /// Sleeps for `wait`; `true` if the consumer was stopped meanwhile.
    async fn sleep_unless_stopped(&self, wait: Duration) -> bool {
        let mut stopped = self.stopped.clone();
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => true,
            _ = tokio::time::sleep(wait) => false,
        }
    }
}
