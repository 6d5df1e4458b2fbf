//! `test.common.Priority` is an Avro enum: `String` is not it, bare, as
//! array items or in a nullable union, although `String: AvroCodec`. One
//! error at each field's type.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderPrioritized.avsc"
)]
pub struct OrderPrioritized {
    pub order_id: Uuid,
    pub priority: String,
    pub escalations: Vec<String>,
    pub fallback: Option<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
