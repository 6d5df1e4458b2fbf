//! The only field attribute is `#[domain_event(metadata)]`.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderCancelled.avsc"
)]
pub struct OrderCancelled {
    #[domain_event(aggregate)]
    pub order_id: Uuid,
    pub reason: String,
    pub refunded_cents: i64,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
