//! A `boolean` is not an aggregate id (the derive documents string, uuid,
//! int and long): one error at the `aggregate` value, naming the field's
//! Avro type.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderNoted.avsc",
    aggregate = "urgent"
)]
pub struct OrderNoted {
    pub order_id: Uuid,
    pub note: String,
    pub urgent: bool,
    pub mentions: Vec<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    pub metadata: EventMetadata,
}

fn main() {}
