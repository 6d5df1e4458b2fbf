//! The catalog of compiled event types, and decoding by type name.
//!
//! Generated code lists every event type in a static `EVENT_TYPES` of
//! [`EventType`] and decodes by name into its `AnyEvent` enum, returning
//! [`EventDecodeError`] — the "register all events" step, without a
//! hand-kept list.

use crate::codec::avro::DecodeError;
use crate::codec::cloudevents::CloudEventError;

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
