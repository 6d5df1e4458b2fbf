//! The struct lacks the schema fields `batch_id` (a uuid), `note` (nullable)
//! and `location`: one error each, naming the type to add.

use std::collections::BTreeMap;

use schemabus::{DomainEvent, EventMetadata};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/StockCounted.avsc")]
pub struct StockCounted {
    pub sku: String,
    pub quantity: i64,
    pub counts: Vec<i64>,
    pub labels: BTreeMap<String, String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
