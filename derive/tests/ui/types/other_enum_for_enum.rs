//! `test.common.Priority` is an Avro enum: another Avro enum
//! (`zamaz.common.Severity`, generated in the reference domain) is not it,
//! though it implements `AvroCodec` too. One error at each field's type.

use schemabus::events::common::Severity;
use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(
    context = "orders",
    schema = "tests/schemas/orders/OrderPrioritized.avsc"
)]
pub struct OrderPrioritized {
    pub order_id: Uuid,
    pub priority: Severity,
    pub escalations: Vec<Severity>,
    pub fallback: Option<Severity>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
