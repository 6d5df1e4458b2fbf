//! The domain event model: [`DomainEvent`] and its [`EventMetadata`].

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use crate::codec::avro::{AvroCodec, AvroSchema};
use crate::codec::cloudevents::{self, CloudEventError};

/// `source` of events whose producer did not name one.
pub const DEFAULT_SOURCE: &str = "schemabus";

/// A domain event: a generated record with its bounded context, aggregate id
/// and metadata.
///
/// Implemented by generated code (or `#[derive(DomainEvent)]`); the event's
/// serde form holds only its schema fields, while the metadata travels as
/// CloudEvents attributes (see [`cloudevents`]).
pub trait DomainEvent:
    AvroCodec
    + AvroSchema
    + serde::Serialize
    + serde::de::DeserializeOwned
    + Clone
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// Bounded context, e.g. `"debate"`.
    const CONTEXT: &'static str;
    /// Event type: the record's full Avro name (same as [`AvroSchema::FULL_NAME`]).
    const EVENT_TYPE: &'static str;

    /// Value of the aggregate-id field as a string (the Kafka key).
    fn aggregate_id(&self) -> String;
    /// The event's metadata.
    fn metadata(&self) -> &EventMetadata;
    /// The event's metadata, mutably.
    fn metadata_mut(&mut self) -> &mut EventMetadata;

    /// [`Self::EVENT_TYPE`], from a value.
    fn event_type(&self) -> &'static str {
        Self::EVENT_TYPE
    }

    /// [`Self::CONTEXT`], from a value.
    fn context(&self) -> &'static str {
        Self::CONTEXT
    }

    /// The event as a CloudEvents JSON (structured mode) message.
    ///
    /// # Errors
    ///
    /// When the payload cannot be serialized.
    fn to_json(&self) -> Result<Vec<u8>, CloudEventError> {
        cloudevents::to_json(self)
    }

    /// The CloudEvents attributes as Kafka headers (binary mode, Avro value).
    fn to_headers(&self) -> Vec<(&'static str, String)> {
        cloudevents::to_headers(self)
    }
}

/// Identity and provenance of one event, carried beside its data.
///
/// # Examples
///
/// ```
/// use schemabus_runtime::EventMetadata;
///
/// let cause = EventMetadata::new().with_source("debate-service");
/// let effect = EventMetadata::new().caused_by(&cause);
/// assert_eq!(effect.causation_id, Some(cause.event_id));
/// assert_eq!(effect.correlation_or_id(), cause.event_id);
/// assert_eq!(effect.occurred_at.timestamp_subsec_nanos() % 1000, 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventMetadata {
    /// Unique id of this event (CloudEvents `id`).
    pub event_id: Uuid,
    /// When the event happened, truncated to microseconds so it survives
    /// `timestamp-micros` and JSON unchanged (CloudEvents `time`).
    pub occurred_at: DateTime<Utc>,
    /// The producing service (CloudEvents `source`).
    pub source: String,
    /// Id shared by every event of one flow, usually the first event's id.
    pub correlation_id: Option<Uuid>,
    /// Id of the event that directly caused this one.
    pub causation_id: Option<Uuid>,
}

impl EventMetadata {
    /// Fresh metadata: a random v4 id, the current time truncated to
    /// microseconds, source [`DEFAULT_SOURCE`], no correlation or causation.
    pub fn new() -> Self {
        Self {
            event_id: Uuid::new_v4(),
            occurred_at: Utc::now().trunc_subsecs(6),
            source: DEFAULT_SOURCE.to_owned(),
            correlation_id: None,
            causation_id: None,
        }
    }

    /// Metadata with no identity yet: the nil id, the Unix epoch, an empty
    /// source. What decoding a bare payload yields; whoever receives the
    /// event (from CloudEvents attributes or Kafka headers) fills it in.
    pub fn empty() -> Self {
        Self {
            event_id: Uuid::nil(),
            occurred_at: DateTime::UNIX_EPOCH,
            source: String::new(),
            correlation_id: None,
            causation_id: None,
        }
    }

    /// Whether this is [`EventMetadata::empty`]'s nil identity.
    pub fn is_empty(&self) -> bool {
        self.event_id.is_nil()
    }

    /// Sets the source.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Sets the time of occurrence, truncated to microseconds.
    #[must_use]
    pub fn with_occurred_at(mut self, at: DateTime<Utc>) -> Self {
        self.occurred_at = at.trunc_subsecs(6);
        self
    }

    /// Marks this event as caused by `parent`: causation is the parent's id,
    /// correlation the parent's correlation id or, failing that, its id.
    #[must_use]
    pub fn caused_by(mut self, parent: &EventMetadata) -> Self {
        self.set_caused_by(parent);
        self
    }

    /// In-place form of [`caused_by`](Self::caused_by).
    pub fn set_caused_by(&mut self, parent: &EventMetadata) {
        self.causation_id = Some(parent.event_id);
        self.correlation_id = Some(parent.correlation_or_id());
    }

    /// The correlation id, or the event's own id when it starts a flow.
    pub fn correlation_or_id(&self) -> Uuid {
        self.correlation_id.unwrap_or(self.event_id)
    }
}

/// Same as [`EventMetadata::new`]: every default is fresh, with its own id and time.
impl Default for EventMetadata {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_fresh() {
        let (a, b) = (EventMetadata::default(), EventMetadata::default());
        assert_ne!(a.event_id, b.event_id);
        assert_eq!(a.source, DEFAULT_SOURCE);
    }

    #[test]
    fn causation_chain() {
        let root = EventMetadata::new();
        let child = EventMetadata::new().caused_by(&root);
        let mut grandchild = EventMetadata::new();
        grandchild.set_caused_by(&child);
        assert_eq!(grandchild.causation_id, Some(child.event_id));
        assert_eq!(grandchild.correlation_id, Some(root.event_id));
        assert_eq!(root.correlation_or_id(), root.event_id);
    }

    #[test]
    fn occurred_at_truncated() {
        let t = DateTime::from_timestamp_nanos(1_714_564_800_123_456_789);
        let m = EventMetadata::new().with_occurred_at(t);
        assert_eq!(
            m.occurred_at.timestamp_nanos_opt(),
            Some(1_714_564_800_123_456_000)
        );
    }
}
