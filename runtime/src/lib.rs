//! The runtime of schemabus: schema-first domain events.
//!
//! Avro schemas are compiled by `schemabus-codegen` into Rust types; this
//! crate holds what those types plug into:
//!
//! - [`DomainEvent`] and [`EventMetadata`]: the event model — bounded
//!   context, event type (the Avro full name), aggregate id and the
//!   id/time/source/correlation/causation carried beside the data.
//! - [`codec::avro`]: the direct Avro binary codec. Generated types
//!   implement [`AvroCodec`] with the [`reader`](codec::avro::reader) and
//!   [`writer`](codec::avro::writer) primitives and the
//!   [`logical`](codec::avro::logical) conversions — no intermediate value
//!   tree — and [`AvroSchema`] with their schema constants.
//! - [`codec::resolve`]: reads data written with another compatible schema.
//! - [`codec::wire`]: the Confluent wire format (magic byte, schema id) and
//!   detection of JSON versus Avro per message.
//! - [`codec::cloudevents`]: CloudEvents 1.0 — JSON structured mode and the
//!   `ce_*` Kafka headers of binary mode.
//! - [`codec::json_as`]: serde adapters giving logical types their JSON form.
//! - [`Decimal`] and [`Duration`]: values for the `decimal` and `duration`
//!   logical types.
//!
//! - [`bus`]: the in-memory event bus; [`topic`]: which topic each event
//!   type goes to.
//!
//! # Features
//!
//! - `kafka` (off by default; the `schemabus` facade turns it on):
//!   [`kafka`] — configuration, producers, consumers, dead letters, the
//!   bridge — and [`hybrid`], the bus that works with or without a broker.
//!   Builds librdkafka from source (bundled with rdkafka).
//!
//! # Examples
//!
//! Framing an Avro datum for Kafka and reading it back:
//!
//! ```
//! use schemabus_runtime::codec::wire;
//! use schemabus_runtime::AvroCodec;
//!
//! let value = String::from("debate-42");
//! let framed = wire::frame(7, &value.to_avro_bytes()?);
//! let (schema_id, payload) = wire::unframe(&framed)?;
//! assert_eq!(schema_id, 7);
//! assert_eq!(String::from_avro_bytes(payload)?, "debate-42");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bus;
pub mod catalog;
pub mod codec;
pub mod compat;
pub mod event;
#[cfg(feature = "kafka")]
#[cfg_attr(docsrs, doc(cfg(feature = "kafka")))]
pub mod hybrid;
#[cfg(feature = "kafka")]
#[cfg_attr(docsrs, doc(cfg(feature = "kafka")))]
pub mod kafka;
pub mod registry;
pub mod topic;
pub mod types;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use catalog::{Catalog, EventDecodeError, EventType};
pub use codec::avro::{AvroCodec, AvroSchema, DecodeError, EncodeError};
pub use codec::cloudevents::{self, CloudEventError};
pub use event::{DomainEvent, EventMetadata};
pub use types::{Decimal, Duration};

/// The traits, for glob import: `use schemabus_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::codec::avro::{AvroCodec, AvroSchema};
    pub use crate::event::DomainEvent;
}
