//! CloudEvents 1.0: JSON structured mode and Kafka binary-mode headers.
//!
//! In structured mode ([`to_json`], [`from_json`]) a message is one JSON
//! object: the attributes, then the event's own JSON under `data`. In binary
//! mode (the Avro format) the attributes travel as `ce_*` Kafka headers
//! ([`to_headers`], [`metadata_from_headers`]) and the value is the framed
//! Avro datum.
//!
//! | attribute | from |
//! | --- | --- |
//! | `id` | [`EventMetadata::event_id`] |
//! | `source` | [`EventMetadata::source`] |
//! | `type` | [`DomainEvent::EVENT_TYPE`] (the Avro full name) |
//! | `time` | [`EventMetadata::occurred_at`], RFC 3339 UTC, 6 fractional digits |
//! | `subject` | [`DomainEvent::aggregate_id`] |
//! | `context` | [`DomainEvent::CONTEXT`] (extension) |
//! | `correlationid`, `causationid` | the metadata's ids (extensions, when set) |

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::event::{DomainEvent, EventMetadata};

/// Media type of structured-mode messages.
pub const CONTENT_TYPE: &str = "application/cloudevents+json";
/// Media type of the value in binary mode with the Avro format.
pub const AVRO_CONTENT_TYPE: &str = "application/avro";
/// The CloudEvents version written and accepted.
pub const SPEC_VERSION: &str = "1.0";

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Why a message is not a valid CloudEvent of the expected type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudEventError {
    /// The JSON did not parse, or `data` did not match the event's fields.
    #[error("invalid cloudevent json: {0}")]
    Json(#[from] serde_json::Error),
    /// A `specversion` other than `1.0`.
    #[error("unsupported cloudevents specversion {0:?}, expected \"1.0\"")]
    SpecVersion(String),
    /// The `type` is not the one being decoded.
    #[error("event type {actual:?} does not match expected {expected:?}")]
    TypeMismatch {
        /// The type the caller decodes.
        expected: &'static str,
        /// The type in the message.
        actual: String,
    },
    /// A required attribute is absent.
    #[error("missing cloudevents attribute `{0}`")]
    MissingAttribute(&'static str),
    /// An attribute whose value does not parse (a non-UUID id, a bad time, non-UTF-8 header).
    #[error("invalid cloudevents attribute `{name}`: {reason}")]
    InvalidAttribute {
        /// The attribute.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// The name the contract gives this module's error.
pub type JsonError = CloudEventError;

#[derive(Serialize)]
struct Outgoing<'a, E> {
    specversion: &'static str,
    id: Uuid,
    source: &'a str,
    #[serde(rename = "type")]
    event_type: &'static str,
    time: String,
    subject: String,
    datacontenttype: &'static str,
    context: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlationid: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    causationid: Option<Uuid>,
    data: &'a E,
}

fn format_time(t: &DateTime<Utc>) -> String {
    t.format(TIME_FORMAT).to_string()
}

/// Encodes `e` in structured mode.
///
/// # Errors
///
/// [`CloudEventError::Json`] if the event's serde implementation fails.
pub fn to_json<E: DomainEvent>(e: &E) -> Result<Vec<u8>, CloudEventError> {
    let m = e.metadata();
    let out = Outgoing {
        specversion: SPEC_VERSION,
        id: m.event_id,
        source: &m.source,
        event_type: E::EVENT_TYPE,
        time: {
            let year = m.occurred_at.year();
            if !(0..=9999).contains(&year) {
                return Err(CloudEventError::InvalidAttribute {
                    name: "time",
                    reason: format!(
                        "year {year} is outside 0000-9999, the range RFC 3339 can express"
                    ),
                });
            }
            format_time(&m.occurred_at)
        },
        subject: e.aggregate_id(),
        datacontenttype: "application/json",
        context: E::CONTEXT,
        correlationid: m.correlation_id,
        causationid: m.causation_id,
        data: e,
    };
    Ok(serde_json::to_vec(&out)?)
}

/// Decodes a structured-mode message as `E`.
///
/// # Errors
///
/// As [`parse_envelope`] and [`decode_data`].
pub fn from_json<E: DomainEvent>(bytes: &[u8]) -> Result<E, CloudEventError> {
    decode_data(&parse_envelope(bytes)?)
}

/// The attributes of a structured-mode message, with `data` left unparsed so
/// that a registry can choose the event type by [`event_type`](Self::event_type).
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// `id`.
    pub id: String,
    /// `source`.
    pub source: String,
    /// `type`.
    pub event_type: String,
    /// `time`, as written.
    pub time: Option<String>,
    /// `subject` (the aggregate id).
    pub subject: Option<String>,
    /// `context` extension.
    pub context: Option<String>,
    /// `correlationid` extension.
    pub correlation_id: Option<String>,
    /// `causationid` extension.
    pub causation_id: Option<String>,
    /// `data`, unparsed.
    pub data: &'a RawValue,
}

#[derive(Deserialize)]
struct Incoming<'a> {
    specversion: String,
    id: String,
    source: String,
    #[serde(rename = "type")]
    event_type: String,
    time: Option<String>,
    subject: Option<String>,
    context: Option<String>,
    correlationid: Option<String>,
    causationid: Option<String>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

/// Parses the attributes of a structured-mode message.
///
/// # Errors
///
/// [`CloudEventError::Json`] for malformed JSON or missing required
/// attributes, [`CloudEventError::SpecVersion`], and
/// [`CloudEventError::MissingAttribute`] without `data`.
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope<'_>, CloudEventError> {
    let raw: Incoming<'_> = serde_json::from_slice(bytes)?;
    if raw.specversion != SPEC_VERSION {
        return Err(CloudEventError::SpecVersion(raw.specversion));
    }
    Ok(Envelope {
        id: raw.id,
        source: raw.source,
        event_type: raw.event_type,
        time: raw.time,
        subject: raw.subject,
        context: raw.context,
        correlation_id: raw.correlationid,
        causation_id: raw.causationid,
        data: raw.data.ok_or(CloudEventError::MissingAttribute("data"))?,
    })
}

impl Envelope<'_> {
    /// The metadata the attributes describe.
    ///
    /// # Errors
    ///
    /// [`CloudEventError::InvalidAttribute`] for an id that is not a UUID or
    /// a time that is not RFC 3339, [`CloudEventError::MissingAttribute`]
    /// without `time`.
    pub fn metadata(&self) -> Result<EventMetadata, CloudEventError> {
        let time = self
            .time
            .as_deref()
            .ok_or(CloudEventError::MissingAttribute("time"))?;
        Ok(EventMetadata {
            event_id: parse_uuid("id", &self.id)?,
            occurred_at: parse_time(time)?,
            source: self.source.clone(),
            correlation_id: self
                .correlation_id
                .as_deref()
                .map(|s| parse_uuid("correlationid", s))
                .transpose()?,
            causation_id: self
                .causation_id
                .as_deref()
                .map(|s| parse_uuid("causationid", s))
                .transpose()?,
        })
    }
}

fn parse_uuid(name: &'static str, s: &str) -> Result<Uuid, CloudEventError> {
    Uuid::try_parse(s).map_err(|e| CloudEventError::InvalidAttribute {
        name,
        reason: e.to_string(),
    })
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, CloudEventError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        // `ce_time` headers of years outside 0000-9999 carry a signed or
        // five-digit year, which RFC 3339 cannot; read back what we write.
        .or_else(|e| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ")
                .map(|t| t.and_utc())
                .map_err(|_| e)
        })
        .map(|t| t.trunc_subsecs(6))
        .map_err(|e| CloudEventError::InvalidAttribute {
            name: "time",
            reason: e.to_string(),
        })
}

/// Decodes the `data` of an envelope as `E`, with metadata from its attributes.
///
/// # Errors
///
/// [`CloudEventError::TypeMismatch`] unless the envelope's type is
/// `E::EVENT_TYPE`; [`CloudEventError::Json`] when `data` does not match;
/// as [`Envelope::metadata`].
pub fn decode_data<E: DomainEvent>(env: &Envelope<'_>) -> Result<E, CloudEventError> {
    if env.event_type != E::EVENT_TYPE {
        return Err(CloudEventError::TypeMismatch {
            expected: E::EVENT_TYPE,
            actual: env.event_type.clone(),
        });
    }
    let metadata = env.metadata()?;
    let mut event: E = serde_json::from_str(env.data.get())?;
    *event.metadata_mut() = metadata;
    Ok(event)
}

/// Kafka headers for binary mode with an Avro value: the attributes as
/// `ce_*` headers and `content-type: application/avro`.
pub fn to_headers<E: DomainEvent>(e: &E) -> Vec<(&'static str, String)> {
    let m = e.metadata();
    let mut h = vec![
        ("ce_specversion", SPEC_VERSION.to_owned()),
        ("ce_id", m.event_id.to_string()),
        ("ce_source", m.source.clone()),
        ("ce_type", E::EVENT_TYPE.to_owned()),
        ("ce_time", format_time(&m.occurred_at)),
        ("ce_subject", e.aggregate_id()),
        ("ce_context", E::CONTEXT.to_owned()),
    ];
    if let Some(id) = m.correlation_id {
        h.push(("ce_correlationid", id.to_string()));
    }
    if let Some(id) = m.causation_id {
        h.push(("ce_causationid", id.to_string()));
    }
    h.push(("content-type", AVRO_CONTENT_TYPE.to_owned()));
    h
}

/// Reads the event type and metadata from binary-mode Kafka headers;
/// unknown headers are ignored.
///
/// # Errors
///
/// [`CloudEventError::MissingAttribute`] without `ce_specversion`, `ce_id`,
/// `ce_source`, `ce_type` or `ce_time`; [`CloudEventError::SpecVersion`];
/// [`CloudEventError::InvalidAttribute`] for a non-UTF-8 or malformed value.
pub fn metadata_from_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<(String, EventMetadata), CloudEventError> {
    let mut spec = None;
    let (mut id, mut source, mut ty, mut time, mut corr, mut cause) =
        (None, None, None, None, None, None);
    for (name, value) in headers {
        let slot = match name {
            "ce_specversion" => &mut spec,
            "ce_id" => &mut id,
            "ce_source" => &mut source,
            "ce_type" => &mut ty,
            "ce_time" => &mut time,
            "ce_correlationid" => &mut corr,
            "ce_causationid" => &mut cause,
            _ => continue,
        };
        let text = std::str::from_utf8(value).map_err(|_| CloudEventError::InvalidAttribute {
            name: header_attr(name),
            reason: "header value is not utf-8".to_owned(),
        })?;
        *slot = Some(text);
    }
    let spec = spec.ok_or(CloudEventError::MissingAttribute("specversion"))?;
    if spec != SPEC_VERSION {
        return Err(CloudEventError::SpecVersion(spec.to_owned()));
    }
    let metadata = EventMetadata {
        event_id: parse_uuid("id", id.ok_or(CloudEventError::MissingAttribute("id"))?)?,
        occurred_at: parse_time(time.ok_or(CloudEventError::MissingAttribute("time"))?)?,
        source: source
            .ok_or(CloudEventError::MissingAttribute("source"))?
            .to_owned(),
        correlation_id: corr.map(|s| parse_uuid("correlationid", s)).transpose()?,
        causation_id: cause.map(|s| parse_uuid("causationid", s)).transpose()?,
    };
    let ty = ty.ok_or(CloudEventError::MissingAttribute("type"))?;
    Ok((ty.to_owned(), metadata))
}

fn header_attr(header: &str) -> &'static str {
    match header {
        "ce_specversion" => "specversion",
        "ce_id" => "id",
        "ce_source" => "source",
        "ce_type" => "type",
        "ce_time" => "time",
        "ce_correlationid" => "correlationid",
        _ => "causationid",
    }
}
