//! No field is marked `#[domain_event(metadata)]` and none is named
//! `metadata`.

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
}

fn main() {}
