//! Only structs can be events.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Debug, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderCancelled.avsc"
)]
pub enum OrderCancelled {
    Cancelled {
        order_id: Uuid,
        reason: String,
        refunded_cents: i64,
        metadata: EventMetadata,
    },
}

fn main() {}
