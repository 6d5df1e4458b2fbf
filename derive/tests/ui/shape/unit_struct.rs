//! Only structs with named fields can be events.

use schemabus::DomainEvent;

#[derive(Debug, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderCancelled.avsc"
)]
pub struct OrderCancelled;

fn main() {}
