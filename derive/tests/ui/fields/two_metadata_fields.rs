//! Two fields marked `#[domain_event(metadata)]`: one error at the second,
//! and the first is not reported as "not in the schema".

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderCancelled.avsc"
)]
pub struct OrderCancelled {
    pub order_id: Uuid,
    pub reason: String,
    pub refunded_cents: i64,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub previous: EventMetadata,
}

fn main() {}
