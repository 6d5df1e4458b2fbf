//! Events as the bus carries them: shared, type-erased, still typed on demand.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use crate::codec::avro::{AvroSchema, EncodeError};
use crate::codec::cloudevents::CloudEventError;
use crate::event::{DomainEvent, EventMetadata};

/// What the bus needs from any event, object-safe: handlers of a whole
/// context or of every event receive `Arc<dyn BusEvent>`.
pub trait BusEvent: Any + Debug + Send + Sync {
    /// The event type: the record's full Avro name.
    fn event_type(&self) -> &'static str;
    /// The bounded context.
    fn context(&self) -> &'static str;
    /// The aggregate id.
    fn aggregate_id(&self) -> String;
    /// The event's metadata.
    fn metadata(&self) -> &EventMetadata;
    /// Rabin fingerprint of the event's schema (its Parsing Canonical Form).
    fn schema_fingerprint(&self) -> u64;
    /// The event's schema: the standalone JSON a registry stores.
    fn schema_json(&self) -> &'static str;
    /// Appends the Avro binary encoding of the payload to `buf`.
    ///
    /// # Errors
    ///
    /// Values the schema cannot represent.
    fn encode_avro(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError>;
    /// The event as a CloudEvents JSON (structured mode) message.
    ///
    /// # Errors
    ///
    /// Payloads that cannot be serialized.
    fn encode_json(&self) -> Result<Vec<u8>, CloudEventError>;
    /// The CloudEvents attributes as Kafka headers (binary mode).
    fn headers(&self) -> Vec<(&'static str, String)>;
    /// The event as `Any`, to downcast to its concrete type.
    fn as_any(&self) -> &dyn Any;
    /// The shared event as `Any`, to downcast without copying.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<E: DomainEvent> BusEvent for E {
    fn event_type(&self) -> &'static str {
        E::EVENT_TYPE
    }
    fn context(&self) -> &'static str {
        E::CONTEXT
    }
    fn aggregate_id(&self) -> String {
        DomainEvent::aggregate_id(self)
    }
    fn metadata(&self) -> &EventMetadata {
        DomainEvent::metadata(self)
    }
    fn schema_fingerprint(&self) -> u64 {
        <E as AvroSchema>::FINGERPRINT
    }
    fn schema_json(&self) -> &'static str {
        <E as AvroSchema>::SCHEMA_JSON
    }
    fn encode_avro(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        buf.reserve(crate::AvroCodec::avro_len(self));
        self.avro_encode(buf)
    }
    fn encode_json(&self) -> Result<Vec<u8>, CloudEventError> {
        DomainEvent::to_json(self)
    }
    fn headers(&self) -> Vec<(&'static str, String)> {
        DomainEvent::to_headers(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// An event on the bus, shared by every handler that receives it.
pub type SharedEvent = Arc<dyn BusEvent>;

impl dyn BusEvent {
    /// The event as `E`, if it is one.
    pub fn downcast_ref<E: DomainEvent>(&self) -> Option<&E> {
        self.as_any().downcast_ref()
    }
}
