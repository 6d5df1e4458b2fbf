//! Codecs: the direct Avro binary codec, the Confluent wire format,
//! CloudEvents JSON and Kafka headers, serde adapters for JSON, and the
//! resolver for data written with another schema.

pub(crate) mod aliases;
pub mod avro;
pub(crate) mod base64;
pub mod cloudevents;
pub mod json_as;
pub mod resolve;
mod skip;
pub mod wire;
