//! Every mismatched field is reported, each at its own type, and nothing
//! else: code using the struct as an event adds no errors.

use std::collections::BTreeMap;

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/StockCounted.avsc")]
pub struct StockCounted {
    pub sku: String,
    pub batch_id: Uuid,
    pub quantity: u64,
    pub note: Option<i64>,
    pub location: String,
    pub counts: Vec<i64>,
    pub labels: BTreeMap<i64, String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn publishable<E: schemabus::DomainEvent + schemabus::AvroCodec>() {}

fn main() {
    publishable::<StockCounted>();
}
