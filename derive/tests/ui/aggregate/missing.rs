//! Neither the schema nor the attributes name the aggregate.

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/OrderNoted.avsc")]
pub struct OrderCancelled {
    pub order_id: Uuid,
    pub note: String,
    pub urgent: bool,
    pub mentions: Vec<String>,
    #[serde(skip, default = "EventMetadata::empty")]
    pub metadata: EventMetadata,
}

fn main() {}
