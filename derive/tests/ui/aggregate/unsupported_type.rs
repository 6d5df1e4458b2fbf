//! The aggregate id is a string, uuid, int or long field: an array is not
//! one. One derive error at the `aggregate` value, naming the Avro type.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderNoted.avsc",
    aggregate = "mentions"
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
