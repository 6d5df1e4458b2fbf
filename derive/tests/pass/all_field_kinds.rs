//! A hand-written struct with a field of every kind the derive supports:
//! primitives, `null`, options (null first and null second), arrays, maps,
//! a shared enum (bare, in an array, in an option), logical types on
//! `int`/`long`/`bytes`/`string`/`fixed`, and a camelCase schema field bound
//! to a snake_case struct field. Encode and decode must round-trip.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use schemabus::codec::avro::reader::Reader;
use schemabus::{
    AvroCodec, AvroSchema, Decimal, DecodeError, DomainEvent, Duration, EncodeError, EventMetadata,
};
use uuid::Uuid;

/// `test.common.Priority`, written by hand. A field of a named type needs a
/// Rust type implementing `AvroCodec` and the marker the derive checks,
/// `IsSchemaType<Named<_, fingerprint of the type's canonical form>>`, which
/// generated types implement; the derive offers no public way to opt a
/// hand-written type in, so this implements the `__private` marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl<Avro: ?Sized>
    schemabus::__private::IsSchemaType<schemabus::__private::Named<Avro, 13222388597856769843>>
    for Priority
{
}

impl AvroCodec for Priority {
    const MIN_LEN: usize = 1;

    fn avro_len(&self) -> usize {
        (*self as i32).avro_len()
    }

    fn avro_encode(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        (*self as i32).avro_encode(buf)
    }

    fn avro_decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.read_enum_index(3)? {
            0 => Self::Low,
            1 => Self::Medium,
            _ => Self::High,
        })
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/OrderPlaced.avsc")]
pub struct OrderPlaced {
    pub order_id: Uuid,
    pub customer: String,
    pub quantity: i32,
    pub total_cents: i64,
    pub weight: f32,
    pub ratio: f64,
    pub gift: bool,
    pub payload: Vec<u8>,
    pub nothing: (),
    pub note: Option<String>,
    pub discount_cents: Option<i64>,
    pub previous_order: Option<Uuid>,
    pub tags: Vec<String>,
    pub line_totals: Vec<i64>,
    pub attributes: BTreeMap<String, String>,
    pub stock: BTreeMap<String, i32>,
    pub priority: Priority,
    pub escalations: Vec<Priority>,
    pub fallback_priority: Option<Priority>,
    pub placed_on: NaiveDate,
    pub placed_at: DateTime<Utc>,
    pub confirmed_at: DateTime<Utc>,
    pub cutoff: NaiveTime,
    pub local_placed_at: NaiveDateTime,
    pub amount: Decimal,
    pub trace_id: Uuid,
    pub grace: Duration,
    /// Schema field `lineItemCount`.
    #[serde(rename = "lineItemCount")]
    pub line_item_count: i32,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn full() -> OrderPlaced {
    let placed_at = DateTime::from_timestamp_millis(1_714_564_800_123).unwrap();
    OrderPlaced {
        order_id: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        customer: "ada".to_owned(),
        quantity: -3,
        total_cents: 1 << 40,
        weight: 1.5,
        ratio: -0.25,
        gift: true,
        payload: vec![0, 1, 2, 255],
        nothing: (),
        note: Some("leave at the door".to_owned()),
        discount_cents: Some(-150),
        previous_order: Some(Uuid::from_u128(7)),
        tags: vec!["new".to_owned(), "ünïcode".to_owned()],
        line_totals: vec![i64::MIN, 0, i64::MAX],
        attributes: BTreeMap::from([
            ("channel".to_owned(), "web".to_owned()),
            ("coupon".to_owned(), String::new()),
        ]),
        stock: BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), i32::MIN)]),
        priority: Priority::High,
        escalations: vec![Priority::Low, Priority::Medium, Priority::High],
        fallback_priority: Some(Priority::Medium),
        placed_on: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        placed_at,
        confirmed_at: DateTime::from_timestamp_micros(1_714_564_800_123_456).unwrap(),
        cutoff: NaiveTime::from_hms_milli_opt(17, 30, 0, 250).unwrap(),
        local_placed_at: placed_at.naive_utc(),
        amount: "-1234.56".parse().unwrap(),
        trace_id: Uuid::from_u128(u128::MAX - 1),
        grace: Duration {
            months: 1,
            days: 2,
            millis: 3,
        },
        line_item_count: 2,
        metadata: EventMetadata::new().with_source("all-field-kinds"),
    }
}

fn sparse() -> OrderPlaced {
    OrderPlaced {
        note: None,
        discount_cents: None,
        previous_order: None,
        tags: Vec::new(),
        line_totals: Vec::new(),
        attributes: BTreeMap::new(),
        stock: BTreeMap::new(),
        escalations: Vec::new(),
        fallback_priority: None,
        payload: Vec::new(),
        amount: Decimal::from_i128(0, 2),
        ..full()
    }
}

fn round_trip(value: &OrderPlaced) {
    let bytes = value.to_avro_bytes().unwrap();
    assert_eq!(bytes.len(), value.avro_len(), "avro_len is exact");
    assert!(bytes.len() >= OrderPlaced::MIN_LEN);

    // A string uuid is written as a 36-character string: length 36 (zig-zag 72).
    assert_eq!(bytes[0], 72);
    assert_eq!(&bytes[1..37], value.order_id.to_string().as_bytes());

    let mut decoded = OrderPlaced::from_avro_bytes(&bytes).unwrap();
    // The metadata is not in the payload: decoding leaves it empty.
    assert_eq!(decoded.metadata, EventMetadata::empty());
    assert!(decoded.metadata().is_empty());
    decoded.metadata = value.metadata.clone();
    assert_eq!(&decoded, value);

    // Decoding in place gives the same value as a fresh decode, metadata
    // included (the payload carries none).
    let mut reused = sparse();
    if value.tags.is_empty() {
        reused = full();
    }
    reused.avro_decode_into(&mut Reader::new(&bytes)).unwrap();
    assert_eq!(reused.metadata, EventMetadata::empty());
    reused.metadata = value.metadata.clone();
    assert_eq!(&reused, value);

    // Truncated and over-long input are errors.
    assert!(OrderPlaced::from_avro_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(OrderPlaced::from_avro_bytes(&longer).is_err());
}

fn main() {
    let full = full();
    let sparse = sparse();
    round_trip(&full);
    round_trip(&sparse);

    // `["long", "null"]` puts null second: `None` is branch 1, `Some` branch
    // 0. `a` and `b` differ only in `discount_cents`, so their encodings
    // first differ at its branch index.
    let a = sparse.clone();
    let b = OrderPlaced {
        discount_cents: Some(1),
        ..sparse.clone()
    };
    let (ea, eb) = (a.to_avro_bytes().unwrap(), b.to_avro_bytes().unwrap());
    let at = ea.iter().zip(&eb).position(|(x, y)| x != y).unwrap();
    assert_eq!((ea[at], eb[at]), (2, 0), "null is branch 1, long branch 0");
    assert_eq!(eb[at + 1], 2, "zig-zag 1");

    // Event and schema constants.
    assert_eq!(OrderPlaced::CONTEXT, "orders");
    assert_eq!(OrderPlaced::EVENT_TYPE, "test.orders.OrderPlaced");
    assert_eq!(OrderPlaced::FULL_NAME, "test.orders.OrderPlaced");
    assert_eq!(full.event_type(), OrderPlaced::EVENT_TYPE);
    assert_eq!(full.context(), "orders");
    assert_eq!(full.aggregate_id(), full.order_id.to_string());
    assert!(OrderPlaced::CANONICAL_FORM
        .starts_with(r#"{"name":"test.orders.OrderPlaced","type":"record","fields":["#));
    // The shared enum is inlined into the standalone schema.
    assert!(OrderPlaced::SCHEMA_JSON.contains("test.common.Priority"));
    assert!(OrderPlaced::SCHEMA_JSON.contains("MEDIUM"));
    assert_ne!(OrderPlaced::FINGERPRINT, 0);

    // The metadata accessors reach the marked field.
    let mut event = full.clone();
    event.metadata_mut().source = "elsewhere".to_owned();
    assert_eq!(event.metadata().source, "elsewhere");
    assert_eq!(event.metadata.source, "elsewhere");

    // CloudEvents JSON goes through the same trait.
    let json = String::from_utf8(full.to_json().unwrap()).unwrap();
    assert!(
        json.contains(r#""type":"test.orders.OrderPlaced""#),
        "{json}"
    );
    assert!(json.contains(r#""source":"all-field-kinds""#), "{json}");
}
