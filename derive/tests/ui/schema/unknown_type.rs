//! The schema names a type nothing defines: the error names file:line:col
//! and suggests the closest name.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/bad-schemas/unknown-type/orders/Dangling.avsc"
)]
pub struct OrderCancelled {
    pub order_id: Uuid,
    pub reason: String,
    pub refunded_cents: i64,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
