//! The marked metadata field is not an `EventMetadata`: the error is at the
//! field type, not at the derive.

use schemabus::DomainEvent;
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
    #[domain_event(metadata)]
    pub metadata: String,
}

fn main() {}
