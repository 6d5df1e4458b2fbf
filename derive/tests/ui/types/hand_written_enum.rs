//! A hand-written enum implementing `AvroCodec` is not `test.common.Priority`:
//! the derive cannot check its symbols against the schema, so only a type
//! generated from that schema is accepted. One error at each field's type.

use schemabus::codec::avro::reader::Reader;
use schemabus::{AvroCodec, DecodeError, DomainEvent, EncodeError, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Priority {
    Low,
    Medium,
    High,
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
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderPrioritized.avsc"
)]
pub struct OrderPrioritized {
    pub order_id: Uuid,
    pub priority: Priority,
    pub escalations: Vec<Priority>,
    pub fallback: Option<Priority>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
