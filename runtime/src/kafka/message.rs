//! Events as Kafka records: key, value and headers in either format, and
//! back.
//!
//! - **Avro** (CloudEvents binary mode): the attributes in `ce_*` headers, the
//!   value in the Confluent wire format (magic byte, schema id, datum).
//! - **JSON** (CloudEvents structured mode): the whole event in the value,
//!   `content-type: application/cloudevents+json`.
//!
//! Every record also carries `ce_origin`, the producing client's id. The
//! decoder detects the format of each message, so producers can switch
//! formats without a flag day.
//!
//! The schema id of an Avro record comes from the schema registry
//! ([`SchemaIds`]); a consumer reads records written with
//! another version of a schema by fetching that version by id and resolving
//! it into the compiled type.

use rdkafka::message::{Header, Headers, OwnedHeaders};

use crate::bus::{BusEvent, SharedEvent};
use crate::catalog::Catalog;
use crate::codec::cloudevents::{self, CONTENT_TYPE};
use crate::codec::resolve::{ReaderType, Resolver};
use crate::codec::wire::{self, Format};
use crate::event::EventMetadata;

use super::error::{KafkaError, MessageError};
use super::schemas::SchemaIds;

/// Header naming the client that produced a record.
pub const ORIGIN_HEADER: &str = "ce_origin";

/// How a record's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueFormat {
    /// CloudEvents JSON, structured mode.
    Json,
    /// Avro in the Confluent wire format, with the registry's id of the
    /// event's schema; the attributes go in `ce_*` headers.
    Avro {
        /// The schema id written after the magic byte.
        schema_id: u32,
    },
}

/// Encodes `event`'s value into `buf` (cleared first) and returns its headers.
///
/// # Errors
///
/// [`KafkaError::Encode`] when the payload cannot be represented.
pub fn encode(
    event: &dyn BusEvent,
    format: ValueFormat,
    origin: &str,
    buf: &mut Vec<u8>,
) -> Result<OwnedHeaders, KafkaError> {
    buf.clear();
    let mut headers = OwnedHeaders::new_with_capacity(10);
    match format {
        ValueFormat::Avro { schema_id } => {
            wire::write_header(buf, schema_id);
            event
                .encode_avro(buf)
                .map_err(|e| KafkaError::encode(event.event_type(), e))?;
            for (name, value) in event.headers() {
                headers = headers.insert(Header {
                    key: name,
                    value: Some(value.as_bytes()),
                });
            }
        }
        ValueFormat::Json => {
            *buf = event
                .encode_json()
                .map_err(|e| KafkaError::encode(event.event_type(), e))?;
            headers = headers.insert(Header {
                key: "content-type",
                value: Some(CONTENT_TYPE),
            });
        }
    }
    Ok(headers.insert(Header {
        key: ORIGIN_HEADER,
        value: Some(origin),
    }))
}

/// Turns a consumed record back into a typed event of `catalog`; Avro
/// written with another version of a schema is resolved into the compiled
/// type, its writer schema fetched from the registry by id.
///
/// # Errors
///
/// [`MessageError`] saying why the record is not an event of the catalog.
pub async fn decode<H: Headers>(
    catalog: &Catalog,
    schemas: &SchemaIds,
    value: Option<&[u8]>,
    headers: Option<&H>,
) -> Result<SharedEvent, MessageError> {
    let pairs = header_pairs(headers);
    let writer = match schema_id(value) {
        Some(id) => Some(
            schemas
                .writer_schema(id)
                .await
                .map_err(|source| MessageError::WriterSchema { id, source })?,
        ),
        None => None,
    };
    decode_with(
        catalog,
        value,
        &pairs,
        writer.as_deref(),
        schemas.resolver(),
        None,
    )
}

/// Where a record was read: the metadata of an Avro record that carries no
/// CloudEvents headers (a plain Confluent producer wrote it) comes from it.
#[derive(Clone, Copy, Debug)]
pub struct RecordPosition<'a> {
    /// The topic.
    pub topic: &'a str,
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
    /// The record's timestamp, milliseconds since the epoch.
    pub timestamp_ms: Option<i64>,
}

impl RecordPosition<'_> {
    /// Metadata for a record without `ce_*` headers: an id derived from
    /// the position (so redelivery deduplicates), the record's time, and
    /// `kafka://<topic>` as source.
    fn metadata(&self) -> EventMetadata {
        // FNV-1a: stable across builds, so a redelivered record gets the
        // same id and the dedup window drops it.
        let fnv = |seed: u64, bytes: &[u8]| {
            bytes.iter().fold(seed, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            })
        };
        let position = format!("{}/{}/{}", self.topic, self.partition, self.offset);
        let high = fnv(0xcbf2_9ce4_8422_2325, position.as_bytes());
        let low = fnv(high, b"schemabus");
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&high.to_be_bytes());
        bytes[8..].copy_from_slice(&low.to_be_bytes());
        let occurred_at = self
            .timestamp_ms
            .and_then(chrono::DateTime::from_timestamp_millis)
            .unwrap_or_else(chrono::Utc::now);
        EventMetadata {
            event_id: uuid::Builder::from_random_bytes(bytes).into_uuid(),
            occurred_at,
            source: format!("kafka://{}", self.topic),
            correlation_id: None,
            causation_id: None,
        }
    }
}

/// The full name of the named type `schema` (JSON) defines. Runs once per
/// header-less record: only `name` and `namespace` are kept, the rest of
/// the text is skipped without building a JSON tree.
fn schema_full_name(schema: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named<'a> {
        #[serde(borrow)]
        name: std::borrow::Cow<'a, str>,
        #[serde(borrow, default)]
        namespace: Option<std::borrow::Cow<'a, str>>,
    }
    // Only a record, enum or fixed names a type (a struct would also
    // deserialize from a JSON array, such as a union).
    if !schema.trim_start().starts_with('{') {
        return None;
    }
    let Named { name, namespace } = serde_json::from_str(schema).ok()?;
    match namespace {
        Some(ns) if !name.contains('.') && !ns.is_empty() => Some(format!("{ns}.{name}")),
        _ => Some(name.into_owned()),
    }
}

/// The schema id of an Avro record, `None` for JSON or garbage.
pub(crate) fn schema_id(value: Option<&[u8]>) -> Option<u32> {
    let value = value?;
    match wire::detect(value) {
        Some(Format::Avro) => wire::unframe(value).ok().map(|(id, _)| id),
        _ => None,
    }
}

/// A record's headers as `(name, value)` pairs, read once (each header is a
/// call into librdkafka); headers without a value are left out.
pub(crate) fn header_pairs<H: Headers>(headers: Option<&H>) -> Vec<(&str, &[u8])> {
    headers
        .into_iter()
        .flat_map(|h| h.iter())
        .filter_map(|h| Some((h.key, h.value?)))
        .collect()
}

/// The UTF-8 value of header `name` among `pairs`.
pub(crate) fn find_header<'a>(pairs: &[(&str, &'a [u8])], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| std::str::from_utf8(value).ok())
}

/// [`decode`] with the headers read and the writer schema of an Avro
/// record fetched.
pub(crate) fn decode_with(
    catalog: &Catalog,
    value: Option<&[u8]>,
    headers: &[(&str, &[u8])],
    writer_schema: Option<&str>,
    resolver: &Resolver,
    position: Option<RecordPosition<'_>>,
) -> Result<SharedEvent, MessageError> {
    let value = value.filter(|v| !v.is_empty()).ok_or(MessageError::Empty)?;
    match wire::detect(value) {
        Some(Format::Json) => Ok((catalog.decode_json)(value)?),
        Some(Format::Avro) => {
            // A plain Confluent producer (no `ce_type`): the type is the
            // writer schema's name, the metadata comes from the record.
            let plain = match (find_header(headers, "ce_type"), position, writer_schema) {
                (None, Some(position), Some(writer)) => {
                    schema_full_name(writer).map(|name| (name, position.metadata()))
                }
                _ => None,
            };
            let (event_type, metadata) = match plain {
                Some(plain) => plain,
                None => cloudevents::metadata_from_headers(headers.iter().copied())?,
            };
            let (schema_id, datum) = wire::unframe(value)?;
            let info = catalog
                .event_type(&event_type)
                .ok_or_else(|| crate::EventDecodeError::UnknownEventType(event_type.clone()))?;
            let writer = writer_schema.ok_or(MessageError::WriterSchema {
                id: schema_id,
                source: crate::registry::RegistryError::SchemaNotFound(format!("id {schema_id}")),
            })?;
            let datum = resolver
                .resolve(ReaderType::from(info), writer, datum)
                .map_err(|source| MessageError::Resolve {
                    id: schema_id,
                    event_type: info.name,
                    source,
                })?;
            Ok((catalog.decode_avro)(info.name, &datum, metadata)?)
        }
        None => Err(MessageError::UnknownFormat),
    }
}

#[cfg(test)]
mod tests {
    use super::{schema_full_name, RecordPosition};

    #[test]
    fn the_writer_schema_names_the_type() {
        let name = |schema: &str| schema_full_name(schema);
        assert_eq!(
            name(
                r#"{"type":"record","fields":[{"name":"x","type":"int"}],"namespace":"a.b","name":"R"}"#
            ),
            Some("a.b.R".to_owned())
        );
        assert_eq!(
            name(r#"{"type":"record","name":"c.R","namespace":"a.b","fields":[]}"#),
            Some("c.R".to_owned())
        );
        assert_eq!(
            name(r#"{"type":"record","name":"R\u0031","namespace":"","fields":[]}"#),
            Some("R1".to_owned())
        );
        assert_eq!(name(r#""string""#), None);
        assert_eq!(name(r#"["null","string"]"#), None);
        assert_eq!(name(r#"{"type":"record","fields":[]}"#), None);
    }

    #[test]
    fn records_without_headers_get_ids_of_their_position() {
        let at = |offset| RecordPosition {
            topic: "t",
            partition: 1,
            offset,
            timestamp_ms: Some(1_000),
        };
        assert_eq!(at(7).metadata().event_id, at(7).metadata().event_id);
        assert_ne!(at(7).metadata().event_id, at(8).metadata().event_id);
        assert_eq!(at(7).metadata().event_id.get_version_num(), 4);
        assert_eq!(at(7).metadata().occurred_at.timestamp_millis(), 1_000);
        assert_eq!(at(7).metadata().source, "kafka://t");
    }
}
