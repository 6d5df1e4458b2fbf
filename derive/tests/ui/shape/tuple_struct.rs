//! Only structs with named fields can be events.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Debug, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderCancelled.avsc"
)]
pub struct OrderCancelled(pub Uuid, pub String, pub i64, pub EventMetadata);

fn main() {}
