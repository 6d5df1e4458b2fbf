//! `counts` is an `array` of longs: a map is the wrong container.

use std::collections::BTreeMap;

use schemabus::{DomainEvent, EventMetadata};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, DomainEvent)]
#[domain_event(context = "orders", schema = "tests/schemas/orders/StockCounted.avsc")]
pub struct StockCounted {
    pub sku: String,
    pub batch_id: Uuid,
    pub quantity: i64,
    pub note: Option<String>,
    pub location: String,
    pub counts: BTreeMap<String, i64>,
    pub labels: BTreeMap<String, String>,
    #[serde(skip, default = "EventMetadata::empty")]
    #[domain_event(metadata)]
    pub metadata: EventMetadata,
}

fn main() {}
