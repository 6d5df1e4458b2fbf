//! `batch_id` is a `string` with logical type `uuid`: it must be a `Uuid`.

use std::collections::BTreeMap;

use schemabus::{DomainEvent, EventMetadata};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/StockCounted.avsc")]
pub struct StockCounted {
    pub sku: String,
    pub batch_id: String,
    pub quantity: i64,
    pub note: Option<String>,
    pub location: String,
    pub counts: Vec<i64>,
    pub labels: BTreeMap<String, String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
