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
//! Until a schema registry is configured, the schema id of an Avro record is
//! [`local_schema_id`]: derived from the schema's fingerprint, so producers
//! and consumers built from the same schemas agree without coordination.
//! Data written with another version of a schema needs a registry to find
//! the writer's schema and is refused with [`MessageError::SchemaId`].

use rdkafka::message::{Header, Headers, OwnedHeaders};

use crate::bus::{BusEvent, SharedEvent};
use crate::catalog::Catalog;
use crate::codec::cloudevents::{self, CONTENT_TYPE};
use crate::codec::wire::{self, Format};

use super::error::{KafkaError, MessageError};

/// Header naming the client that produced a record.
pub const ORIGIN_HEADER: &str = "ce_origin";

/// The schema id used in the wire format when no registry assigns one: the
/// low 31 bits of the schema's Rabin fingerprint.
pub fn local_schema_id(fingerprint: u64) -> u32 {
    (fingerprint & 0x7fff_ffff) as u32
}

/// Encodes `event`'s value into `buf` (cleared first) and returns its headers.
///
/// # Errors
///
/// [`KafkaError::Encode`] when the payload cannot be represented.
pub fn encode(
    event: &dyn BusEvent,
    format: Format,
    origin: &str,
    buf: &mut Vec<u8>,
) -> Result<OwnedHeaders, KafkaError> {
    buf.clear();
    let mut headers = OwnedHeaders::new_with_capacity(10);
    match format {
        Format::Avro => {
            wire::write_header(buf, local_schema_id(event.schema_fingerprint()));
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
        Format::Json => {
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

/// Turns a consumed record back into a typed event of `catalog`.
///
/// # Errors
///
/// [`MessageError`] saying why the record is not an event of the catalog.
pub fn decode<H: Headers>(
    catalog: &Catalog,
    value: Option<&[u8]>,
    headers: Option<&H>,
) -> Result<SharedEvent, MessageError> {
    decode_with(catalog, value, &header_pairs(headers))
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

/// [`decode`] with the headers already read.
pub(crate) fn decode_with(
    catalog: &Catalog,
    value: Option<&[u8]>,
    headers: &[(&str, &[u8])],
) -> Result<SharedEvent, MessageError> {
    let value = value.filter(|v| !v.is_empty()).ok_or(MessageError::Empty)?;
    match wire::detect(value) {
        Some(Format::Json) => Ok((catalog.decode_json)(value)?),
        Some(Format::Avro) => {
            let (event_type, metadata) =
                cloudevents::metadata_from_headers(headers.iter().copied())?;
            let (schema_id, datum) = wire::unframe(value)?;
            let info = catalog
                .event_type(&event_type)
                .ok_or_else(|| crate::EventDecodeError::UnknownEventType(event_type.clone()))?;
            let expected = local_schema_id(info.fingerprint);
            if schema_id != expected {
                return Err(MessageError::SchemaId {
                    event_type,
                    found: schema_id,
                    expected,
                });
            }
            Ok((catalog.decode_avro)(info.name, datum, metadata)?)
        }
        None => Err(MessageError::UnknownFormat),
    }
}
