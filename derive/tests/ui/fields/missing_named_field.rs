//! The struct lacks `priority` and `escalations`, of the named type
//! `test.common.Priority`: each error names the Avro type, not a Rust path.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderPrioritized.avsc"
)]
pub struct OrderPrioritized {
    pub order_id: Uuid,
    pub fallback: Option<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
