//! The catalog of compiled event types, and decoding by type name.
//!
//! Generated code lists every event type in a static `EVENT_TYPES` of
//! [`EventType`] and decodes by name into its `AnyEvent` enum, returning
//! [`EventDecodeError`] — the "register all events" step, without a
//! hand-kept list.

use crate::bus::SharedEvent;
use crate::codec::avro::DecodeError;
use crate::codec::cloudevents::CloudEventError;
use crate::event::EventMetadata;

/// One event type compiled from a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventType {
    /// The record's full Avro name, e.g. `zamaz.debate.DebateCompleted`.
    pub name: &'static str,
    /// Its bounded context, e.g. `debate`.
    pub context: &'static str,
    /// The standalone schema (every referenced type inlined).
    pub schema_json: &'static str,
    /// The schema's Parsing Canonical Form.
    pub canonical_form: &'static str,
    /// CRC-64-AVRO (Rabin) fingerprint of the canonical form.
    pub fingerprint: u64,
}

/// Why a message could not be decoded into a known event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventDecodeError {
    /// No compiled schema has this event type.
    #[error("unknown event type `{0}`")]
    UnknownEventType(String),
    /// The Avro payload is malformed.
    #[error("invalid avro payload: {0}")]
    Avro(#[from] DecodeError),
    /// The CloudEvents envelope or its data is malformed.
    #[error("invalid cloudevent: {0}")]
    CloudEvent(#[from] CloudEventError),
}

/// Decodes an Avro payload of the named event type and attaches its metadata.
pub type DecodeAvroFn = fn(&str, &[u8], EventMetadata) -> Result<SharedEvent, EventDecodeError>;

/// Decodes a CloudEvents JSON (structured mode) message.
pub type DecodeJsonFn = fn(&[u8]) -> Result<SharedEvent, EventDecodeError>;

/// Every event compiled into a crate, with decoders that need no type
/// parameter: what code that only sees bytes and a type name (a Kafka
/// consumer) uses to turn messages back into typed events.
///
/// Generated code defines one as `CATALOG` beside `EVENT_TYPES`.
#[derive(Clone, Copy)]
pub struct Catalog {
    /// The event types, sorted by name.
    pub types: &'static [EventType],
    /// Avro decoding by event type name.
    pub decode_avro: DecodeAvroFn,
    /// CloudEvents JSON decoding.
    pub decode_json: DecodeJsonFn,
}

impl Catalog {
    /// The entry of `name`, if the catalog has it.
    pub fn event_type(&self, name: &str) -> Option<&'static EventType> {
        let types = self.types;
        types
            .binary_search_by(|info| info.name.cmp(name))
            .ok()
            .and_then(|i| types.get(i))
    }

    /// The bounded contexts, sorted, each once.
    pub fn contexts(&self) -> Vec<&'static str> {
        let mut contexts: Vec<&'static str> = self.types.iter().map(|t| t.context).collect();
        contexts.sort_unstable();
        contexts.dedup();
        contexts
    }

    /// The event types of `context`.
    pub fn types_of<'a>(&self, context: &'a str) -> impl Iterator<Item = &'static EventType> + 'a {
        self.types.iter().filter(move |t| t.context == context)
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("types", &self.types.len())
            .finish_non_exhaustive()
    }
}
